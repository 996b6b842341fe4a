import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../src-main/core/vault/metadata-store';
import type { AppContext } from '../../src-main/ipc/app-context';
import { appNavigationSchema } from '../../src-main/ipc/channels/app';
import type { Handlers } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { appHandlers } from '../../src-main/ipc/handlers/app';
import { credentialHandlers } from '../../src-main/ipc/handlers/credentials';
import { MemorySecrets } from '../helpers/memory-secrets';

const CRED = '3f2b8c1e-5d4a-4f6b-9c7d-0e1f2a3b4c5d';

async function context(rotating = false) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-app-ipc-'));
  const metadata = new MetadataStore(openConfStore(home));
  const vault = new CredentialVault(metadata, new MemorySecrets());
  const ctx = { home, metadata, vault, rotation: { isRunning: () => rotating } } as unknown as AppContext;
  const handlers = { ...appHandlers(ctx), ...credentialHandlers(ctx) } as Handlers;
  return { home, metadata, call: (name: string, payload?: unknown) => dispatch(handlers, name, payload) };
}

describe('the place kept in the settings', () => {
  it('saves a valid place and gives it back; nothing before the first', async () => {
    const { call, home } = await context();
    expect(await call('app:place')).toEqual({ ok: true, value: null });
    const place = { view: 'browse', credentialId: CRED, bucket: 'photos', prefix: 'reports/2024/' };
    expect(await call('app:savePlace', place)).toEqual({ ok: true, value: undefined });
    expect(await call('app:place')).toEqual({ ok: true, value: place });
    expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8')).place).toEqual(place);
  });

  it('refuses what is not a place, and reads a hand-edited file’s nonsense as no place', async () => {
    const { call, home } = await context();
    for (const bad of [
      { view: 'settings' },
      { view: 'browse', credentialId: 'x' },
      { view: 'browse', credentialId: CRED, bucket: 'a/b' },
      { view: 'browse', credentialId: CRED, bucket: 'b', prefix: 'no-slash' },
      { view: 'browse', credentialId: CRED, bucket: 'b', prefix: `${'x'.repeat(1100)}/` },
      { view: 'credentials', extra: true },
    ]) {
      expect(await call('app:savePlace', bad), JSON.stringify(bad).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    const file = join(home, 'keydesk.json');
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), place: { view: 'browse', bucket: '../../etc' } }));
    const { call: again } = await contextAt(home);
    expect(await again('app:place')).toEqual({ ok: true, value: null });
  });
});

async function contextAt(home: string) {
  const metadata = new MetadataStore(openConfStore(home));
  const ctx = { home, metadata } as unknown as AppContext;
  return { call: (name: string, payload?: unknown) => dispatch(appHandlers(ctx) as unknown as Handlers, name, payload) };
}

describe('what main may ask the window to show (app:navigate)', () => {
  it('accepts screens, Help sheets and the tray’s Browse Buckets, nothing else', () => {
    for (const ok of [{ view: 'accounts' }, { view: 'add-credential' }, { view: 'import' }, { view: 'shortcuts' }, { view: 'about' }, { view: 'browse' }, { view: 'browse', credentialId: CRED }]) {
      expect(appNavigationSchema.safeParse(ok).success, JSON.stringify(ok)).toBe(true);
    }
    for (const bad of [{ view: 'keys' }, { view: 'browse', credentialId: 'x' }, { view: 'accounts', url: 'https://evil.example' }, { view: '__proto__' }, null, 'accounts']) {
      expect(appNavigationSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('credentials:changeConnection', () => {
  it('is refused while the key is being rotated, before any request', async () => {
    const { call } = await context(true);
    expect(await call('credentials:changeConnection', { id: CRED, endpoint: 'http://127.0.0.1:1', region: 'us-east-1' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('being rotated') },
    });
  });

  it('names an unknown credential and validates the payload', async () => {
    const { call } = await context();
    expect(await call('credentials:changeConnection', { id: CRED, endpoint: 'http://127.0.0.1:1', region: 'us-east-1' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('credentials:changeConnection', { id: CRED, endpoint: 'x'.repeat(3000), region: 'us-east-1' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('credentials:changeConnection', { id: CRED, endpoint: 'http://x', region: 'r', accessKeyId: 'other' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
