import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountSummary } from '../../src-main/core/accounts/account-service';
import type { ProviderAdapter } from '../../src-main/core/providers/adapter';
import type { PendingRevocation } from '../../src-main/core/rotation/pending';
import { LeakResponse } from '../../src-main/core/rotation/leak';
import { RevocationService } from '../../src-main/core/rotation/revocations';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../src-main/core/vault/metadata-store';
import { ManualClock } from './manual-clock';
import { MemorySecrets } from './memory-secrets';

const DAY = 86_400_000;
const ACCOUNT = 'acc-contract';

/**
 * The revocation scheduler over one pending old key of a provider we cannot run, for the contract tests:
 * they check each call it makes — deactivate when due, delete later, reactivate on restore — against the
 * provider's published spec with Prism. (Prism keeps no state: the flows themselves are proven against
 * RGW and the IAM stand-in.) `passDays` moves the manual clock and waits for the scheduler.
 */
export async function graceScheduler(adapter: ProviderAdapter, settings: Record<string, string>, secrets: Record<string, string>, retiring: string, keeping: string, change: Partial<PendingRevocation> = {}) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-grace-contract-'));
  const keychain = new MemorySecrets();
  const vault = new CredentialVault(new MetadataStore(openConfStore(home)), keychain);
  const credential = await vault.save({ label: 'app', endpoint: 'https://s3.example.com', region: 'us-east-1', accessKeyId: keeping, secretAccessKey: 'new-secret', accountId: ACCOUNT });
  const clock = new ManualClock(Date.parse('2025-06-01T12:00:00Z'));
  const account = { id: ACCOUNT, providerId: adapter.descriptor.id, label: 'contract', settings, createdAt: '', provider: adapter.descriptor } as AccountSummary;
  const session = adapter.connect({ accountId: ACCOUNT, settings, secrets });
  const service = new RevocationService({ vault, secrets: keychain, accounts: { get: () => account, session: async () => session }, stateDir: join(home, 'state'), clock });
  const entry: PendingRevocation = {
    id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
    label: 'app',
    credentialId: credential.id,
    credentialIds: [credential.id],
    accountId: ACCOUNT,
    scope: {},
    retiring: { keyId: retiring, accessKeyId: retiring },
    keeping: { keyId: keeping, accessKeyId: keeping },
    state: 'active',
    then: 'delete',
    days: 7,
    switchedAt: new Date(clock.now()).toISOString(),
    dueAt: new Date(clock.now() + 7 * DAY).toISOString(),
    previousRotatedAt: {},
    createdAt: new Date(clock.now()).toISOString(),
    ...change,
  };
  await service.store.save(entry);
  await keychain.set(`rotation-old:${entry.id}:${retiring}`, 'old-secret');
  await service.start();
  const passDays = async (days: number) => {
    clock.advance(days * DAY);
    await service.idle();
  };
  return { service, entry, vault, credential, passDays };
}

/**
 * "Report leaked…" over one saved key of a provider we cannot run, for the contract tests: each provider
 * call it makes (stop, create) is checked against the published spec with Prism. The replacement is
 * checked on an S3 endpoint that refuses connections, so it is kept unverified, as it would be after the
 * provider's propagation time ran out.
 */
export async function leakResponder(adapter: ProviderAdapter, settings: Record<string, string>, secrets: Record<string, string>, accessKeyId: string, owner?: string) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-leak-contract-'));
  const keychain = new MemorySecrets();
  const vault = new CredentialVault(new MetadataStore(openConfStore(home)), keychain);
  const credential = await vault.save({ label: 'app', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', accessKeyId, secretAccessKey: 'leaked-secret', accountId: ACCOUNT, owner });
  const account = { id: ACCOUNT, providerId: adapter.descriptor.id, label: 'contract', settings, createdAt: '', provider: adapter.descriptor } as AccountSummary;
  const session = adapter.connect({ accountId: ACCOUNT, settings, secrets });
  const leak = new LeakResponse({ vault, secrets: keychain, accounts: { get: () => account, session: async () => session }, stateDir: join(home, 'state'), verify: { timeoutMs: 300, baseDelayMs: 100, maxDelayMs: 100 } });
  return { leak, vault, credential, keychain };
}
