import { describe, expect, it, vi } from 'vitest';
import { dueRotations } from '../../src-main/core/rotation/policy';
import type { CredentialRecord } from '../../src-main/core/vault/metadata-store';
import type { MenuItemConstructorOptions } from 'electron';
import type { PendingSummary } from '../../src-main/core/rotation/revocations';
import { trayMenuTemplate, trayModel, trayTooltip, type TrayActions } from '../../src-main/shell/tray-menu';

const now = new Date('2025-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

function credential(id: string, change: Partial<CredentialRecord>): CredentialRecord {
  return {
    id,
    label: id,
    endpoint: 'https://s3.example.com',
    region: 'us-east-1',
    accessKeyId: `AK-${id}`,
    forcePathStyle: true,
    checksums: 'when-required',
    createdAt: daysAgo(3),
    rotationMaxAgeDays: 90,
    transfer: { partSizeMiB: 16, concurrency: 8 },
    ...change,
  };
}

const credentials = [
  credential('prod', { accountId: 'acc-rgw', createdAt: daysAgo(200), rotatedAt: daysAgo(120) }),
  credential('backup', { accountId: 'acc-rgw', rotatedAt: daysAgo(12) }),
  credential('manual', { accountId: 'acc-manual', createdAt: daysAgo(31), rotationMaxAgeDays: 30 }),
  credential('loose', { createdAt: daysAgo(0) }),
];
const accounts = [
  { id: 'acc-rgw', label: 'Ceph (prod)', canRotate: true },
  { id: 'acc-manual', label: 'Manual keys', canRotate: false },
];

const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

function pending(id: string, change: Partial<PendingSummary>): PendingSummary {
  return {
    id,
    label: 'prod',
    credentialId: 'prod',
    credentialIds: ['prod'],
    accountId: 'acc-rgw',
    scope: {},
    retiring: { keyId: `OLD-${id}`, accessKeyId: `OLD-${id}` },
    keeping: { keyId: 'AK-prod', accessKeyId: 'AK-prod' },
    state: 'active',
    then: 'delete',
    days: 7,
    switchedAt: inDays(-1),
    dueAt: inDays(6),
    previousRotatedAt: {},
    createdAt: inDays(-1),
    providerName: 'Ceph RGW',
    accountMissing: false,
    reportsLastUsed: false,
    revokeAction: 'delete',
    canExtend: true,
    canRestore: true,
    ...change,
  };
}

/** The menu as indented text, disabled entries in brackets: what a person sees when opening the tray. */
function menuText(items: MenuItemConstructorOptions[], depth = 0): string {
  return items
    .map((item) => {
      const text = item.type === 'separator' ? '────' : item.enabled === false ? `[${item.label}]` : item.label;
      const line = `${'  '.repeat(depth)}${text}`;
      return Array.isArray(item.submenu) ? `${line}\n${menuText(item.submenu, depth + 1)}` : line;
    })
    .join('\n');
}

function actions(): TrayActions & Record<string, ReturnType<typeof vi.fn>> {
  return { show: vi.fn(), quit: vi.fn(), rotate: vi.fn(), reportLeaked: vi.fn(), copyAccessKeyId: vi.fn(), browse: vi.fn(), revokeNow: vi.fn(), restore: vi.fn(), extend: vi.fn() };
}

describe('tray menu (pure)', () => {
  it('lists accounts with their keys and ages, then Show Keydesk and Quit', () => {
    const model = trayModel(credentials, accounts, (id) => id === 'backup', now);
    const template = trayMenuTemplate(model, actions());
    expect(template.map((item) => item.label ?? item.type)).toEqual([
      'Ceph (prod)',
      'prod — rotated 120 days ago (rotation due)',
      'backup — rotating…',
      'separator',
      'Manual keys',
      'manual — added 31 days ago (rotation due)',
      'separator',
      'Other keys',
      'loose — added today',
      'separator',
      'Show Keydesk',
      'separator',
      'Quit',
    ]);
    expect(template[0].enabled).toBe(false);
    expect(model.dueCount).toBe(2);
    expect(trayTooltip(model)).toBe('Keydesk — 2 keys due for rotation');
  });

  it('offers Rotate now only for keys an account can rotate and that are not rotating already', () => {
    const model = trayModel(credentials, accounts, (id) => id === 'backup', now);
    const submenu = (label: string) => trayMenuTemplate(model, actions()).find((i) => i.label?.startsWith(label))!.submenu as { label: string; enabled?: boolean }[];
    expect(submenu('prod').map((i) => [i.label, i.enabled ?? true])).toEqual([
      ['Rotate now…', true],
      ['Report leaked…', true],
      ['Copy access key ID', true],
      ['Browse Buckets', true],
    ]);
    expect(submenu('backup')[0]).toMatchObject({ label: 'Rotating…', enabled: false });
    expect(submenu('manual')[0]).toMatchObject({ label: 'Rotate now…', enabled: false });
    expect(submenu('loose')[0]).toMatchObject({ enabled: false });
    // A leak can always be reported: without an account Keydesk says what to do by hand and finds the copies.
    expect(submenu('manual')[1]).toMatchObject({ label: 'Report leaked…', enabled: true });
    expect(submenu('backup')[1]).toMatchObject({ label: 'Report leaked…', enabled: false });
  });

  it('routes clicks to the key they belong to', () => {
    const spy = actions();
    const template = trayMenuTemplate(trayModel(credentials, accounts, () => false, now), spy);
    const items = template.find((i) => i.label?.startsWith('prod'))!.submenu as { click: () => void }[];
    for (const item of items) item.click();
    expect(spy.rotate).toHaveBeenCalledWith('prod');
    expect(spy.reportLeaked).toHaveBeenCalledWith('prod');
    expect(spy.copyAccessKeyId).toHaveBeenCalledWith('prod');
    expect(spy.browse).toHaveBeenCalledWith('prod');
    (template.at(-1) as { click: () => void }).click();
    expect(spy.quit).toHaveBeenCalled();
  });

  it('shows only Show Keydesk and Quit without saved keys, and a plain tooltip without due keys', () => {
    const model = trayModel([], accounts, () => false, now);
    expect(trayMenuTemplate(model, actions()).map((i) => i.label).filter(Boolean)).toEqual(['Show Keydesk', 'Quit']);
    expect(trayTooltip(model)).toBe('Keydesk');
    expect(trayTooltip(trayModel([credentials[0]], accounts, () => false, now))).toBe('Keydesk — 1 key due for rotation');
  });

  it('marks keys whose health check fails, with the reason, and counts them in the tooltip', () => {
    const failing = (id: string) => (id === 'loose' ? 'revoked or unknown key' : undefined);
    const model = trayModel(credentials, accounts, () => false, now, failing);
    expect(trayMenuTemplate(model, actions()).map((i) => i.label)).toContain('loose — added today — failing: revoked or unknown key');
    expect(model.failingCount).toBe(1);
    expect(trayTooltip(model)).toBe('Keydesk — 1 key failing, 2 keys due for rotation');
    expect(trayTooltip(trayModel([credentials[3]], accounts, () => false, now, failing))).toBe('Keydesk — 1 key failing');
  });

  it('lists due keys most overdue first, by each key\'s own policy', () => {
    expect(dueRotations(credentials, now).map((d) => [d.credentialId, d.age.dueInDays])).toEqual([
      ['prod', -30],
      ['manual', -1],
    ]);
  });

  it('lists old keys waiting to be revoked, flags those that need a decision, and never rotates or revokes from the menu itself', () => {
    const olds = [
      pending('grace', { dueAt: inDays(6) }),
      pending('ecs', { label: 'backup', credentialIds: ['backup'], providerEnforced: true, canExtend: false, canRestore: false, dueAt: inDays(1) }),
      pending('off', { label: 'backup', credentialIds: ['backup'], state: 'deactivated', dueAt: inDays(3) }),
      pending('used', { usedAfterSwitch: { lastUsedAt: inDays(-0.5), checkedAt: inDays(0) }, dueAt: inDays(-1) }),
      pending('gone', { accountMissing: true, canExtend: false, canRestore: false }),
    ];
    const model = trayModel(credentials.slice(0, 2), accounts, () => false, now, undefined, olds);
    expect(menuText(trayMenuTemplate(model, actions()))).toBe(
      [
        '[Ceph (prod)]',
        'prod — rotated 120 days ago (rotation due)',
        '  Rotate now…',
        '  Report leaked…',
        '  Copy access key ID',
        '  Browse Buckets',
        'backup — rotated 12 days ago',
        '  Rotate now…',
        '  Report leaked…',
        '  Copy access key ID',
        '  Browse Buckets',
        '────',
        '[Old keys waiting to be revoked]',
        'prod: OLD-grace — deleted in 6 days',
        '  Revoke now…',
        '  Extend by 7 days',
        '  Restore old key…',
        'backup: OLD-ecs — ends tomorrow',
        '  Revoke now…',
        '  [Extend by 7 days]',
        '  [Restore old key…]',
        'backup: OLD-off — deactivated, deleted in 3 days',
        '  Revoke now…',
        '  Extend by 7 days',
        '  Restore old key…',
        '⚠ prod: OLD-used — used after the switch — not revoked',
        '  Revoke now…',
        '  Extend by 7 days',
        '  Restore old key…',
        '⚠ prod: OLD-gone — account removed — delete it at the provider',
        '  Revoke now…',
        '  [Extend by 7 days]',
        '  [Restore old key…]',
        '────',
        'Show Keydesk',
        '────',
        'Quit',
      ].join('\n'),
    );
    expect(model.attentionCount).toBe(2);
    expect(trayTooltip(model)).toBe('Keydesk — 1 key due for rotation, 2 old keys need attention');
  });

  it('routes Rotate now…, Report leaked…, Revoke now… and Restore old key… to the window, and Extend to the scheduler', () => {
    const spy = actions();
    const template = trayMenuTemplate(trayModel(credentials, accounts, () => false, now, undefined, [pending('p1', {})]), spy);
    const click = (parent: string, label: string) => ((template.find((i) => i.label?.startsWith(parent))!.submenu as MenuItemConstructorOptions[]).find((i) => i.label === label)!.click as () => void)();
    click('prod —', 'Rotate now…');
    click('prod —', 'Report leaked…');
    click('prod: OLD-p1', 'Revoke now…');
    click('prod: OLD-p1', 'Extend by 7 days');
    click('prod: OLD-p1', 'Restore old key…');
    expect(spy.rotate).toHaveBeenCalledWith('prod');
    expect(spy.reportLeaked).toHaveBeenCalledWith('prod');
    expect(spy.revokeNow).toHaveBeenCalledWith('p1');
    expect(spy.extend).toHaveBeenCalledWith('p1', 7);
    expect(spy.restore).toHaveBeenCalledWith('p1');
  });
});
