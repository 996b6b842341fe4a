/** The system clipboard as the desktop shell provides it (Electron's is asynchronous). */
export interface ClipboardBacking {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

export const CLEAR_SECRET_AFTER_MS = 30_000;

/**
 * Copies secrets and clears them again after 30 s — but only if the clipboard still holds that secret, so
 * whatever the user copied since is left alone. Runs in main, which may read the clipboard; the renderer may not.
 */
export class SecretClipboard {
  private readonly pending = new Map<NodeJS.Timeout, string>();

  constructor(
    private readonly backing: ClipboardBacking,
    private readonly clearAfterMs = CLEAR_SECRET_AFTER_MS,
  ) {}

  get holdsSecrets(): boolean {
    return this.pending.size > 0;
  }

  async copySecret(secret: string): Promise<void> {
    await this.backing.writeText(secret);
    const timer = setTimeout(() => void this.clear(timer), this.clearAfterMs);
    this.pending.set(timer, secret);
  }

  /** At quit: clear what is still ours now rather than leave a secret behind. */
  async clearNow(): Promise<void> {
    for (const timer of [...this.pending.keys()]) {
      clearTimeout(timer);
      await this.clear(timer);
    }
  }

  private async clear(timer: NodeJS.Timeout): Promise<void> {
    const secret = this.pending.get(timer);
    this.pending.delete(timer);
    if (secret !== undefined && (await this.backing.readText()) === secret) await this.backing.writeText('');
  }
}
