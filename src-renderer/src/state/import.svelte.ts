import type { ErrorInfo } from '../../../src-main/core/errors';
import type { ImportCandidate, ImportPreview, ImportResult } from '../../../src-main/core/ecosystem/importer';
import { api, errorInfo } from '../lib/api';

/** Why a found key pair cannot be imported, or undefined when it can. */
export function blockedReason(candidate: ImportCandidate): string | undefined {
  return candidate.problem ?? (candidate.hasSecret ? undefined : 'No secret access key.');
}

/** The import screen: what a scan of the other tools' config files found, what the user picked, the outcome. */
export class ImportState {
  preview = $state<ImportPreview>();
  selected = $state<string[]>([]);
  removePlaintext = $state(false);
  busy = $state<'scanning' | 'importing'>();
  error = $state<ErrorInfo>();
  result = $state<ImportResult>();

  /** Selected keys Keydesk does not hold yet; the others are picked only for the clean-up. */
  readonly newCount = $derived(this.preview?.candidates.filter((c) => this.selected.includes(c.id) && !c.savedAs).length ?? 0);

  /** Files a clean-up would rewrite: those holding a selected key's secret. */
  readonly filesToRewrite = $derived([
    ...new Set(this.preview?.candidates.filter((c) => this.selected.includes(c.id)).flatMap((c) => c.files) ?? []),
  ]);

  async scan(): Promise<void> {
    this.busy = 'scanning';
    this.error = undefined;
    this.result = undefined;
    try {
      this.preview = await api.import.scan();
      // Keys Keydesk already holds stay unticked: picking one only removes its plain-text copy.
      this.selected = this.preview.candidates.filter((c) => !blockedReason(c) && !c.savedAs).map((c) => c.id);
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.busy = undefined;
    }
  }

  toggle(id: string, on: boolean): void {
    this.selected = on ? [...this.selected, id] : this.selected.filter((s) => s !== id);
  }

  async run(): Promise<void> {
    this.busy = 'importing';
    this.error = undefined;
    try {
      this.result = await api.import.run({ sources: this.selected, removePlaintext: this.removePlaintext });
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.busy = undefined;
    }
  }
}
