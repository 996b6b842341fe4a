import { KeydeskError } from '../errors';

/** Lock ID for a provider key itself, for work on a key that no saved credential may hold (keys screen, leak report). */
export const keyLockId = (accountId: string, accessKeyId: string) => `key:${accountId}:${accessKeyId}`;

/**
 * Saved credentials that a rotation, recovery or pending revocation is changing right now, so two of them
 * never change the same credential at once (a "Rotate now" during recovery, a revoke while restoring).
 */
export class RotationLocks {
  private readonly held = new Map<string, AbortController>();

  isHeld(credentialId: string): boolean {
    return this.held.has(credentialId);
  }

  /** Aborts the work holding this credential (a rotation waiting for its new key); false when none. */
  abort(credentialId: string): boolean {
    const controller = this.held.get(credentialId);
    controller?.abort();
    return !!controller;
  }

  /** Runs `work` holding every credential in `ids`; refuses at once when one of them is busy. */
  async with<T>(ids: string[], work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (ids.some((id) => this.held.has(id))) {
      throw new KeydeskError({ code: 'CONFLICT', message: 'This key is being rotated or revoked right now; try again when that has finished.' });
    }
    const controller = new AbortController();
    for (const id of ids) this.held.set(id, controller);
    try {
      return await work(controller.signal);
    } finally {
      for (const id of ids) if (this.held.get(id) === controller) this.held.delete(id);
    }
  }
}
