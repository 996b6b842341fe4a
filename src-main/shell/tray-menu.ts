import type { MenuItemConstructorOptions } from 'electron';
import { describeAge, keyAge } from '../core/rotation/policy';
import type { PendingSummary } from '../core/rotation/revocations';
import type { AccountRecord, CredentialRecord } from '../core/vault/metadata-store';

/**
 * The tray menu as plain data and a pure template builder, so everything the user sees in the tray is
 * unit-testable without Electron; tray.ts only turns it into a native menu.
 */

export interface TrayKey {
  credentialId: string;
  label: string;
  accessKeyId: string;
  /** "rotated 12 days ago" / "added 3 days ago" */
  age: string;
  due: boolean;
  /** Linked to a provider account that can rotate keys. */
  rotatable: boolean;
  rotating: boolean;
  /** Why its last health check failed ("revoked or unknown key"), while it fails. */
  failing?: string;
}

export interface TrayGroup {
  label: string;
  keys: TrayKey[];
}

/** An old key still alive after a rotation. */
export interface TrayPending {
  id: string;
  label: string;
  accessKeyId: string;
  /** "deleted in 6 days", "deactivated, deleted in 3 days", "used after the switch — not revoked" */
  status: string;
  /** Refused, failing or orphaned: the user must decide. */
  attention: boolean;
  canExtend: boolean;
  canRestore: boolean;
}

export interface TrayModel {
  groups: TrayGroup[];
  dueCount: number;
  failingCount: number;
  pending: TrayPending[];
  attentionCount: number;
}

export interface TrayAccount extends Pick<AccountRecord, 'id' | 'label'> {
  canRotate: boolean;
}

export interface TrayActions {
  show(): void;
  quit(): void;
  /** Opens the rotation dialog in the window: nothing rotates from the tray without it. */
  rotate(credentialId: string): void;
  /** Opens "Report leaked…" for this key in the window: nothing is stopped from the tray without its confirmation. */
  reportLeaked(credentialId: string): void;
  copyAccessKeyId(credentialId: string): void;
  browse(credentialId: string): void;
  /** Opens the window at the confirmation for revoking / restoring this old key. */
  revokeNow(revocationId: string): void;
  restore(revocationId: string): void;
  extend(revocationId: string, days: number): void;
}

/** What the tray's "Extend" adds. */
export const TRAY_EXTEND_DAYS = 7;

export function trayModel(
  credentials: CredentialRecord[],
  accounts: TrayAccount[],
  rotating: (credentialId: string) => boolean,
  now = new Date(),
  failing: (credentialId: string) => string | undefined = () => undefined,
  pending: PendingSummary[] = [],
): TrayModel {
  const toKey = (record: CredentialRecord, account?: TrayAccount): TrayKey => {
    const age = keyAge(record, now);
    return {
      credentialId: record.id,
      label: record.label,
      accessKeyId: record.accessKeyId,
      age: describeAge(age),
      due: age.due,
      rotatable: !!account?.canRotate,
      rotating: rotating(record.id),
      failing: failing(record.id),
    };
  };
  const groups: TrayGroup[] = accounts
    .map((account) => ({ label: account.label, keys: credentials.filter((c) => c.accountId === account.id).map((c) => toKey(c, account)) }))
    .filter((group) => group.keys.length > 0);
  const known = new Set(accounts.map((a) => a.id));
  const other = credentials.filter((c) => !c.accountId || !known.has(c.accountId)).map((c) => toKey(c));
  if (other.length) groups.push({ label: groups.length ? 'Other keys' : 'Saved keys', keys: other });
  const count = (test: (key: TrayKey) => boolean) => groups.reduce((sum, g) => sum + g.keys.filter(test).length, 0);
  const olds = pending.map((p) => trayPending(p, now));
  return { groups, dueCount: count((k) => k.due), failingCount: count((k) => !!k.failing), pending: olds, attentionCount: olds.filter((p) => p.attention).length };
}

function trayPending(entry: PendingSummary, now: Date): TrayPending {
  const when = inDays(entry.dueAt, now);
  const next = entry.state === 'deactivated' ? `deactivated, deleted ${when}` : entry.providerEnforced ? `ends ${when}` : `${entry.then === 'deactivate' ? 'deactivated' : 'deleted'} ${when}`;
  const status = entry.accountMissing
    ? 'account removed — delete it at the provider'
    : entry.usedAfterSwitch
      ? 'used after the switch — not revoked'
      : entry.restoring
        ? 'restore unfinished'
        : entry.lastError
          ? `revoke failed, retrying — ${next}`
          : next;
  return {
    id: entry.id,
    label: entry.label,
    accessKeyId: entry.retiring.accessKeyId,
    status,
    attention: entry.accountMissing || !!entry.usedAfterSwitch || !!entry.lastError || !!entry.restoring,
    canExtend: entry.canExtend,
    canRestore: entry.canRestore,
  };
}

/** "in 6 days", "tomorrow", "today" (also when overdue: it runs as soon as it can). */
function inDays(iso: string, now: Date): string {
  const days = Math.ceil((Date.parse(iso) - now.getTime()) / 86_400_000);
  return days <= 0 ? 'today' : days === 1 ? 'tomorrow' : `in ${days} days`;
}

export function trayTooltip(model: TrayModel): string {
  const keys = (n: number) => `${n} key${n === 1 ? '' : 's'}`;
  const parts = [
    model.failingCount ? `${keys(model.failingCount)} failing` : '',
    model.dueCount ? `${keys(model.dueCount)} due for rotation` : '',
    model.attentionCount ? `${model.attentionCount} old key${model.attentionCount === 1 ? ' needs' : 's need'} attention` : '',
  ].filter(Boolean);
  return parts.length ? `Keydesk — ${parts.join(', ')}` : 'Keydesk';
}

export function trayMenuTemplate(model: TrayModel, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  for (const group of model.groups) {
    items.push({ label: group.label, enabled: false });
    for (const key of group.keys) {
      items.push({
        label: `${key.label} — ${key.rotating ? 'rotating…' : key.age}${key.due && !key.rotating ? ' (rotation due)' : ''}${key.failing ? ` — failing: ${key.failing}` : ''}`,
        submenu: [
          {
            label: key.rotating ? 'Rotating…' : 'Rotate now…',
            enabled: key.rotatable && !key.rotating,
            toolTip: key.rotatable ? undefined : 'Not linked to a provider account that can create keys',
            click: () => actions.rotate(key.credentialId),
          },
          { label: 'Report leaked…', enabled: !key.rotating, click: () => actions.reportLeaked(key.credentialId) },
          { label: 'Copy access key ID', click: () => actions.copyAccessKeyId(key.credentialId) },
          { label: 'Browse Buckets', click: () => actions.browse(key.credentialId) },
        ],
      });
    }
    items.push({ type: 'separator' });
  }
  if (model.pending.length) {
    items.push({ label: 'Old keys waiting to be revoked', enabled: false });
    for (const old of model.pending) {
      items.push({
        label: `${old.attention ? '⚠ ' : ''}${old.label}: ${old.accessKeyId} — ${old.status}`,
        submenu: [
          { label: 'Revoke now…', click: () => actions.revokeNow(old.id) },
          { label: `Extend by ${TRAY_EXTEND_DAYS} days`, enabled: old.canExtend, click: () => actions.extend(old.id, TRAY_EXTEND_DAYS) },
          { label: 'Restore old key…', enabled: old.canRestore, click: () => actions.restore(old.id) },
        ],
      });
    }
    items.push({ type: 'separator' });
  }
  items.push({ label: 'Show Keydesk', click: actions.show }, { type: 'separator' }, { label: 'Quit', click: actions.quit });
  return items;
}
