import type { AccountSummary, BucketGrant, ErrorInfo, KeyLimit, KeyList, KeyOwner, ManagedKey, NewAccessKey, NewKeyResult, RegionInfo, SavedCredentialRef, TrustChoice } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { choicesOf, withChoice } from '../lib/trust';

export interface CreateKeyInput {
  description: string;
  region?: string;
  owner?: string;
  grants?: BucketGrant[];
  saveInKeychain: boolean;
}

/** One account's keys screen: what the provider reports, filtered by the search box. */
export class KeysState {
  account = $state<AccountSummary>();
  owners = $state<KeyOwner[]>([]);
  /** '' = the account's default user or project. */
  owner = $state('');
  /** Regions with the user's roles there (hasRegions); a region that failed to list its keys carries that error. */
  regions = $state<RegionInfo[]>([]);
  keys = $state<ManagedKey[]>([]);
  limit = $state<KeyLimit>();
  search = $state('');
  loading = $state(false);
  error = $state<ErrorInfo>();
  /** Outcome of the last action, e.g. which saved credential a delete removed. */
  notice = $state<string>();

  readonly capabilities = $derived(this.account?.provider.capabilities);
  /** What owns keys here: "User", or e.g. "Instance". */
  readonly ownerLabel = $derived(this.account?.provider.owners?.label ?? 'User');
  readonly hasAccountDefault = $derived(this.account?.provider.owners?.accountDefault ?? true);

  readonly filtered = $derived.by(() => {
    const needle = this.search.trim().toLowerCase();
    if (!needle) return this.keys;
    return this.keys.filter((key) => [key.accessKeyId, key.id, key.description, key.region, key.owner].some((text) => text?.toLowerCase().includes(needle)));
  });

  /** Regions where keys can be read and none exists yet: where "Create key" goes first. */
  readonly unconfiguredRegions = $derived(this.regions.filter((region) => !region.error && !this.keys.some((key) => key.region === region.name)));

  constructor(readonly accountId: string) {}

  /** Why the user may not create or reset keys in `region` (a missing role), or undefined. */
  roleRefusal(region?: string): string | undefined {
    return this.regions.find((r) => r.name === region)?.refusal;
  }

  /** Why no further key can be made in `region` (or for the owner), or undefined when it can. */
  createRefusal(region?: string): string | undefined {
    return this.roleRefusal(region) ?? this.limitReason(region);
  }

  private limitReason(region?: string): string | undefined {
    if (!this.limit) return undefined;
    const counted = this.limit.scope === 'region' ? this.keys.filter((key) => !key.region || key.region === region) : this.keys;
    if (this.limit.scope === 'region' && !region) return undefined;
    return counted.length >= this.limit.maxKeysPerOwner ? this.limit.message : undefined;
  }

  /** The account, owner and region a key call names. */
  scope(key?: ManagedKey) {
    return { accountId: this.accountId, owner: this.owner || undefined, region: key?.region };
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.account = (await api.accounts.list()).find((account) => account.id === this.accountId);
      if (!this.account) throw new Error('That provider account no longer exists.');
      if (this.account.provider.capabilities.keysForOtherUsers) this.owners = await api.keys.owners({ accountId: this.accountId });
      // Without an account default the screen shows the first owner's keys, as the provider's console does.
      if (!this.hasAccountDefault && !this.owners.some((o) => o.id === this.owner)) this.owner = this.owners[0]?.id ?? '';
      await this.refresh();
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.loading = false;
    }
  }
  /** A certificate trusted from the error's prompt: stored with the account, then the keys load again. */
  async trust(choice: TrustChoice): Promise<void> {
    const account = await api.accounts.setTrust({ id: this.accountId, trust: withChoice(choicesOf(this.account?.trust), choice) });
    this.account = account;
    await this.load();
  }

  private listing = 0;

  /** Only the newest listing is shown: an older answer (another user's keys) arriving late is dropped. */
  async refresh(): Promise<void> {
    const listing = ++this.listing;
    this.loading = true;
    try {
      if (this.capabilities?.hasRegions) {
        const listed = await this.listRegions();
        if (listing !== this.listing) return;
        [this.regions, this.keys, this.limit] = [listed.regions, listed.keys, listed.limit];
      } else {
        const list = await api.keys.list(this.scope());
        if (listing !== this.listing) return;
        [this.keys, this.limit] = [list.keys, list.limit];
      }
      this.error = undefined;
    } catch (error) {
      if (listing !== this.listing) return;
      this.keys = [];
      this.error = errorInfo(error);
    } finally {
      if (listing === this.listing) this.loading = false;
    }
  }

  /** Region by region, so that one region not answering leaves the others usable; roles are read again too. */
  private async listRegions(): Promise<{ regions: RegionInfo[]; keys: ManagedKey[]; limit?: KeyLimit }> {
    const regions = await api.keys.regions({ accountId: this.accountId });
    const lists = await Promise.all(
      regions.map((region) =>
        region.error ? undefined : api.keys.list({ ...this.scope(), region: region.name }).catch((error: unknown) => ({ failed: errorInfo(error) })),
      ),
    );
    const listed = lists.filter((list): list is KeyList => !!list && 'keys' in list);
    return {
      regions: regions.map((region, index) => {
        const list = lists[index];
        return list && 'failed' in list ? { ...region, error: list.failed } : region;
      }),
      keys: listed.flatMap((list) => list.keys),
      limit: listed[0]?.limit,
    };
  }

  async selectOwner(owner: string): Promise<void> {
    this.owner = owner;
    this.notice = undefined;
    // The previous user's keys must not stay on screen (nor feed Browse Buckets) while this user's load.
    this.keys = [];
    await this.refresh();
  }

  /** Errors propagate: the create dialog shows them in place. */
  async create(input: CreateKeyInput): Promise<NewKeyResult> {
    const result = await api.keys.create({
      accountId: this.accountId,
      owner: input.owner || undefined,
      region: input.region,
      description: input.description.trim() || undefined,
      grants: input.grants?.length ? input.grants : undefined,
      saveInKeychain: input.saveInKeychain,
    });
    await this.refresh();
    return result;
  }

  /** Runs an action on the keys, showing its failure on the screen; resolves to its value or undefined. */
  private async act<T>(run: () => Promise<T>): Promise<T | undefined> {
    this.notice = undefined;
    try {
      const value = await run();
      await this.refresh();
      return value;
    } catch (error) {
      this.error = errorInfo(error);
      return undefined;
    }
  }

  regenerate(key: ManagedKey, graceMinutes?: number): Promise<NewKeyResult | undefined> {
    return this.act(() => api.keys.regenerate({ ...this.scope(key), keyId: key.id, graceMinutes }));
  }

  setActive(key: ManagedKey, active: boolean): Promise<void> {
    return this.act(() => api.keys.setActive({ ...this.scope(key), keyId: key.id, active }));
  }

  async remove(key: ManagedKey): Promise<void> {
    const removed = await this.act(() => api.keys.delete({ ...this.scope(key), keyId: key.id }));
    const done = this.capabilities?.deleteVerb === 'Revoke' ? 'Revoked' : 'Deleted';
    if (removed) this.notice = `${done} key ${key.accessKeyId}.${savedNote(removed)}`;
  }

  async showSecret(key: ManagedKey): Promise<NewAccessKey | undefined> {
    const shown = await this.act(() => api.keys.showSecret({ ...this.scope(key), keyId: key.id }));
    return shown && { ...key, secretAccessKey: shown.secretAccessKey };
  }

  /** Resolves to the new saved credential, or undefined when saving failed (shown on the screen). */
  async save(key: ManagedKey): Promise<SavedCredentialRef | undefined> {
    const record = await this.act(() => api.keys.save({ ...this.scope(key), keyId: key.id }));
    if (record) this.notice = `Saved ${key.accessKeyId} in the keychain as "${record.label}": Browse Buckets can use it now.`;
    return record;
  }

  setDescription(key: ManagedKey, description: string): Promise<void> {
    return this.act(() => api.keys.setDescription({ ...this.scope(key), keyId: key.id, description }));
  }

  async setOwnerSuspended(suspended: boolean): Promise<void> {
    const owner = this.owner;
    const done = await this.act(async () => {
      await api.keys.setOwnerSuspended({ accountId: this.accountId, owner, suspended });
      return true;
    });
    if (done) this.owners = this.owners.map((o) => (o.id === owner ? { ...o, disabled: suspended } : o));
  }
}

function savedNote(removed: SavedCredentialRef[]): string {
  if (removed.length === 0) return '';
  return ` Removed its saved credential${removed.length === 1 ? '' : 's'} from Keydesk: ${removed.map((r) => `"${r.label}"`).join(', ')}.`;
}
