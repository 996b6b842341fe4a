import type { MenuItemConstructorOptions } from 'electron';
import { describeAge, keyAge } from '../core/rotation/policy';
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

export interface TrayModel {
  groups: TrayGroup[];
  dueCount: number;
  failingCount: number;
}

export interface TrayAccount extends Pick<AccountRecord, 'id' | 'label'> {
  canRotate: boolean;
}

export interface TrayActions {
  show(): void;
  quit(): void;
  rotate(credentialId: string): void;
  copyAccessKeyId(credentialId: string): void;
  browse(credentialId: string): void;
}

export function trayModel(
  credentials: CredentialRecord[],
  accounts: TrayAccount[],
  rotating: (credentialId: string) => boolean,
  now = new Date(),
  failing: (credentialId: string) => string | undefined = () => undefined,
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
  return { groups, dueCount: count((k) => k.due), failingCount: count((k) => !!k.failing) };
}

export function trayTooltip(model: TrayModel): string {
  const keys = (n: number) => `${n} key${n === 1 ? '' : 's'}`;
  const parts = [model.failingCount ? `${keys(model.failingCount)} failing` : '', model.dueCount ? `${keys(model.dueCount)} due for rotation` : ''].filter(Boolean);
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
            label: key.rotating ? 'Rotating…' : 'Rotate now',
            enabled: key.rotatable && !key.rotating,
            toolTip: key.rotatable ? undefined : 'Not linked to a provider account that can create keys',
            click: () => actions.rotate(key.credentialId),
          },
          { label: 'Copy access key ID', click: () => actions.copyAccessKeyId(key.credentialId) },
          { label: 'Browse Buckets', click: () => actions.browse(key.credentialId) },
        ],
      });
    }
    items.push({ type: 'separator' });
  }
  items.push({ label: 'Show Keydesk', click: actions.show }, { type: 'separator' }, { label: 'Quit', click: actions.quit });
  return items;
}
