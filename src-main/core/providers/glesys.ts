import { z } from 'zod';
import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import type { AccessKeyInfo, AccountContext, AccountField, KeyOwner, NewAccessKey, ProviderAdapter, ProviderSession } from './adapter';
import { requireField, setting } from './account-settings';
import { httpRequest, type HttpResponse } from './http';

/**
 * GleSYS Object Storage: a project holds object storage instances, each in one data center and each with
 * several credentials ("Your credentials" in the control panel), every one with a description. The
 * secret is in the create answer only; a credential is revoked, never regenerated or paused. An initial
 * credential exists from the moment the instance is made. JSON over HTTP Basic auth (project ID + API
 * key); every answer is wrapped in `response` with `status {code, text}`, and errors give the reason in
 * `status.text` (glesys/glesys-go v2 client.go and objectstorages.go; docs.glesys.com "Manage access keys").
 */

const PROVIDER = 'GleSYS';

/**
 * Data centers with an S3 endpoint field: dc-sto1 (Stockholm, the data center in the API's examples) and
 * dc-fbg1 (Falkenberg). The API names only an instance's `datacenter`; its S3 host is
 * `objects.<data center>.glesys.net`, the host GleSYS's object storage is used with (s3cmd, rclone and
 * Terraform setups for both data centers). The field is filled with it and stays editable, and an emptied
 * field is required again for every data center the project has an instance in (verify() says which).
 */
const DATA_CENTERS = [
  { id: 'dc-sto1', city: 'Stockholm' },
  { id: 'dc-fbg1', city: 'Falkenberg' },
] as const;

/** createcredential's `description: maxLength 255`. */
const MAX_DESCRIPTION = 255;

const endpointField = (dataCenter: string) => `endpoint-${dataCenter}`;
const knownDataCenter = (id: string) => DATA_CENTERS.find((dc) => dc.id === id);

/**
 * GleSYS names no S3 region and SigV4 needs one; S3 services without regions take the conventional
 * us-east-1. Path style, because GleSYS buckets are often named after domains (for CNAMEs) and dotted
 * names break TLS as virtual hosts.
 */
const S3_SIGNING_REGION = 'us-east-1';

// Only what Keydesk reads is checked; GleSYS may add fields. Descriptions and dates are shown, not relied on.
const status = z.object({ code: z.number().optional(), text: z.string().optional() }).optional();
// IDs come back in later requests (channel limit 256 characters): longer ones are not GleSYS's.
const credential = z.object({
  id: z.string().min(1).max(256),
  accesskey: z.string().min(1),
  description: z.string().nullish(),
  created: z.string().nullish(),
  secretkey: z.string().nullish(),
});
const instance = z.object({
  id: z.string().min(1).max(256),
  datacenter: z.string().min(1),
  description: z.string().nullish(),
  credentials: z.array(credential),
});
const answers = {
  listinstances: z.object({ response: z.object({ status, instances: z.array(instance) }) }),
  createcredential: z.object({ response: z.object({ status, credential: credential.extend({ secretkey: z.string().min(1) }) }) }),
  deletecredential: z.object({ response: z.object({ status }) }),
};

type Instance = z.infer<typeof instance>;
type Credential = z.infer<typeof credential>;
type Call = keyof typeof answers;

/** `status.text` of a GleSYS answer, if the body is one. */
function statusText(text: string): string | undefined {
  try {
    const reason = (JSON.parse(text) as { response?: { status?: { text?: unknown } } })?.response?.status?.text;
    return typeof reason === 'string' && reason.trim() ? reason.trim().replace(/\.$/, '') : undefined;
  } catch {
    return undefined; // a proxy's or load balancer's page: the status alone
  }
}

function refusal(status: number, reason: string | undefined): KeydeskError {
  const code: ErrorCode =
    status === 401 ? 'AUTH_FAILED' : status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : status === 400 || status === 422 ? 'INVALID_INPUT' : 'PROVIDER';
  const hint =
    status === 401
      ? 'Check the project ID (like CL12345) and the API key; the key may have been deleted in the GleSYS control panel.'
      : status === 403
        ? 'Give the API key access to Object Storage in the GleSYS control panel (API keys → permissions).'
        : status === 429
          ? 'GleSYS limits how often the API may be called; wait a minute and try again.'
          : undefined;
  return new KeydeskError({ code, provider: PROVIDER, status, message: `${PROVIDER} refused: ${reason ?? 'the request failed'} — ${status}`, hint });
}

const mapError = (response: HttpResponse) => refusal(response.status, statusText(response.text));

function malformed(call: Call, status: number, issue?: z.core.$ZodIssue): KeydeskError {
  const where = issue ? ` (${['response', ...issue.path.slice(1)].join('.')}: ${issue.message})` : '';
  return new KeydeskError({
    code: 'PROVIDER',
    provider: PROVIDER,
    status,
    message: `${PROVIDER} answered ${call} with something Keydesk does not understand${where}.`,
    hint:
      call === 'createcredential'
        ? 'GleSYS may have made the key anyway without Keydesk getting its secret: revoke any key in the list that nothing uses.'
        : 'Check the API URL in this account (https://api.glesys.com unless GleSYS told you otherwise); if it is right, GleSYS may have changed its API.',
  });
}

function toKeyInfo(cred: Credential, owner: Instance): AccessKeyInfo {
  // GleSYS credentials have no status: a listed one works until it is revoked.
  return {
    id: cred.id,
    accessKeyId: cred.accesskey,
    description: cred.description || undefined,
    status: 'active',
    createdAt: cred.created || undefined,
    owner: owner.id,
    // The data center is where the key's S3 endpoint is: s3Location() maps it back. Only a name the
    // renderer can send back as a region (letters, digits, dashes) is passed on.
    region: /^[a-z0-9-]{1,64}$/i.test(owner.datacenter) ? owner.datacenter : undefined,
  };
}

function toOwner(owner: Instance): KeyOwner {
  return { id: owner.id, name: `${owner.description || owner.id} — ${owner.datacenter}` };
}

function connect(account: AccountContext): ProviderSession {
  const base = parseEndpoint(setting(account, 'apiUrl') ?? 'https://api.glesys.com');

  function basicAuth(): string {
    const project = requireField(account, PROVIDER, 'projectId', 'project ID');
    // The project ID is the Basic-auth user name: a colon would split it, other characters cannot be sent.
    if (!/^[A-Za-z0-9_-]+$/.test(project)) {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: `${PROVIDER}: "${project}" is not a project ID; it looks like CL12345 (letters and digits).` });
    }
    const key = requireField(account, PROVIDER, 'apiKey', 'API key', 'secrets');
    return `Basic ${Buffer.from(`${project}:${key}`).toString('base64')}`;
  }

  async function call<C extends Call>(name: C, body?: Record<string, string>): Promise<z.infer<(typeof answers)[C]>> {
    const response = await httpRequest(
      PROVIDER,
      { method: body ? 'POST' : 'GET', url: `${base}/objectstorage/${name}`, headers: { authorization: basicAuth() }, body, signal: account.signal, trust: account.trust },
      mapError,
    );
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw malformed(name, response.status);
    }
    // An answer may say it failed in its body while the HTTP status says OK.
    const said = (json as { response?: { status?: { code?: unknown } } } | null)?.response?.status?.code;
    if (typeof said === 'number' && said >= 400) throw refusal(said, statusText(response.text));
    const parsed = answers[name].safeParse(json);
    if (!parsed.success) throw malformed(name, response.status, parsed.error.issues[0]);
    return parsed.data as z.infer<(typeof answers)[C]>;
  }

  const listInstances = async () => (await call('listinstances')).response.instances;

  function noSuchInstance(owner: string): KeydeskError {
    return new KeydeskError({
      code: 'NOT_FOUND',
      provider: PROVIDER,
      message: `${PROVIDER}: this project has no object storage instance ${owner} (any more).`,
      hint: 'Reload the keys screen and pick one of the instances listed.',
    });
  }

  async function instanceFor(owner: string | undefined): Promise<Instance> {
    const instances = await listInstances();
    if (owner) {
      const found = instances.find((candidate) => candidate.id === owner);
      if (!found) throw noSuchInstance(owner);
      return found;
    }
    if (instances.length === 1) return instances[0];
    throw new KeydeskError({
      code: 'INVALID_INPUT',
      provider: PROVIDER,
      message:
        instances.length === 0
          ? `${PROVIDER}: this project has no object storage instance yet.`
          : `${PROVIDER}: choose which of the project's ${instances.length} object storage instances the key is for.`,
      hint: instances.length === 0 ? 'Create an instance in the GleSYS control panel (Storage → Object Storage); it comes with a first key.' : undefined,
    });
  }

  /** The instance holding `keyId`: the given one, else looked up (a credential ID is unique to one instance). */
  async function holderOf(keyId: string, owner: string | undefined): Promise<string> {
    if (owner) return owner;
    const holder = (await listInstances()).find((candidate) => candidate.credentials.some((c) => c.id === keyId));
    if (!holder) throw new KeydeskError({ code: 'NOT_FOUND', provider: PROVIDER, message: `${PROVIDER}: no instance of this project has the key ${keyId} (any more).` });
    return holder.id;
  }

  function endpointOf(dataCenter: string): string | undefined {
    const value = setting(account, endpointField(dataCenter));
    if (value === undefined) return undefined;
    try {
      return parseEndpoint(value);
    } catch (error) {
      const reason = error instanceof KeydeskError ? ` ${error.message}` : '';
      throw new KeydeskError({ code: 'INVALID_INPUT', provider: PROVIDER, message: `${PROVIDER}: the S3 endpoint for ${dataCenter} is not usable.${reason}` }, { cause: error });
    }
  }

  /** Adding the account: the project has instances in a data center whose endpoint was left empty. */
  function endpointNeeded(dataCenter: { id: string; city: string }, instances: Instance[]): KeydeskError {
    const names = instances.map((candidate) => candidate.description || candidate.id).join(', ');
    return new KeydeskError({
      code: 'INVALID_INPUT',
      provider: PROVIDER,
      message: `${PROVIDER}: enter the S3 endpoint for ${dataCenter.id} (${dataCenter.city}), where the instance${instances.length === 1 ? ' ' : 's '}${names} ${instances.length === 1 ? 'is' : 'are'}.`,
      hint: "GleSYS gives each data center's S3 endpoint with your object storage; Keydesk needs it to browse buckets with the keys.",
    });
  }

  /** Saving or using a key of a data center this account has no endpoint for (an instance made later, or a new data center). */
  function noEndpoint(dataCenter: string | undefined): KeydeskError {
    const known = dataCenter ? knownDataCenter(dataCenter) : undefined;
    return new KeydeskError({
      code: 'INVALID_INPUT',
      provider: PROVIDER,
      message: known
        ? `${PROVIDER}: this account has no S3 endpoint for ${dataCenter} (${known.city}).`
        : `${PROVIDER}: Keydesk has no S3 endpoint for the data center ${dataCenter ?? 'of this key'}.`,
      hint: `The key works: add its key pair under Credentials → Add credentials with the S3 endpoint GleSYS gives for ${dataCenter ?? 'its data center'}.${known ? ' To have Keydesk save such keys itself, add this account again with that endpoint.' : ''}`,
    });
  }

  return {
    async verify(): Promise<KeyOwner> {
      // Every endpoint given must be usable, and one is required for each data center the project uses.
      for (const dc of DATA_CENTERS) endpointOf(dc.id);
      const instances = await listInstances();
      for (const dc of DATA_CENTERS) {
        const here = instances.filter((candidate) => candidate.datacenter === dc.id);
        if (here.length && !endpointOf(dc.id)) throw endpointNeeded(dc, here);
      }
      const project = requireField(account, PROVIDER, 'projectId', 'project ID');
      return { id: project, name: `project ${project}` };
    },

    async listOwners() {
      return (await listInstances()).map(toOwner).sort((a, b) => a.name.localeCompare(b.name));
    },

    async listKeys(scope) {
      const instances = await listInstances();
      const chosen = scope.owner ? instances.filter((candidate) => candidate.id === scope.owner) : instances;
      if (scope.owner && chosen.length === 0) throw noSuchInstance(scope.owner);
      return chosen.flatMap((owner) => owner.credentials.map((cred) => toKeyInfo(cred, owner)));
    },

    async createKey(options): Promise<NewAccessKey> {
      // The control panel asks for a description; a key made without one (rotation) still says where it came from.
      const description = options.description?.trim() || `Created by Keydesk ${new Date().toISOString().slice(0, 10)}`;
      if (description.length > MAX_DESCRIPTION) {
        throw new KeydeskError({ code: 'INVALID_INPUT', provider: PROVIDER, message: `${PROVIDER} allows key descriptions of up to ${MAX_DESCRIPTION} characters; this one has ${description.length}.` });
      }
      const owner = await instanceFor(options.owner);
      const created = (await call('createcredential', { instanceid: owner.id, description })).response.credential;
      return { ...toKeyInfo(created, owner), secretAccessKey: created.secretkey };
    },

    async deleteKey(keyId, scope) {
      await call('deletecredential', { instanceid: await holderOf(keyId, scope.owner), credentialid: keyId });
    },

    s3Location(dataCenter) {
      // Each data center has its own endpoint: without the key's one (a name toKeyInfo could not pass on) there is no guessing.
      if (!dataCenter) throw noEndpoint(undefined);
      const endpoint = endpointOf(dataCenter);
      if (!endpoint) throw noEndpoint(dataCenter);
      return { endpoint, region: S3_SIGNING_REGION, forcePathStyle: true };
    },
  };
}

const endpointFields: AccountField[] = DATA_CENTERS.map((dc) => ({
  name: endpointField(dc.id),
  label: `S3 endpoint for ${dc.id} (${dc.city})`,
  kind: 'url',
  // Required for each data center the project has an instance in; verify() says which is missing.
  required: false,
  requiredWhen: { note: `if the project has an instance in ${dc.city}` },
  defaultValue: `https://objects.${dc.id}.glesys.net`,
  placeholder: 'https://…',
  help: `GleSYS's S3 host in ${dc.city}, needed for the keys of instances there; change it only if GleSYS gives you another one.`,
}));

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'glesys',
    name: 'GleSYS Object Storage',
    summary: 'GleSYS object storage instances and their access keys, managed with a project API key.',
    capabilities: {
      canDeactivate: false,
      canDelete: true,
      deleteVerb: 'Revoke',
      canShowSecretAgain: false, // the secret is shown once, in the create answer
      canRegenerate: false,
      hasGracePeriod: false,
      canEditDescription: false, // the API has no call to change it
      keepsDescription: true, // given when the key is made, shown in "Your credentials"
      hasRegions: false, // the data center belongs to the instance, which owns the keys
      hasRoles: false,
      keysForOtherUsers: true, // keys of every instance of the project
      canSuspendOwner: false,
      reportsLastUsed: false,
      // Many keys per instance and no documented limit: rotation adds the new key before revoking the old.
      rotation: 'create-then-delete',
    },
    owners: { label: 'Instance', accountDefault: false },
    accountFields: [
      { name: 'projectId', label: 'Project ID', kind: 'text', required: true, placeholder: 'CL12345', help: 'The project the object storage instances belong to.' },
      { name: 'apiKey', label: 'API key', kind: 'secret', required: true, help: 'An API key of the project with access to Object Storage.' },
      ...endpointFields,
      { name: 'apiUrl', label: 'API URL', kind: 'url', required: false, defaultValue: 'https://api.glesys.com' },
    ],
  },
  connect,
};
