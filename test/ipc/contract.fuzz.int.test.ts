import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src-main/core/errors';
import type { AccountField } from '../../src-main/core/providers/adapter';
import { providerDescriptors } from '../../src-main/core/providers/registry';
import { secretName } from '../../src-main/core/vault/secret-store';
import { createAppContext, type AppContext } from '../../src-main/ipc/app-context';
import type { Envelope } from '../../src-main/ipc/channel';
import { channels, type Handlers } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { createHandlers } from '../../src-main/ipc/handlers';
import { fuzz, reportFuzzCounts, within } from '../helpers/fuzz';
import { blockNetworkEgress } from '../helpers/no-egress';
import { watchProcessErrors } from '../helpers/process-errors';
import { hostileClone, hostileString, payloadFor, type PayloadHints } from '../helpers/zod-arbitrary';

/**
 * Every channel of the contract, through the same dispatch Electron IPC and browser mode use, with
 * generated payloads: shaped from the channel's schema (so handlers run, against a throw-away
 * KEYDESK_HOME, keyring and HOME, and a local stub for every provider and S3 endpoint), the same with one
 * field broken, and anything a structured clone can carry. Property: a typed answer within the bound
 * (never INTERNAL, which means a handler threw something nobody anticipated), that the bridge can send
 * as JSON, without a seeded secret in it, and the app still answers afterwards with nothing escaped.
 */

const RUNS_PER_CHANNEL = 40;
const CASE_MS = 20_000;
const SECRET = 'fuzzSecretKey/ThatMustNeverLeak+0123456789';
/** Channels whose purpose is to hand a secret to the user once, on request. */
const REVEALS = new Set(['keys:showSecret', 'keys:create', 'keys:regenerate', 'credentials:revealForSnippet']);
const CODES = new Set<ErrorCode>([
  'INVALID_INPUT',
  'KEYCHAIN_UNAVAILABLE',
  'NETWORK',
  'TIMEOUT',
  'AUTH_EXPIRED',
  'AUTH_FAILED',
  'SIGNATURE_MISMATCH',
  'INVALID_ACCESS_KEY',
  'ACCESS_DENIED',
  'NOT_FOUND',
  'LIMIT_REACHED',
  'CONFLICT',
  'UNSUPPORTED',
  'PROVIDER',
  'CANCELLED',
  'INTERNAL',
]);
/** What toErrorInfo answers for an error nobody anticipated: the handler threw something that was not a KeydeskError. */
const UNANTICIPATED = 'Something went wrong inside Keydesk. Try again; if it persists, restart the app.';

let root: string;
let context: AppContext;
let handlers: Handlers;
let stub: Server;
let hints: PayloadHints;
let unblock: () => void;
const saved: Record<string, string | undefined> = {};
const watch = watchProcessErrors();

/** Answers every request the way a server refusing the caller does, at once: S3 XML and provider JSON alike. */
async function startStub(): Promise<string> {
  stub = createServer((request, response) => {
    request.resume();
    const json = /json/.test(request.headers.accept ?? '') || /^\/(v\d|api|identity)/.test(request.url ?? '');
    response.writeHead(403, { 'Content-Type': json ? 'application/json' : 'application/xml' });
    response.end(json ? '{"error":{"code":"AccessDenied","message":"fuzz stub"}}' : '<Error><Code>AccessDenied</Code><Message>fuzz stub</Message></Error>');
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(stub.address() as { port: number }).port}`;
}

/** A complete value for an account field, every URL pointing at the stub (a table field gets one row). */
function fieldValue(field: AccountField, endpoint: string): string {
  if (field.kind === 'secret') return SECRET;
  if (field.kind === 'rows') return JSON.stringify([Object.fromEntries((field.columns ?? []).map((column) => [column.name, fieldValue(column, endpoint)]))]);
  return { url: endpoint, select: field.options?.[0]?.value ?? '', number: '1', boolean: 'true', text: field.defaultValue ?? 'fuzz' }[field.kind];
}

/** Complete account fields for each provider. */
function accountFields(endpoint: string): Record<string, string>[] {
  return providerDescriptors()
    .filter((provider) => !provider.pastedKeyOnly)
    .map((provider) => Object.fromEntries(provider.accountFields.map((field) => [field.name, fieldValue(field, endpoint)])));
}

/**
 * A credential and one account per provider, all pointing at the stub, so handlers get past "not found".
 * Run before every channel: the removal channels delete what they are given (notices too).
 */
async function seed(endpoint: string): Promise<Pick<PayloadHints, 'credentialIds' | 'accountIds' | 'noticeIds'>> {
  const accountIds: string[] = [];
  for (const provider of providerDescriptors().filter((p) => !p.pastedKeyOnly)) {
    const id = randomUUID();
    const settings: Record<string, string> = {};
    for (const field of provider.accountFields) {
      if (field.kind === 'secret') await context.secrets.set(secretName.accountField(id, field.name), SECRET);
      else settings[field.name] = fieldValue(field, endpoint);
    }
    context.metadata.putAccount({ id, providerId: provider.id, label: `fuzz ${provider.id}`, settings, createdAt: new Date().toISOString() });
    accountIds.push(id);
  }
  // Keydesk keeps one entry per key (endpoint + access key ID): each seeding saves new keys.
  const keyId = () => `AKIAFUZZ${randomUUID().slice(0, 8).toUpperCase()}`;
  const linked = await context.vault.save({ label: 'fuzz', endpoint, region: 'us-east-1', accessKeyId: keyId(), secretAccessKey: SECRET, forcePathStyle: true, accountId: accountIds[0], owner: 'fuzz' });
  const plain = await context.vault.save({ label: 'fuzz plain', endpoint, region: 'us-east-1', accessKeyId: keyId(), secretAccessKey: SECRET, forcePathStyle: true });
  // Notices to dismiss, as rotation work at start would have left them.
  const notices = ['revoked', 'failed'].map((kind) => context.notices.add({ id: randomUUID(), kind: kind as 'revoked' | 'failed', title: `fuzz ${kind}`, body: 'AKIAFUZZ (fuzz)' }));
  return { credentialIds: [linked.id, plain.id], accountIds, noticeIds: notices.map((n) => n.noticeId) };
}

/** Per channel: how many answers were values, validation refusals, and other (handler) errors — proof the handlers ran. */
const outcomes = new Map<string, Record<string, number>>();

function expectTypedAnswer(channel: string, envelope: Envelope<unknown>): void {
  const text = JSON.stringify(envelope); // the bridge sends every answer as JSON
  const tally = outcomes.get(channel) ?? {};
  const refusedByDispatch = !envelope.ok && /^(Invalid request for|Unknown channel) /.test(envelope.error.message);
  const outcome = envelope.ok ? 'ok' : refusedByDispatch ? 'schema' : envelope.error.code;
  tally[outcome] = (tally[outcome] ?? 0) + 1;
  outcomes.set(channel, tally);
  if (envelope.ok) return;
  expect(CODES, `${channel} answered ${text}`).toContain(envelope.error.code);
  expect(envelope.error.message.length).toBeGreaterThan(0);
  expect(envelope.error.message, `${channel} threw an error nobody anticipated (see the log above)`).not.toBe(UNANTICIPATED);
  if (!REVEALS.has(channel)) expect(text).not.toContain(SECRET);
}

describe('IPC contract under fuzz', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'keydesk-fuzz-'));
    // Import and snippets read HOME and these variables: all of them point into the throw-away folder.
    // So does the plain-text scan, and the history and XDG variables too.
    const toolVariables = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'RCLONE_CONFIG', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'S3CMD_CONFIG', 'HISTFILE', 'ZDOTDIR'];
    for (const name of ['HOME', ...toolVariables]) saved[name] = process.env[name];
    process.env.HOME = join(root, 'home');
    for (const name of toolVariables) delete process.env[name];
    await mkdir(join(root, 'home', '.aws'), { recursive: true });
    await writeFile(join(root, 'home', '.aws', 'credentials'), `[fuzz]\naws_access_key_id = AKIAFUZZIMPORT\naws_secret_access_key = ${SECRET}\n`);
    unblock = blockNetworkEgress();
    const endpoint = await startStub();
    const files = join(root, 'files');
    await mkdir(files);
    await writeFile(join(files, 'a.txt'), 'fuzz');
    context = createAppContext({ mode: 'browser', version: '0.0.0-fuzz', home: join(root, 'data'), defaultHome: join(root, 'default'), openLink: async () => {}, cliCommand: 'keydesk' });
    context.pathGrants.grant(files, 'read', 'folder');
    context.pathGrants.grant(files, 'write', 'folder');
    // Main must never emit an event the bridge cannot send.
    context.events.subscribe((event, payload) => void JSON.stringify({ event, payload }));
    handlers = createHandlers(context);
    hints = { ...(await seed(endpoint)), endpoint, providerIds: providerDescriptors().map((p) => p.id), accountFields: accountFields(endpoint), localPaths: [join(files, 'a.txt'), files, join(files, 'new'), join(files, '..', '..'), '/etc/passwd', 'relative/path', '/'] };
  });

  afterAll(async () => {
    await context?.transfers.shutdown();
    unblock?.();
    await new Promise((resolve) => stub?.close(resolve));
    watch.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(root, { recursive: true, force: true });
    reportFuzzCounts();
    const reached = [...outcomes.values()].reduce((sum, tally) => sum + Object.entries(tally).filter(([outcome]) => outcome !== 'schema').reduce((s, [, n]) => s + n, 0), 0);
    const total = [...outcomes.values()].reduce((sum, tally) => sum + Object.values(tally).reduce((s, n) => s + n, 0), 0);
    console.log(`contract fuzz: ${reached} of ${total} payloads passed validation and reached their handler`);
    if (process.env.KEYDESK_FUZZ_VERBOSE) for (const [channel, tally] of outcomes) console.log(`  ${channel}: ${JSON.stringify(tally)}`);
  });

  for (const [channel, { input }] of Object.entries(channels)) {
    it(`${channel}: a typed answer in time for any payload, and the app still answers`, { timeout: 600_000 }, async () => {
      Object.assign(hints, await seed(hints.endpoint));
      await fuzz(
        'contract (dispatch, every channel)',
        RUNS_PER_CHANNEL,
        fc.asyncProperty(payloadFor(input, hints, hostileClone), async (payload) => {
          expectTypedAnswer(channel, await within(CASE_MS, dispatch(handlers, channel, payload), channel));
          await expect(within(5_000, dispatch(handlers, 'app:info', undefined), 'app:info')).resolves.toMatchObject({ ok: true });
          expect(watch.errors).toEqual([]);
        }),
      );
    });
  }

  it('answers unknown and hostile channel names with INVALID_INPUT', async () => {
    const names = fc.oneof(hostileClone, hostileString, fc.constantFrom(...Object.keys(channels)).map((name) => `${name} `), fc.string());
    await fuzz(
      'contract (channel names)',
      200,
      fc.asyncProperty(names, async (name) => {
        fc.pre(typeof name !== 'string' || !Object.hasOwn(channels, name));
        await expect(within(CASE_MS, dispatch(handlers, name, undefined), 'channel name')).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      }),
    );
    expect(watch.errors).toEqual([]);
  });
});
