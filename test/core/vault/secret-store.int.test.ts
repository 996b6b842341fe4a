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
});
