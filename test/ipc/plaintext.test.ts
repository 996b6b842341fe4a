import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PathGrants } from '../../src-main/core/path-grants';
import { PlaintextFinder } from '../../src-main/core/plaintext/finder';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../src-main/core/vault/metadata-store';
import type { AppContext, LocalDialogs } from '../../src-main/ipc/app-context';
import type { Handlers } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { EventBus } from '../../src-main/ipc/events';
import { plaintextHandlers } from '../../src-main/ipc/handlers/plaintext';
import { OperationRegistry } from '../../src-main/ipc/operations';
import { MemorySecrets } from '../helpers/memory-secrets';
import { ENDPOINT, HELD, plantHome, type PlantedHome } from '../core/plaintext/planted-home';

const OP = '2d8b3a9e-6f0c-4b8e-9c1d-7e6f5a4b3c2d';

let planted: PlantedHome;
beforeEach(async () => {
  planted = await plantHome();
});

async function setup(mode: AppContext['mode']) {
  const metadata = new MetadataStore({ store: {} });
  const vault = new CredentialVault(metadata, new MemorySecrets());
  const saved = await vault.save({ label: 'Ceph main', endpoint: ENDPOINT, region: 'us-east-1', accessKeyId: HELD.accessKeyId, secretAccessKey: HELD.secretAccessKey });
  const events = new EventBus();
  const seen: unknown[] = [];
  events.subscribe((event, payload) => seen.push({ event, payload }));
  const pathGrants = new PathGrants();
  const picked = { folder: undefined as string | undefined };
  const dialogs: LocalDialogs = { openFiles: async () => [], openFolder: async () => picked.folder, chooseDirectory: async () => undefined };
  const plaintext = new PlaintextFinder({
    vault,
    cliCommand: 'keydesk',
    backupsDir: join(planted.home, '..', 'backups'),
    scope: () => ({ home: planted.home, env: {}, folders: metadata.plaintextFolders().filter((f) => mode === 'desktop' || pathGrants.allows(f, 'read')) }),
  });
  const ctx = { mode, metadata, vault, events, operations: new OperationRegistry(events), health: { record: () => {} }, pathGrants, dialogs: mode === 'desktop' ? dialogs : undefined, plaintext } as unknown as AppContext;
  const handlers = plaintextHandlers(ctx) as Handlers;
  return { saved, seen, picked, pathGrants, metadata, call: (channel: string, payload?: unknown) => dispatch(handlers, channel, payload) };
}

const invalid = { ok: false, error: { code: 'INVALID_INPUT' } };

describe('plain-text scan over IPC', () => {
  it('validates every payload: no paths for fixes, no secrets in, nothing extra', async () => {
    const { call } = await setup('desktop');
    for (const [channel, payload] of [
      ['plaintext:addFolder', { path: 'relative/dir' }],
      ['plaintext:addFolder', { path: '/tmp\0x' }],
      ['plaintext:scan', { operationId: 'nope' }],
      ['plaintext:scan', { operationId: OP, key: { accessKeyId: HELD.accessKeyId, secret: HELD.secretAccessKey } }],
      ['plaintext:scan', { operationId: OP, key: { accessKeyId: 'has space in it, quite long' } }],
      // Words are not key IDs: the scan cannot be turned into a search of people's history files.
      ['plaintext:scan', { operationId: OP, key: { accessKeyId: 'password' } }],
      ['plaintext:scan', { operationId: OP, key: { accessKeyId: 'ssh root@db.internal.example' } }],
      ['plaintext:scan', { operationId: OP, key: { credentialId: 'x' } }],
      ['plaintext:fix', { fixes: [] }],
      ['plaintext:fix', { fixes: [{ findingId: OP, action: 'delete-file' }] }],
      ['plaintext:fix', { fixes: [{ findingId: OP, action: 'remove', path: '/etc/passwd' }] }],
      ['plaintext:fix', { fixes: [{ path: '/etc/passwd', action: 'remove' }] }],
      ['plaintext:import', { findingIds: [] }],
      ['plaintext:folders', { sneaky: true }],
    ] as const) {
      await expect(call(channel, payload), `${channel} ${JSON.stringify(payload)}`).resolves.toMatchObject(invalid);
    }
    await expect(call('plaintext:fix', { fixes: [{ findingId: OP, action: 'remove' }] })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('desktop: a folder is added only through the dialog, once, and must be a folder', async () => {
    const { call, picked } = await setup('desktop');
    await expect(call('plaintext:addFolder', { path: planted.added })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'Choose the folder in the dialog.' } });
    await expect(call('plaintext:addFolder', {})).resolves.toEqual({ ok: true, value: [] });
    picked.folder = planted.added;
    await expect(call('plaintext:addFolder', {})).resolves.toEqual({ ok: true, value: [{ path: planted.added }] });
    // The same folder through a link is the same folder.
    await symlink(planted.added, join(planted.outside, 'added-link'));
    picked.folder = join(planted.outside, 'added-link');
    await expect(call('plaintext:addFolder', {})).resolves.toEqual({ ok: true, value: [{ path: planted.added }] });
    // A folder that went away is listed as such.
    picked.folder = join(planted.home, 'projects', 'app');
    await call('plaintext:addFolder', {});
    await rm(join(planted.home, 'projects', 'app'), { recursive: true });
    await expect(call('plaintext:folders')).resolves.toEqual({ ok: true, value: [{ path: planted.added }, { path: join(planted.home, 'projects', 'app'), notSearched: 'not found' }] });
    await call('plaintext:removeFolder', { path: join(planted.home, 'projects', 'app') });
    picked.folder = planted.paths.addedScript;
    await expect(call('plaintext:addFolder', {})).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('is not a folder') } });
    await expect(call('plaintext:removeFolder', { path: planted.added })).resolves.toEqual({ ok: true, value: [] });
  });

  it('browser mode: a typed folder must lie inside KEYDESK_WEB_PATHS, links resolved', async () => {
    const { call, pathGrants, metadata } = await setup('browser');
    await expect(call('plaintext:addFolder', {})).resolves.toMatchObject(invalid);
    await expect(call('plaintext:addFolder', { path: planted.added })).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED', hint: expect.stringContaining('KEYDESK_WEB_PATHS') } });
    pathGrants.grant(planted.home, 'read', 'folder');
    await mkdir(join(planted.home, 'links'));
    await symlink(planted.outside, join(planted.home, 'links', 'out'));
    await expect(call('plaintext:addFolder', { path: join(planted.home, 'links', 'out') })).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    await expect(call('plaintext:addFolder', { path: join(planted.home, 'projects') })).resolves.toEqual({ ok: true, value: [{ path: join(planted.home, 'projects') }] });
    // A folder added earlier (by the desktop app) outside the grants is kept but not searched here, and says so.
    metadata.setPlaintextFolders([...metadata.plaintextFolders(), planted.added]);
    await expect(call('plaintext:folders')).resolves.toMatchObject({ ok: true, value: [{ path: join(planted.home, 'projects') }, { path: planted.added, notSearched: 'outside KEYDESK_WEB_PATHS' }] });
    const scan = await call('plaintext:scan', { operationId: OP });
    expect(scan).toMatchObject({ ok: true, value: { folders: [join(planted.home, 'projects')] } });
    expect(JSON.stringify(scan)).not.toContain(planted.paths.addedScript);
  });

  it('scans with progress events and results that never carry a secret, for every key or one', async () => {
    const { call, seen, saved } = await setup('desktop');
    const all = await call('plaintext:scan', { operationId: OP });
    expect(all.ok).toBe(true);
    const forKey = await call('plaintext:scan', { operationId: '3e9c4b0f-7a1d-4c9f-8d2e-8f7a6b5c4d3e', key: { credentialId: saved.id } });
    expect(forKey).toMatchObject({ ok: true, value: { key: { accessKeyId: HELD.accessKeyId, secretCompared: true, saved: { label: 'Ceph main' } } } });
    const byId = await call('plaintext:scan', { operationId: '4f0d5c1a-8b2e-4d0a-9e3f-9a8b7c6d5e4f', key: { accessKeyId: HELD.accessKeyId } });
    expect(byId.ok && (byId.value as { findings: unknown[] }).findings.length).toBeGreaterThan(5);
    expect(seen.some((e) => (e as { event: string }).event === 'plaintext:progress')).toBe(true);
    const wire = JSON.stringify([all, forKey, byId, seen]);
    for (let i = 0; i + 8 <= HELD.secretAccessKey.length; i += 4) expect(wire).not.toContain(HELD.secretAccessKey.slice(i, i + 8));
  });
});
