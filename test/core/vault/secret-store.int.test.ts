import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeychainSecretStore } from '../../../src-main/core/vault/secret-store';

// Runs inside test/servers/with-keyring.sh: a real, throw-away gnome-keyring over D-Bus.
describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('KeychainSecretStore against a real Secret Service', () => {
  it('stores, lists and deletes secrets, isolated per namespace', async () => {
    const a = new KeychainSecretStore(`Keydesk@test-${randomBytes(4).toString('hex')}`);
    const b = new KeychainSecretStore(`Keydesk@test-${randomBytes(4).toString('hex')}`);
    const secret = randomBytes(30).toString('base64');
    await a.set('credential:1', secret);
    expect(await a.get('credential:1')).toBe(secret);
    expect(await a.list()).toEqual(['credential:1']);
    expect(await b.get('credential:1')).toBeNull();
    expect(await b.list()).toEqual([]);
    expect(await a.delete('credential:1')).toBe(true);
    expect(await a.get('credential:1')).toBeNull();
    expect(await a.delete('credential:1')).toBe(false);
  });

  it('a burst of calls from all sides (two namespaces, saves, reads, searches, deletes) neither crashes nor mixes up answers', async () => {
    const stores = [0, 1].map(() => new KeychainSecretStore(`Keydesk@test-${randomBytes(4).toString('hex')}`));
    const secretOf = (store: number, item: number, round: number) => `s${store}-${item}-${round}-${randomBytes(6).toString('hex')}`;
    const latest = new Map<string, string>();
    for (let round = 0; round < 2; round++) {
      await Promise.all(
        stores.flatMap((store, s) =>
          Array.from({ length: 10 }, async (_, item) => {
            const name = `credential:${item}`;
            const secret = secretOf(s, item, round);
            await store.set(name, secret);
            const [read, names] = await Promise.all([store.get(name), store.list()]);
            expect(read).toBe(secret);
            expect(names).toContain(name);
            latest.set(`${s}/${name}`, secret);
            if (item % 4 === 0) {
              expect(await store.delete(name)).toBe(true);
              latest.delete(`${s}/${name}`);
            }
          }),
        ),
      );
    }
    for (const [s, store] of stores.entries()) {
      expect((await store.list()).sort()).toEqual([...latest.keys()].filter((key) => key.startsWith(`${s}/`)).map((key) => key.slice(2)).sort());
      for (const name of await store.list()) expect(await store.get(name)).toBe(latest.get(`${s}/${name}`));
      for (const name of await store.list()) await store.delete(name);
    }
  });
});
