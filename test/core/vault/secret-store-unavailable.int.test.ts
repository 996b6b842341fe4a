import { describe, expect, it } from 'vitest';
import { KeychainSecretStore } from '../../../src-main/core/vault/secret-store';

// Each test file runs in its own process: pointing D-Bus nowhere here simulates a machine without a keychain.
process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/keydesk-no-bus';

describe('KeychainSecretStore without a keychain', () => {
  it('fails with an actionable KEYCHAIN_UNAVAILABLE error and never falls back to plain text', async () => {
    const store = new KeychainSecretStore('Keydesk@unavailable-test');
    const failure = await store.set('credential:x', 'a-secret-value-123').catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
      message: 'Could not save the secret to the OS keychain: no keychain service (Secret Service) is running.',
      hint: expect.stringContaining('never stores secrets in plain text'),
    });
    await expect(store.get('credential:x')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
  });
});
