import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { AccountService } from '../../src-main/core/accounts/account-service';
import { KeydeskError } from '../../src-main/core/errors';
import type { KeyScope, ProviderCapabilities, ProviderSession } from '../../src-main/core/providers/adapter';
import { RotationEngine, type RotationDeps, type RotationProgress } from '../../src-main/core/rotation/engine';
import { KeyActions } from '../../src-main/core/rotation/key-actions';
import { LeakResponse, type LeakProgress } from '../../src-main/core/rotation/leak';
import type { RotationBase } from '../../src-main/core/rotation/steps';
import { RotationLocks } from '../../src-main/core/rotation/locks';
import { RevocationService, type RevocationNotice } from '../../src-main/core/rotation/revocations';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../src-main/core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../../src-main/core/vault/secret-store';
import type { AppContext } from '../../src-main/ipc/app-context';
import { EventBus } from '../../src-main/ipc/events';
import { keyHandlers } from '../../src-main/ipc/handlers/keys';
import type { RgwInfo } from '../servers/rgw';
import { ManualClock } from './manual-clock';
import { createRgwUser } from './rgw-users';
import { listBucketsWith } from './s3-probe';

/** Faults injected into the keychain and the provider session; each fires once, then clears. */
export interface Faults {
  secretSet?: (name: string) => boolean;
  create?: 'fail' | 'bad-secret';
  deleteKey?: boolean;
  /** The provider resets the secret, but its answer is lost on the way back. */
  regenerate?: 'answer-lost';
  /** Every reset replaces the key pair (new ID and secret; the old key is removed), as clouds with one key per region do. */
  resetReplacesKey?: boolean;
}

class FaultySecrets implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly faults: Faults,
  ) {}
  get = (name: string) => this.inner.get(name);
  delete = (name: string) => this.inner.delete(name);
  list = () => this.inner.list();
  async set(name: string, secret: string) {
    if (this.faults.secretSet?.(name)) {
      this.faults.secretSet = undefined;
      throw new KeydeskError({ code: 'KEYCHAIN_UNAVAILABLE', message: 'Could not save the secret to the OS keychain: the keychain is locked.' });
    }
    return this.inner.set(name, secret);
  }
}

function faultySession(inner: ProviderSession, faults: Faults): ProviderSession {
  return {
    ...inner,
    async createKey(options) {
      const fault = faults.create;
      faults.create = undefined;
      if (fault === 'fail') throw new KeydeskError({ code: 'PROVIDER', message: 'Ceph RGW refused: injected create failure — 500' });
      const key = await inner.createKey(options);
      // A real key whose secret arrives damaged: it exists at the provider but can never verify.
      return fault === 'bad-secret' ? { ...key, secretAccessKey: `${key.secretAccessKey}x` } : key;
    },
    async regenerateSecret(keyId, options) {
      const fault = faults.regenerate;
      faults.regenerate = undefined;
      const key = faults.resetReplacesKey ? await replaceKeyPair(inner, keyId, options) : await inner.regenerateSecret!(keyId, options);
      if (fault === 'answer-lost') throw new KeydeskError({ code: 'NETWORK', message: 'Ceph RGW could not be reached: the connection was reset (injected after the reset happened).' });
      return key;
    },
    async deleteKey(keyId, scope) {
      if (faults.deleteKey) {
        faults.deleteKey = false;
        throw new KeydeskError({ code: 'PROVIDER', message: 'Ceph RGW refused: injected delete failure — 500' });
      }
      return inner.deleteKey!(keyId, scope);
    },
  };
}

/** A reset that replaces the pair, played on RGW: the new key is made before the old one goes. */
async function replaceKeyPair(inner: ProviderSession, keyId: string, scope: KeyScope) {
  const created = await inner.createKey(scope);
  await inner.deleteKey!(keyId, scope);
  return created;
}

export class Crash extends Error {}

/** A provider account other than the default RGW one, and the key of it that gets saved and rotated. */
export interface FixtureProvider {
  providerId: string;
  fields: Record<string, string>;
  key: { accessKeyId: string; secretAccessKey: string };
  owner?: string;
}

/**
 * A home with a real keychain namespace, a provider account (by default RGW, managing a fresh user), a key
 * of it saved twice ("main" and "twin", as older files may hold it: rotation must move both), a manual clock, and engine + revocation
 * service factories sharing one set of locks — a new factory call plays a restart.
 */
export async function rotationFixture(rgw: RgwInfo, capabilities: Partial<ProviderCapabilities> = {}, provider?: FixtureProvider) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-rotation-'));
  const keychain = new KeychainSecretStore(`Keydesk@${home}`);
  const faults: Faults = {};
  const secrets = new FaultySecrets(keychain, faults);
  const metadata = new MetadataStore(openConfStore(home));
  const vault = new CredentialVault(metadata, secrets);
  const accountService = new AccountService(metadata, keychain);
  const rgwUser = provider ? undefined : await createRgwUser(rgw, 'rot');
  const user = provider ? { ...provider.key, uid: provider.owner } : rgwUser!;
  const { account } = await accountService.add(
    provider
      ? { providerId: provider.providerId, label: provider.providerId, fields: provider.fields }
      : {
          providerId: 'ceph-rgw',
          label: 'rgw',
          fields: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, secretAccessKey: rgw.admin.secretAccessKey, uid: rgwUser!.uid },
        },
  );
  const accounts: RotationDeps['accounts'] = {
    get: (id) => {
      const summary = accountService.get(id);
      return { ...summary, provider: { ...summary.provider, capabilities: { ...summary.provider.capabilities, ...capabilities } } };
    },
    session: async (id) => faultySession(await accountService.session(id), faults),
  };
  const providerSession = await accountService.session(account.id);
  const location = providerSession.s3Location();
  const saved = { ...location, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, accountId: account.id, owner: user.uid };
  const credential = await vault.add({ label: 'main', ...saved });
  // The same key saved twice, as files from before duplicates were refused may hold it: rotation must move both.
  const twin = { ...credential, id: randomUUID(), label: 'twin' };
  await keychain.set(`credential:${twin.id}`, user.secretAccessKey);
  metadata.putCredential(twin);
  const clock = new ManualClock();
  const locks = new RotationLocks();
  const progress: RotationProgress[] = [];
  const notices: RevocationNotice[] = [];
  const credentialsChanged: string[][] = [];
  const stateDir = join(home, 'state');
  let revocations: RevocationService | undefined;
  const services: RotationBase = { vault, secrets, accounts, stateDir, clock, locks, onCredentialsChanged: (ids) => credentialsChanged.push(ids) };

  /** The revocation scheduler as a fresh start would build it (stop the previous one first). */
  function revocationService(): RevocationService {
    revocations?.stop();
    revocations = new RevocationService({ ...services, onNotice: (n) => notices.push(n) });
    return revocations;
  }

  function engine(checkpoint?: RotationDeps['checkpoint'], timeoutMs = 2_000): RotationEngine {
    return new RotationEngine({
      ...services,
      verify: { timeoutMs, baseDelayMs: 200, maxDelayMs: 500 },
      onProgress: (p) => progress.push(p),
      onPendingChanged: () => revocations?.reschedule(),
      checkpoint,
    });
  }

  const leakProgress: LeakProgress[] = [];
  /** "Report leaked…" as the app builds it, sharing the engine's journal and locks. */
  function leak(checkpoint?: RotationDeps['checkpoint'], timeoutMs = 2_000): LeakResponse {
    return new LeakResponse({
      ...services,
      verify: { timeoutMs, baseDelayMs: 200, maxDelayMs: 500 },
      onLeakProgress: (p) => leakProgress.push(p),
      onPendingChanged: () => revocations?.reschedule(),
      checkpoint,
    });
  }

  /** The keys screen's journaled regenerate and create, as the app builds them, and its handlers on top. */
  function keyActions(checkpoint?: RotationDeps['checkpoint']): KeyActions {
    return new KeyActions({ ...services, checkpoint });
  }
  function keysScreen(checkpoint?: RotationDeps['checkpoint']) {
    return keyHandlers({ vault, accounts, events: new EventBus(), keyActions: keyActions(checkpoint) } as unknown as AppContext);
  }

  const works = (accessKeyId: string, secretAccessKey: string) =>
    listBucketsWith(location, accessKeyId, secretAccessKey).then(
      () => true,
      () => false,
    );
  const keysAtProvider = async () => (await providerSession.listKeys({ owner: user.uid })).map((k) => k.accessKeyId).sort();
  const journals = () => readdir(join(stateDir, 'rotations')).catch(() => [] as string[]);
  const pendingFiles = () => readdir(join(stateDir, 'revocations')).catch(() => [] as string[]);

  /** Both credentials on one key (`expected`: the original or a new one) that works on S3, and nothing else left anywhere. */
  async function expectOneWorkingKey(expected: 'old' | 'new'): Promise<string> {
    const records = [vault.get(credential.id), vault.get(twin.id)];
    const accessKeyId = records[0].accessKeyId;
    expect(records[1].accessKeyId).toBe(accessKeyId);
    if (expected === 'old') expect(accessKeyId).toBe(user.accessKeyId);
    else expect(accessKeyId).not.toBe(user.accessKeyId);
    for (const record of records) expect(await works(record.accessKeyId, (await vault.connection(record.id)).secretAccessKey)).toBe(true);
    expect((await keychain.list()).filter((name) => !name.startsWith(`account:${account.id}:`)).sort()).toEqual([`credential:${credential.id}`, `credential:${twin.id}`].sort());
    expect(await keysAtProvider()).toEqual([accessKeyId]);
    expect(await journals()).toEqual([]);
    expect(await pendingFiles()).toEqual([]);
    return accessKeyId;
  }

  return {
    home,
    stateDir,
    vault,
    keychain,
    faults,
    clock,
    progress,
    notices,
    credentialsChanged,
    credential,
    twin,
    user,
    account,
    providerSession,
    engine,
    leak,
    keyActions,
    keysScreen,
    leakProgress,
    revocationService,
    works,
    keysAtProvider,
    journals,
    pendingFiles,
    expectOneWorkingKey,
  };
}
