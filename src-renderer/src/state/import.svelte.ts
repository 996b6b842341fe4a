import type { ErrorInfo, ImportCandidate, ImportPreview, ImportResult, KeyCheck } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { OperationState } from './operation.svelte';

/** Why a found key pair cannot be imported, or undefined when it can. */
export function blockedReason(candidate: ImportCandidate): string | undefined {
  return candidate.problem ?? (candidate.hasSecret ? undefined : 'No secret access key.');
}

/** Worth a test and a save: importable, not held by Keydesk, not a second profile of the same key. */
function isNew(candidate: ImportCandidate): boolean {
  return !blockedReason(candidate) && !candidate.savedAs && !candidate.sameKeyAs;
}

/**
 * The import screen: what a scan of the other tools' config files found, whether each key works (tested
 * right after the scan, with progress and Cancel), what the user picked, the outcome. Keys that fail
 * their test start unticked; ticking one means "save anyway".
 */
export class ImportState {
  preview = $state<ImportPreview>();
  selected = $state<string[]>([]);
  removePlaintext = $state(false);
  busy = $state<'scanning' | 'testing' | 'importing'>();
  /** The running test or import: progress, Cancel, and its error. */
  readonly operation = new OperationState();
  /** By candidate ID. */
  checks = $state<Record<string, KeyCheck>>({});
  /** Testing was cancelled: untested keys are tested when imported. */
  testCancelled = $state(false);
  error = $state<ErrorInfo>();
  result = $state<ImportResult>();

  /** Selected keys Keydesk does not hold yet; the others are picked only for the clean-up. */
  readonly newCount = $derived(this.preview?.candidates.filter((c) => this.selected.includes(c.id) && isNew(c)).length ?? 0);

  /** Files a clean-up would rewrite: those holding a selected key's secret. */
  readonly filesToRewrite = $derived([
    ...new Set(this.preview?.candidates.filter((c) => this.selected.includes(c.id)).flatMap((c) => c.files) ?? []),
  ]);

  check(id: string): KeyCheck | undefined {
    return this.checks[id];
  }

  fails(id: string): boolean {
    return this.checks[id]?.works === false;
  }

  async scan(): Promise<void> {
    this.busy = 'scanning';
    this.error = undefined;
    this.result = undefined;
    this.checks = {};
    this.testCancelled = false;
    try {
      this.preview = await api.import.scan();
      // Keys Keydesk already holds stay unticked: picking one only removes its plain-text copy.
      this.selected = this.preview.candidates.filter(isNew).map((c) => c.id);
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.busy = undefined;
    }
    if (this.selected.length) await this.test();
  }

  /** Tests every new key; those that fail are unticked. */
  async test(): Promise<void> {
    const ids = this.preview?.candidates.filter(isNew).map((c) => c.id) ?? [];
    if (!ids.length) return;
    this.busy = 'testing';
    const results = await this.operation.run(`Testing ${ids.length === 1 ? 'the key' : `${ids.length} keys`}…`, (operationId) => api.import.test({ sources: ids, operationId }));
    this.busy = undefined;
    if (!results) {
      this.testCancelled = this.operation.error?.code === 'CANCELLED';
      return;
    }
    this.checks = Object.fromEntries(results.map((r) => [r.id, r.check]));
    const failing = new Set(results.filter((r) => !r.check.works).map((r) => r.id));
    this.selected = this.selected.filter((id) => !failing.has(id));
  }

  toggle(id: string, on: boolean): void {
    this.selected = on ? [...this.selected, id] : this.selected.filter((s) => s !== id);
  }

  async run(): Promise<void> {
    this.busy = 'importing';
    this.error = undefined;
    // A ticked key that failed its test was ticked on purpose: saved anyway. The rest are tested (again) first.
    const saveAnyway = this.selected.filter((id) => this.fails(id));
    const sources = this.selected;
    const result = await this.operation.run('Testing keys before saving…', (operationId) =>
      api.import.run({ sources, removePlaintext: this.removePlaintext, saveAnyway, operationId }),
    );
    this.busy = undefined;
    if (result) this.result = result;
  }
}
