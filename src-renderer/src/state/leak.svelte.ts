import type { ErrorInfo, LeakPreview, LeakProgress, LeakResult, LeakStep, LeakStop } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { PlaintextState } from './plaintext.svelte';

export type LeakTarget = { credentialId: string } | { accountId: string; keyId: string; owner?: string; region?: string };

/** The steps as the progress view lists them, in order. */
export const LEAK_STEPS: { step: Exclude<LeakStep, 'done' | 'failed'>; label: string }[] = [
  { step: 'stop', label: 'Stop the leaked key' },
  { step: 'create', label: 'Create a replacement' },
  { step: 'verify', label: 'Check it works on S3' },
  { step: 'switch', label: 'Switch saved credentials and profiles' },
  { step: 'revoke-pending', label: 'Revoke old keys waiting from earlier rotations' },
];

/**
 * "Report leaked…": what main says will happen, how the key is to be stopped, the run's steps and log
 * lines as they come, the outcome, and then the plain-text scan for the leaked key ID.
 */
export class LeakState {
  preview = $state<LeakPreview>();
  loadError = $state<ErrorInfo>();
  stop = $state<LeakStop>();
  /** A stop that cannot be undone (delete, reset) was confirmed. */
  confirmed = $state(false);
  running = $state(false);
  step = $state<LeakStep>();
  attempt = $state(0);
  log = $state<string[]>([]);
  result = $state<LeakResult>();
  error = $state<ErrorInfo>();
  /** The plain-text copies of the leaked key, searched once it is stopped (or at once where Keydesk cannot stop it). */
  scan = $state<PlaintextState>();

  constructor(readonly target: LeakTarget) {}

  readonly irreversible = $derived(this.stop === 'delete' || this.stop === 'reset');
  readonly ready = $derived(
    !!this.preview && !this.preview.manual && !!this.stop && !this.running && !this.result && !this.preview.stops.find((o) => o.stop === this.stop)?.refused && (!this.irreversible || this.confirmed),
  );

  async load(): Promise<void> {
    try {
      const preview = await api.leak.plan({ target: this.target });
      this.stop = preview.defaultStop;
      this.preview = preview;
      if (preview.manual) this.startScan();
    } catch (error) {
      this.loadError = errorInfo(error);
    }
  }

  onProgress(progress: LeakProgress): void {
    if (progress.accessKeyId !== this.preview?.accessKeyId) return;
    this.step = progress.step;
    this.attempt = progress.attempt ?? 0;
    this.log = [...this.log, `${new Date().toISOString().slice(11, 19)} ${progress.line}`];
  }

  async run(): Promise<void> {
    if (!this.ready || !this.stop) return;
    this.running = true;
    this.error = undefined;
    this.log = [];
    try {
      this.result = await api.leak.report({ target: this.target, stop: this.stop, confirm: this.irreversible ? this.confirmed : undefined });
      // The final log is main's: complete even when progress events were missed.
      if (this.result.log.length) this.log = this.result.log;
      this.startScan();
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    if (this.preview) void api.leak.cancel({ accessKeyId: this.preview.accessKeyId });
  }

  /** Copies of the leaked key ID; findings in AWS profiles can ask Keydesk for the replacement instead. */
  private startScan(): void {
    const preview = this.preview!;
    const replacedBy = this.result?.switched[0]?.id;
    // Keydesk could not stop it, so the credential still holds it: its secret is compared too.
    this.scan =
      preview.manual && 'credentialId' in this.target
        ? new PlaintextState(this.target.credentialId)
        : new PlaintextState(undefined, { accessKeyId: preview.accessKeyId, endpoint: preview.endpoint, replacedBy });
    void this.scan.loadFolders().then(() => this.scan?.scan());
  }

  /** The log as copied: what happened, with key IDs and labels, never a secret (main writes no secret into it). */
  logText(): string {
    const header = `Keydesk leak report for ${this.preview?.accessKeyId ?? ''} (${this.preview?.label ?? ''})`;
    const outcome = this.result
      ? [
          `Stopped: ${this.result.stopped}`,
          this.result.newAccessKeyId ? `Replacement: ${this.result.newAccessKeyId}` : 'No replacement',
          ...this.result.notSwitched.map((n) => `Not switched: ${n.what}: ${n.why}`),
        ]
      : this.error
        ? [`Failed: ${this.error.message}`]
        : [];
    return [header, ...this.log, ...outcome].join('\n');
  }
}
