import type { ErrorInfo, FixReport, ImportReport, PlaintextFinding, PlaintextProgress, PlaintextReport, ScanFolder } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { OperationState } from './operation.svelte';

export type FixAction = PlaintextFinding['fixes'][number]['action'];

/** The change offered first: credential_process where Keydesk can answer for the key, else removal. */
export function defaultAction(finding: PlaintextFinding): FixAction | undefined {
  return finding.fixes.find((f) => f.available)?.action;
}

/** Findings grouped by file, in the order the scan found them. */
export function byFile(findings: PlaintextFinding[]): { file: string; target?: string; findings: PlaintextFinding[] }[] {
  const groups = new Map<string, { file: string; target?: string; findings: PlaintextFinding[] }>();
  for (const finding of findings) {
    const group = groups.get(finding.file) ?? { file: finding.file, target: finding.target, findings: [] };
    group.findings.push(finding);
    groups.set(finding.file, group);
  }
  return [...groups.values()];
}

/**
 * The plain-text key scan screen: the folders to search, a running scan (progress, Cancel), what it found,
 * the changes the user picked, and what happened when they were made. With `credentialId`, every copy of
 * that one key.
 */
export class PlaintextState {
  report = $state<PlaintextReport>();
  folders = $state<ScanFolder[]>([]);
  progress = $state<PlaintextProgress>();
  /** Finding IDs picked for a change. */
  selected = $state<string[]>([]);
  /** The change picked per finding; the default one otherwise. */
  actions = $state<Record<string, FixAction>>({});
  busy = $state<'scanning' | 'fixing' | 'importing'>();
  confirming = $state(false);
  fixed = $state<FixReport['outcomes']>([]);
  /** Per finding: the outcome of importing its key. */
  imports = $state<Record<string, { saved?: string; failing?: { reason: string; error: ErrorInfo }; error?: ErrorInfo }>>({});
  error = $state<ErrorInfo>();
  /** The running scan or import: Cancel, and its error. */
  readonly operation = new OperationState();

  /** `leaked`: copies of a leaked key Keydesk replaced (by access key ID; fixes point at the replacement). */
  constructor(
    readonly credentialId?: string,
    readonly leaked?: { accessKeyId: string; endpoint?: string; replacedBy?: string },
  ) {}

  readonly findings = $derived(this.report?.findings ?? []);
  readonly fixable = $derived(this.findings.filter((f) => defaultAction(f)));
  readonly chosen = $derived(this.findings.filter((f) => this.selected.includes(f.id) && this.actionOf(f)));

  actionOf(finding: PlaintextFinding): FixAction | undefined {
    const picked = this.actions[finding.id];
    return picked && finding.fixes.some((f) => f.action === picked && f.available) ? picked : defaultAction(finding);
  }

  async loadFolders(): Promise<void> {
    try {
      this.folders = await api.plaintext.folders();
    } catch (error) {
      this.error = errorInfo(error);
    }
  }

  /** Desktop: a native dialog picks the folder; browser mode passes the typed path. Resolves to why it was refused, if it was. */
  async addFolder(path?: string): Promise<ErrorInfo | undefined> {
    try {
      this.folders = await api.plaintext.addFolder(path === undefined ? {} : { path });
      return undefined;
    } catch (error) {
      return errorInfo(error);
    }
  }

  async removeFolder(path: string): Promise<void> {
    this.folders = await api.plaintext.removeFolder({ path });
  }

  async scan(): Promise<void> {
    this.busy = 'scanning';
    this.error = undefined;
    this.fixed = [];
    this.imports = {};
    this.progress = undefined;
    const stop = api.on('plaintext:progress', (p) => {
      this.progress = p;
    });
    const key = this.leaked ?? (this.credentialId ? { credentialId: this.credentialId } : undefined);
    const report = await this.operation.run('Searching for plain-text keys…', (operationId) => api.plaintext.scan({ operationId, key }));
    stop();
    this.busy = undefined;
    if (report) this.show(report);
  }

  private show(report: PlaintextReport): void {
    this.report = report;
    const ids = new Set(report.findings.map((f) => f.id));
    this.selected = this.selected.filter((id) => ids.has(id));
  }

  toggle(id: string, on: boolean): void {
    this.selected = on ? [...new Set([...this.selected, id])] : this.selected.filter((s) => s !== id);
  }

  selectAllFixable(on: boolean): void {
    this.selected = on ? this.fixable.map((f) => f.id) : [];
  }

  choose(id: string, action: FixAction): void {
    this.actions = { ...this.actions, [id]: action };
  }

  /** Makes the confirmed changes; each file succeeds or fails on its own. */
  async fix(): Promise<void> {
    const fixes = this.chosen.map((f) => ({ findingId: f.id, action: this.actionOf(f)! }));
    this.confirming = false;
    if (!fixes.length) return;
    this.busy = 'fixing';
    this.error = undefined;
    try {
      const { outcomes, report } = await api.plaintext.fix({ fixes });
      this.fixed = outcomes;
      this.show(report);
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.busy = undefined;
    }
  }

  /** Imports a finding's key: tested first, saved if it works (or regardless, with `anyway`). */
  async importKey(finding: PlaintextFinding, anyway = false): Promise<void> {
    this.busy = 'importing';
    const result: ImportReport | undefined = await this.operation.run('Testing the key before saving it…', (operationId) =>
      api.plaintext.import({ findingIds: [finding.id], saveAnyway: anyway ? [finding.id] : undefined, operationId }),
    );
    this.busy = undefined;
    if (!result) return;
    const saved = result.result.imported[0] ?? result.result.skipped[0]?.existing;
    this.imports = {
      ...this.imports,
      [finding.id]: { saved: saved?.label, failing: result.result.failing[0], error: result.result.failed[0]?.error },
    };
    this.show(result.report);
  }
}
