import type { ErrorInfo, OldKeyChoice, RotationPreview, RotationResult, RotationStep } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';

type Kind = OldKeyChoice['kind'];

/** The rotation dialog: what main says will happen, the user's choice for the old key, and the run's progress. */
export class RotateDialogState {
  preview = $state<RotationPreview>();
  loadError = $state<ErrorInfo>();
  kind = $state<Kind>('grace');
  days = $state(7);
  then = $state<'delete' | 'deactivate'>('delete');
  /** Reset-in-place providers: the access key ID, typed to confirm. */
  typed = $state('');
  running = $state(false);
  step = $state<RotationStep>();
  attempt = $state(0);
  result = $state<RotationResult>();
  error = $state<ErrorInfo>();

  readonly option = $derived(this.preview?.options.find((o) => o.kind === this.kind));
  readonly daysValid = $derived(!!this.preview && Number.isInteger(this.days) && this.days >= this.preview.graceDays.min && this.days <= this.preview.graceDays.max);
  readonly resetInPlace = $derived(this.preview?.strategy === 'regenerate');
  readonly ready = $derived(
    !!this.preview &&
      !this.preview.blocked &&
      !this.running &&
      !this.result &&
      (this.kind === 'delete' || this.kind === 'replace' || this.daysValid) &&
      (!this.resetInPlace || this.typed.trim() === this.preview.oldKey.accessKeyId),
  );

  constructor(readonly credentialId: string) {}

  async load(): Promise<void> {
    try {
      const preview = await api.rotation.plan({ credentialId: this.credentialId });
      const choice = preview.defaultChoice;
      this.kind = choice.kind;
      if ('days' in choice) this.days = choice.days;
      if (choice.kind === 'grace') this.then = choice.then;
      this.preview = preview;
    } catch (error) {
      this.loadError = errorInfo(error);
    }
  }

  choice(): OldKeyChoice {
    switch (this.kind) {
      case 'grace':
        return { kind: 'grace', days: this.days, then: this.then };
      case 'deactivate':
        return { kind: 'deactivate', days: this.days };
      default:
        return { kind: this.kind };
    }
  }

  onProgress(step: RotationStep, attempt = 0): void {
    this.step = step;
    this.attempt = attempt;
  }

  async run(): Promise<void> {
    if (!this.ready) return;
    this.running = true;
    this.error = undefined;
    this.step = undefined;
    try {
      this.result = await api.rotation.run({ credentialId: this.credentialId, oldKey: this.choice(), confirmResetInPlace: this.resetInPlace ? this.typed.trim() : undefined });
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    void api.rotation.cancel({ credentialId: this.credentialId });
  }
}
