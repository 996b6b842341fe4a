import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { KeyHealthMonitor, type KeyHealthOptions } from '../../../src-main/core/vault/key-health';
import { MetadataStore } from '../../../src-main/core/vault/metadata-store';
import { MemorySecrets } from '../../helpers/memory-secrets';

type Answer = 'ok' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch' | 'AccessDenied' | 'hang';

const LIST = '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID><DisplayName>o</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>';

/**
 * A small S3 endpoint on 127.0.0.1 that answers ListBuckets as each key's `answers` entry says, after a
 * short pause so checks overlap, and counts how many requests it holds at once (here and across servers).
 */
async function s3Server(shared: { inFlight: number; maxInFlight: number }, answers: Map<string, Answer>) {
  const state = { inFlight: 0, maxInFlight: 0, requests: [] as string[] };
  const server: Server = createServer((req, res) => {
    const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    state.requests.push(key);
    const answer = answers.get(key) ?? 'ok';
    if (answer === 'hang') return;
    state.inFlight++;
    shared.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    shared.maxInFlight = Math.max(shared.maxInFlight, shared.inFlight);
    setTimeout(() => {
      state.inFlight--;
      shared.inFlight--;
      if (answer === 'ok') res.writeHead(200, { 'content-type': 'application/xml' }).end(LIST);
      else res.writeHead(403, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer}</Code><Message>${answer}</Message></Error>`);
    }, 25);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const stop = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  stops.push(stop);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state, stop };
}

const stops: (() => Promise<void>)[] = [];
const monitors: KeyHealthMonitor[] = [];
afterEach(async () => {
  for (const monitor of monitors.splice(0)) monitor.stop();
  for (const stop of stops.splice(0)) await stop();
});

function setup(options: Partial<KeyHealthOptions> = {}) {
  const metadata = new MetadataStore({ store: {} });
  const vault = new CredentialVault(metadata, new MemorySecrets());
  const changes: string[][] = [];
  const monitor = new KeyHealthMonitor(vault, metadata, { onChange: (ids) => changes.push(ids), staggerMs: 0, startDelayMs: 3_600_000, ...options });
  monitors.push(monitor);
  const save = (endpoint: string, accessKeyId: string) => vault.save({ label: accessKeyId, endpoint, region: 'us-east-1', accessKeyId, secretAccessKey: `secret-${accessKeyId}` });
  return { metadata, vault, monitor, changes, save };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('key health checks', () => {
  it('checks every key, never more than `concurrency` at once and one at a time per service', async () => {
    const shared = { inFlight: 0, maxInFlight: 0 };
    const servers = await Promise.all([1, 2, 3].map(() => s3Server(shared, new Map())));
    const { vault, metadata, monitor, save } = setup({ concurrency: 2 });
    for (const [s, server] of servers.entries()) for (const k of [1, 2, 3, 4]) await save(server.url, `KEY${s}${k}`);

    await monitor.checkNow(vault.list().map((c) => c.id));

    expect(servers.map((s) => s.state.requests.length)).toEqual([4, 4, 4]);
    expect(servers.map((s) => s.state.maxInFlight)).toEqual([1, 1, 1]);
    expect(shared.maxInFlight).toBe(2);
    for (const record of vault.list()) {
      const health = metadata.health(record.id);
      expect(health).toMatchObject({ accessKeyId: record.accessKeyId, verifiedAt: health?.checkedAt });
      expect(health?.failingSince).toBeUndefined();
    }
    expect(monitor.isChecking(vault.list()[0].id)).toBe(false);
  });

  it('names why a key fails, keeps "failing since" across failed checks, and clears it when the key works again', async () => {
    const answers = new Map<string, Answer>([['REVOKED', 'InvalidAccessKeyId'], ['WRONG', 'SignatureDoesNotMatch'], ['NARROW', 'AccessDenied']]);
    const server = await s3Server({ inFlight: 0, maxInFlight: 0 }, answers);
    const closed = await s3Server({ inFlight: 0, maxInFlight: 0 }, new Map());
    await closed.stop();
    const { vault, metadata, monitor, save } = setup();
    const revoked = await save(server.url, 'REVOKED');
    const wrong = await save(server.url, 'WRONG');
    const narrow = await save(server.url, 'NARROW');
    const unreachable = await save(closed.url, 'GONE');

    await monitor.checkNow(vault.list().map((c) => c.id));
    expect(metadata.health(revoked.id)?.failure?.reason).toBe('revoked or unknown key');
    expect(metadata.health(revoked.id)?.failure?.error).toMatchObject({ code: 'INVALID_ACCESS_KEY', providerCode: 'InvalidAccessKeyId' });
    expect(metadata.health(wrong.id)?.failure?.reason).toBe('wrong secret');
    expect(metadata.health(unreachable.id)?.failure).toMatchObject({ reason: 'endpoint unreachable', error: { code: 'NETWORK' } });
    // Signed in, not allowed to list buckets: the key works.
    expect(metadata.health(narrow.id)).toMatchObject({ limited: true, verifiedAt: expect.any(String) });
    expect(metadata.health(narrow.id)?.failingSince).toBeUndefined();

    const since = metadata.health(revoked.id)!.failingSince!;
    const firstCheck = metadata.health(revoked.id)!.checkedAt;
    await until(() => new Date().toISOString() !== firstCheck);
    await monitor.checkNow([revoked.id]);
    expect(metadata.health(revoked.id)).toMatchObject({ failingSince: since });
    expect(metadata.health(revoked.id)!.checkedAt > firstCheck).toBe(true);

    answers.set('REVOKED', 'ok');
    await monitor.checkNow([revoked.id]);
    expect(metadata.health(revoked.id)).toMatchObject({ verifiedAt: expect.any(String) });
    expect(metadata.health(revoked.id)?.failingSince).toBeUndefined();
    expect(metadata.health(revoked.id)?.failure).toBeUndefined();
  });

  it('stop() cancels a running check: nothing recorded, and nothing starts afterwards', async () => {
    const server = await s3Server({ inFlight: 0, maxInFlight: 0 }, new Map([['SLOW', 'hang']]));
    const { metadata, monitor, save } = setup();
    const slow = await save(server.url, 'SLOW');
    const pending = monitor.checkNow([slow.id]);
    await until(() => server.state.requests.length === 1);
    expect(monitor.isChecking(slow.id)).toBe(true);
    monitor.stop();
    await pending;
    expect(metadata.health(slow.id)).toBeUndefined();
    expect(monitor.isChecking(slow.id)).toBe(false);
    await monitor.checkNow([slow.id]);
    await monitor.sweep();
    expect(server.state.requests).toHaveLength(1);
  });

  it('after a change, checks only a key or secret its last check did not see, and once more for changes during a check', async () => {
    const answers = new Map<string, Answer>();
    const server = await s3Server({ inFlight: 0, maxInFlight: 0 }, answers);
    const { vault, monitor, save, metadata } = setup();
    const record = await save(server.url, 'FIRST');
    monitor.keysChanged([record.id]);
    expect(server.state.requests).toHaveLength(0); // not started: no background work

    monitor.start();
    monitor.keysChanged([record.id]);
    await until(() => !!metadata.health(record.id));
    expect(server.state.requests).toEqual(['FIRST']);

    vault.update(record.id, { label: 'renamed', rotationMaxAgeDays: 30 });
    monitor.keysChanged([record.id]);
    await monitor.checkNow([]);
    expect(server.state.requests).toEqual(['FIRST']);

    // Rotation switched the key while a check of the old one was running: the old key's outcome is dropped.
    answers.set('FIRST', 'InvalidAccessKeyId');
    const running = monitor.checkNow([record.id]);
    await until(() => server.state.requests.length === 2);
    await vault.replaceKey(record.id, 'SECOND', 'secret-2');
    monitor.keysChanged([record.id]);
    monitor.keysChanged([record.id]);
    await running;
    await until(() => metadata.health(record.id)?.accessKeyId === 'SECOND');
    expect(server.state.requests).toEqual(['FIRST', 'FIRST', 'SECOND']);
    expect(metadata.health(record.id)?.failingSince).toBeUndefined();
  });

  it('the background pass checks keys never checked and those whose last check has aged, failing ones sooner', async () => {
    const answers = new Map<string, Answer>([['BAD', 'InvalidAccessKeyId']]);
    const server = await s3Server({ inFlight: 0, maxInFlight: 0 }, answers);
    const { vault, monitor, save, metadata } = setup({ maxAgeMs: 6 * 3_600_000, failingMaxAgeMs: 3_600_000 });
    const good = await save(server.url, 'GOOD');
    const bad = await save(server.url, 'BAD');
    await monitor.sweep();
    await until(() => !!metadata.health(good.id) && !!metadata.health(bad.id));
    expect(server.state.requests.sort()).toEqual(['BAD', 'GOOD']);

    await monitor.sweep(Date.now() + 60_000);
    expect(server.state.requests).toHaveLength(2);
    await monitor.sweep(Date.now() + 2 * 3_600_000);
    await until(() => server.state.requests.length === 3);
    expect(server.state.requests[2]).toBe('BAD');
    await until(() => !monitor.isChecking(bad.id));
    await monitor.sweep(Date.now() + 7 * 3_600_000);
    await until(() => server.state.requests.length === 5);
    expect(server.state.requests.slice(3).sort()).toEqual(['BAD', 'GOOD']);
    await until(() => vault.list().every((c) => !monitor.isChecking(c.id)));
  });
});
