import type { ErrorInfo } from '../../../src-main/ipc/contract';
import { MAX_DELETE_KEYS } from '../../../src-main/ipc/shared';
import { api, errorInfo } from '../lib/api';
import { copyText } from '../lib/clipboard';
import { plural } from '../lib/format';
import { keyOf, type ObjectBrowserState, type Row } from './object-browser.svelte';
import type { FolderNotices } from './notices.svelte';
import type { OperationState } from './operation.svelte';

/** The dialogs of the object browser's own actions (the bucket tools have theirs in BucketToolsState). */
export type ObjectDialog =
  | { name: 'path'; purpose: 'upload-files' | 'upload-folder' | 'download' }
  | { name: 'new-folder' }
  | { name: 'move'; row: Row }
  | { name: 'delete'; rows: Row[]; count?: { count: number; bytes: number }; countError?: ErrorInfo }
  | { name: 'share'; key: string }
  | { name: 'delete-bucket'; refused?: ErrorInfo }
  | { name: 'empty-bucket' };

/**
 * What the toolbar, the context menu and the keyboard do to objects and the bucket: uploads, downloads,
 * new folder, rename/move, delete, copy, and deleting or emptying the bucket. Each is one method, so every
 * way in calls the same thing; outcomes go to the folder's notices.
 */
export class ObjectActionsState {
  // Raw: askDelete compares the rows it opened with by identity.
  dialog = $state.raw<ObjectDialog>();
  dialogError = $state<ErrorInfo>();
  busy = $state(false);
  replaceExisting = $state(false);
  /** One object (version) to download, from the preview; otherwise the selection is downloaded. */
  private downloadOnly: { key: string; versionId?: string } | undefined;

  constructor(
    readonly credentialId: string,
    readonly bucket: string,
    /** The desktop app has native pickers; browser mode asks for typed paths. */
    private readonly desktop: boolean,
    private readonly browser: ObjectBrowserState,
    private readonly operation: OperationState,
    private readonly notices: FolderNotices,
    private readonly ondeleted: () => void,
  ) {}

  private say(text: string, where = this.browser.prefix): void {
    this.notices.say(text, where);
  }

  private async attempt(work: () => Promise<unknown>): Promise<void> {
    const where = this.browser.prefix;
    try {
      await work();
    } catch (e) {
      this.notices.fail(errorInfo(e), where);
    }
  }

  closeDialog(): void {
    this.dialog = undefined;
    this.dialogError = undefined;
    this.busy = false;
  }

  // --- transfers ---------------------------------------------------------------------------------

  async startUpload(kind: 'files' | 'folder'): Promise<void> {
    if (!this.desktop) {
      this.dialog = { name: 'path', purpose: kind === 'files' ? 'upload-files' : 'upload-folder' };
      return;
    }
    await this.attempt(async () => {
      const paths = kind === 'files' ? await api.dialogs.openFiles() : [await api.dialogs.openFolder()].filter((p) => p !== null);
      if (paths.length > 0) await this.upload(kind === 'files' ? { files: paths, folders: [] } : { files: [], folders: paths });
    });
  }

  async upload(paths: { files: string[]; folders: string[] }): Promise<void> {
    const prefix = this.browser.prefix;
    const target = { credentialId: this.credentialId, bucket: this.bucket, prefix, conflict: 'ask' as const };
    let count = paths.files.length > 0 ? await api.transfers.uploadFiles({ ...target, paths: paths.files }) : 0;
    for (const path of paths.folders) count += await api.transfers.uploadFolder({ ...target, path });
    this.say(`${plural(count, 'file')} queued for upload to ${this.bucket}/${prefix}.`, prefix);
  }

  async dropped(files: File[]): Promise<void> {
    await this.attempt(async () => this.upload(await api.dialogs.dropped(files)));
  }

  async startDownload(): Promise<void> {
    if (!this.desktop) {
      this.dialog = { name: 'path', purpose: 'download' };
      return;
    }
    await this.attempt(async () => {
      const dir = await api.dialogs.chooseDirectory();
      if (dir) await this.download(dir);
    });
  }

  /** One object (version), from the preview. */
  async downloadOne(key: string, versionId?: string): Promise<void> {
    this.downloadOnly = { key, versionId };
    await this.startDownload();
  }

  private async download(targetDir: string): Promise<void> {
    const only = this.downloadOnly;
    this.downloadOnly = undefined;
    const selection = this.browser.selection;
    const rows = only ? [] : selection.filter((r) => r.kind === 'file' && !r.deleteMarker);
    const folders = only ? [] : selection.filter((r) => r.kind === 'folder').map((r) => r.id);
    const where = { credentialId: this.credentialId, bucket: this.bucket, targetDir, conflict: 'ask' as const };
    let count = 0;
    if (only) count += await api.transfers.download({ ...where, files: [only], folders: [] });
    for (let i = 0; !only && (i === 0 || i < rows.length); i += 2000) {
      const chunk = rows.slice(i, i + 2000).map((r) => ({ key: keyOf(r), size: r.size, etag: r.etag, versionId: r.versionId }));
      count += await api.transfers.download({ ...where, files: chunk, folders: i === 0 ? folders : [] });
    }
    this.say(`${plural(count, 'file')} queued for download to ${targetDir}.`);
  }

  async pathChosen(purpose: 'upload-files' | 'upload-folder' | 'download', paths: string[]): Promise<void> {
    this.closeDialog();
    await this.attempt(() => (purpose === 'download' ? this.download(paths[0]) : this.upload(purpose === 'upload-files' ? { files: paths, folders: [] } : { files: [], folders: paths })));
  }

  // --- objects -----------------------------------------------------------------------------------

  askNewFolder(): void {
    this.dialog = { name: 'new-folder' };
  }

  async newFolder(name: string): Promise<void> {
    this.busy = true;
    try {
      const prefix = await api.objects.newFolder({ credentialId: this.credentialId, bucket: this.bucket, prefix: this.browser.prefix, name });
      this.closeDialog();
      this.say(`Created folder ${prefix}.`);
      await this.browser.refresh();
    } catch (e) {
      this.dialogError = errorInfo(e);
      this.busy = false;
    }
  }

  askRename(row: Row): void {
    this.replaceExisting = false;
    this.dialog = { name: 'move', row };
  }

  async move(row: Row, target: string): Promise<void> {
    const to = row.kind === 'folder' && !target.endsWith('/') ? `${target}/` : target;
    if (to === row.id) return this.closeDialog();
    const overwrite = this.replaceExisting || undefined;
    this.closeDialog();
    const where = this.browser.prefix;
    const moved = await this.operation.run(row.kind === 'folder' ? `Moving ${row.name}/:` : `Renaming ${row.name}`, (operationId) =>
      api.objects.move({ credentialId: this.credentialId, bucket: this.bucket, from: row.id, to, overwrite, operationId }),
    );
    if (moved !== undefined) this.say(`Moved ${row.id} to ${to}${row.kind === 'folder' ? ` (${plural(moved, 'object')})` : ''}.`, where);
    await this.browser.refresh();
  }

  async askDelete(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const folders = rows.filter((r) => r.kind === 'folder').map((r) => r.id);
    this.dialog = { name: 'delete', rows };
    if (folders.length === 0) return;
    const current = () => this.dialog?.name === 'delete' && this.dialog.rows === rows;
    try {
      const count = await api.objects.count({ credentialId: this.credentialId, bucket: this.bucket, folders });
      if (current()) this.dialog = { ...(this.dialog as ObjectDialog & { name: 'delete' }), count };
    } catch (e) {
      if (current()) this.dialog = { ...(this.dialog as ObjectDialog & { name: 'delete' }), countError: errorInfo(e) };
    }
  }

  async remove(rows: Row[]): Promise<void> {
    this.closeDialog();
    const keys = rows.filter((r) => r.kind === 'file').map((r) => r.id);
    const folders = rows.filter((r) => r.kind === 'folder').map((r) => r.id);
    const where = this.browser.prefix;
    const deleted = await this.operation.run('Deleting objects:', async (operationId) => {
      let total = 0;
      for (let i = 0; i === 0 || i < keys.length; i += MAX_DELETE_KEYS) {
        total += await api.objects.delete({ credentialId: this.credentialId, bucket: this.bucket, keys: keys.slice(i, i + MAX_DELETE_KEYS), folders: i === 0 ? folders : [], operationId });
      }
      return total;
    });
    if (deleted !== undefined) this.say(`Deleted ${plural(deleted, 'object')}.`, where);
    await this.browser.refresh();
  }

  askShare(row: Row): void {
    this.dialog = { name: 'share', key: row.id };
  }

  /** S3 URIs (s3://bucket/key) or plain keys of the rows, one a line. */
  async copy(rows: Row[], what: 'uri' | 'key'): Promise<void> {
    const lines = rows.map((r) => (what === 'uri' ? `s3://${this.bucket}/${keyOf(r)}` : keyOf(r)));
    await this.attempt(async () => {
      await copyText(lines.join('\n'));
      const noun = what === 'uri' ? 'S3 URI' : 'key';
      this.say(lines.length === 1 ? `Copied ${lines[0]}` : `Copied ${plural(lines.length, noun)}.`);
    });
  }

  // --- bucket ------------------------------------------------------------------------------------

  askDeleteBucket(): void {
    this.dialog = { name: 'delete-bucket' };
  }

  askEmptyBucket(): void {
    this.dialog = { name: 'empty-bucket' };
  }

  async deleteBucket(): Promise<void> {
    this.busy = true;
    try {
      await api.buckets.delete({ credentialId: this.credentialId, name: this.bucket });
      this.closeDialog();
      this.ondeleted();
    } catch (e) {
      const info = errorInfo(e);
      this.busy = false;
      if (info.code === 'CONFLICT') this.dialog = { name: 'delete-bucket', refused: info };
      else this.dialogError = info;
    }
  }

  async emptyBucket(): Promise<void> {
    this.closeDialog();
    const where = this.browser.prefix;
    const deleted = await this.operation.run(`Emptying ${this.bucket}:`, (operationId) => api.buckets.empty({ credentialId: this.credentialId, name: this.bucket, operationId }));
    await this.browser.refresh();
    if (deleted === undefined) return;
    this.say(`Emptied ${this.bucket}: ${plural(deleted, 'object')} deleted.`, where);
    this.dialog = { name: 'delete-bucket' };
  }
}
