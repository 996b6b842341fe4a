import type { Setting, VersioningStatus } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { keyOf, type Row } from './object-browser.svelte';
import type { FolderNotices } from './notices.svelte';
import type { OperationState } from './operation.svelte';

/** The dialogs of the bucket tools (settings, properties, preview, sizes, ACLs, versions). */
export type ToolDialog =
  | { name: 'settings' }
  | { name: 'properties'; keys: string[] }
  | { name: 'preview'; key: string; versionId?: string }
  | { name: 'size'; prefixes: string[]; label: string }
  | { name: 'acl'; key?: string; versionId?: string }
  | { name: 'delete-version'; key: string; versionId: string; deleteMarker: boolean }
  | { name: 'delete-all-versions'; keys: string[]; folders: string[] };

/**
 * One bucket's tools beyond the listing. Every action is a method taking rows, so the toolbar, the
 * details panel and a context menu can all call the same thing.
 */
export class BucketToolsState {
  dialog = $state.raw<ToolDialog>();
  versioning = $state<Setting<VersioningStatus>>();

  constructor(
    readonly credentialId: string,
    readonly bucket: string,
    private readonly operation: OperationState,
    private readonly refresh: () => Promise<void>,
    private readonly notices: FolderNotices,
    /** The folder shown, which outcomes are about. */
    private readonly folder: () => string,
  ) {}

  /** An outcome worth a line in the folder it happened in. */
  say(text: string): void {
    this.notices.say(text, this.folder());
  }

  /** Whether the bucket keeps versions: decides "Show versions" and what a delete says. */
  get versioned(): boolean {
    return this.versioning?.state === 'ok' && this.versioning.value !== 'Off';
  }

  async loadVersioning(): Promise<void> {
    try {
      this.versioning = await api.settings.versioning({ credentialId: this.credentialId, bucket: this.bucket });
    } catch (error) {
      this.versioning = { state: 'error', error: errorInfo(error) };
    }
  }

  close(): void {
    this.dialog = undefined;
  }

  openSettings(): void {
    this.dialog = { name: 'settings' };
  }

  openProperties(rows: Row[]): void {
    const keys = rows.filter((r) => r.kind === 'file' && !r.deleteMarker).map(keyOf);
    if (keys.length > 0) this.dialog = { name: 'properties', keys };
  }

  openPreview(row: Row): void {
    if (row.kind === 'file' && !row.deleteMarker) this.dialog = { name: 'preview', key: keyOf(row), versionId: row.versionId };
  }

  /** Sizes of folders, or of the whole bucket without rows. */
  openSize(rows: Row[] = []): void {
    const folders = rows.filter((r) => r.kind === 'folder');
    this.dialog = folders.length === 0 ? { name: 'size', prefixes: [''], label: `bucket ${this.bucket}` } : { name: 'size', prefixes: folders.map((r) => r.id), label: folders.length === 1 ? folders[0].id : `${folders.length} folders` };
  }

  /** The ACL of an object (version), or of the bucket without a row. */
  openAcl(row?: Row): void {
    this.dialog = row ? { name: 'acl', key: keyOf(row), versionId: row.versionId } : { name: 'acl' };
  }

  askDeleteVersion(row: Row): void {
    if (row.versionId) this.dialog = { name: 'delete-version', key: keyOf(row), versionId: row.versionId, deleteMarker: !!row.deleteMarker };
  }

  askDeleteAllVersions(rows: Row[]): void {
    this.dialog = { name: 'delete-all-versions', keys: rows.filter((r) => r.kind === 'file').map(keyOf), folders: rows.filter((r) => r.kind === 'folder').map((r) => r.id) };
  }

  async deleteVersion(key: string, versionId: string): Promise<void> {
    this.close();
    await this.attempt(async () => {
      await api.versions.delete({ credentialId: this.credentialId, bucket: this.bucket, key, versionId });
      this.say(`Deleted version ${versionId} of ${key} for good.`);
    });
    await this.refresh();
  }

  async deleteAllVersions(keys: string[], folders: string[]): Promise<void> {
    this.close();
    const deleted = await this.operation.run('Deleting every version:', (operationId) =>
      api.versions.deleteAll({ credentialId: this.credentialId, bucket: this.bucket, keys, folders, operationId }),
    );
    if (deleted !== undefined) this.say(`Deleted ${deleted.toLocaleString()} versions and delete markers for good.`);
    await this.refresh();
  }

  async restoreVersion(row: Row): Promise<void> {
    if (!row.versionId || row.deleteMarker) return;
    const key = keyOf(row);
    const restored = await this.operation.run(`Restoring ${row.name}`, async (operationId) => {
      await api.versions.restore({ credentialId: this.credentialId, bucket: this.bucket, key, versionId: row.versionId as string, operationId });
      return true;
    });
    if (restored) this.say(`Restored the version from ${row.lastModified ? new Date(row.lastModified).toLocaleString() : row.versionId} as the latest ${key}.`);
    await this.refresh();
  }

  async setVersioning(status: 'Enabled' | 'Suspended'): Promise<void> {
    await api.settings.setVersioning({ credentialId: this.credentialId, bucket: this.bucket, status });
    await this.loadVersioning();
  }

  private async attempt(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.notices.fail(errorInfo(error), this.folder());
    }
  }
}
