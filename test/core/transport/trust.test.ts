import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeydeskError } from '../../../src-main/core/errors';
import { openSocket } from '../../../src-main/core/transport/connect';
import { importCa } from '../../../src-main/core/transport/ledger';
import { probeCertificate } from '../../../src-main/core/transport/probe';
import { inheritTrust, resolveTrust, trustFor, type TrustEntry } from '../../../src-main/core/transport/trust';
import { trustEntry } from '../../helpers/tls';

/*
 * The trust rules against real TLS servers with openssl-made certificates: what a user is shown for each
 * kind of untrusted certificate, and which choice fixes which. Verification is never switched off: every
 * connection below that succeeds does so because of a CA or pin the test chose.
 */

const run = promisify(execFile);
let dir: string;
const servers: Server[] = [];
const pem: Record<string, string> = {};

async function openssl(...args: string[]) {
  await run('openssl', args, { cwd: dir });
}

/** A CA, and certificates it issued or that sign themselves (EC P-256: fast to make). */
async function makeCertificates() {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl('req', '-x509', ...ec, '-days', '2', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Keydesk Test Root/O=Keydesk', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  for (const [name, san] of [['leaf', 'IP:127.0.0.1,DNS:localhost'], ['other', 'DNS:other.example']]) {
    await openssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await writeFile(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\n`);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
  for (const name of ['self', 'self2']) {
    await openssl('req', '-x509', ...ec, '-days', '2', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', '/CN=ecs.appliance', '-addext', 'subjectAltName=IP:127.0.0.1');
  }
  for (const name of ['ca', 'leaf', 'other', 'self', 'self2']) pem[name] = await readFile(join(dir, `${name}.pem`), 'utf8');
}

async function serve(certificate: string, key: string): Promise<number> {
  const server = createServer({ cert: certificate, key: await readFile(join(dir, key), 'utf8') }, (socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const sha = (name: string) => new X509Certificate(pem[name]).fingerprint256;

async function connect(port: number, trust?: TrustEntry[], hostname = '127.0.0.1') {
  const { socket } = await openSocket({ protocol: 'https:', hostname, port }, { trust, timeoutMs: 5_000 });
  socket.destroy();
}

function refusal(port: number, trust?: TrustEntry[], hostname = '127.0.0.1'): Promise<KeydeskError> {
  return connect(port, trust, hostname).then(
    () => {
      throw new Error('connected');
    },
    (error: KeydeskError) => error,
  );
}

let chainPort: number;
let leafOnlyPort: number;
let selfPort: number;
let otherNamePort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keydesk-trust-'));
  await makeCertificates();
  chainPort = await serve(pem.leaf + pem.ca, 'leaf.key');
  leafOnlyPort = await serve(pem.leaf, 'leaf.key');
  selfPort = await serve(pem.self, 'self.key');
  otherNamePort = await serve(pem.other + pem.ca, 'other.key');
});

afterAll(() => {
  for (const server of servers) server.close();
});

describe('a private CA', () => {
  it('is refused until trusted, with the certificate shown; trusted, it works for that host only', async () => {
    const error = await refusal(chainPort);
    expect(error).toMatchObject({ code: 'UNTRUSTED_CERTIFICATE', message: `127.0.0.1:${chainPort} uses a certificate issued by CN=Keydesk Test Root, O=Keydesk, a certificate authority Keydesk doesn't trust.` });
    expect(error.certificate).toMatchObject({
      host: '127.0.0.1',
      port: chainPort,
      reason: 'unknown-ca',
      detail: 'SELF_SIGNED_CERT_IN_CHAIN',
      nameMatches: true,
      anchor: 1,
      chain: [
        { subject: 'CN=leaf', issuer: 'CN=Keydesk Test Root, O=Keydesk', sha256: sha('leaf'), altNames: ['IP:127.0.0.1', 'DNS:localhost'], isCA: false, selfSigned: false },
        { subject: 'CN=Keydesk Test Root, O=Keydesk', sha256: sha('ca'), isCA: true, selfSigned: true },
      ],
    });
    expect(Date.parse(error.certificate!.chain[0].validTo)).toBeGreaterThan(Date.now());
    const trust = resolveTrust([{ kind: 'ca', host: '127.0.0.1', sha256: sha('ca') }]);
    expect(trust).toMatchObject([{ kind: 'ca', host: '127.0.0.1', sha256: sha('ca'), subject: 'CN=Keydesk Test Root, O=Keydesk', pem: expect.stringContaining('BEGIN CERTIFICATE') }]);
    await connect(chainPort, trust);
    // The same CA, trusted for 127.0.0.1, does not apply to another host name of the same server.
    await expect(refusal(chainPort, trust, 'localhost')).resolves.toMatchObject({ certificate: { reason: 'unknown-ca', host: 'localhost' } });
  });

  it('comes from a file when the server sends only its own certificate, and only a CA that issued it is taken', async () => {
    const error = await refusal(leafOnlyPort);
    expect(error.certificate).toMatchObject({ reason: 'unknown-ca', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: [{ subject: 'CN=leaf' }] });
    expect(error.certificate?.anchor).toBeUndefined();
    expect(() => resolveTrust([{ kind: 'ca', host: '127.0.0.1', sha256: sha('leaf') }])).toThrow(/is not a certificate authority: pin it instead/);
    expect(() => importCa('127.0.0.1', pem.self)).toThrow(/"CN=ecs.appliance" did not issue the certificate 127.0.0.1 presents; that one was issued by "CN=Keydesk Test Root, O=Keydesk"/);
    expect(() => importCa('127.0.0.1', pem.leaf)).toThrow(/is not a certificate authority/);
    expect(() => importCa('127.0.0.1', 'not a certificate')).toThrow(/not a certificate in PEM format/);
    expect(() => importCa('never.seen.example', pem.ca)).toThrow(/has not seen the certificate of never.seen.example/);
    expect(importCa('127.0.0.1', pem.ca)).toMatchObject({ subject: 'CN=Keydesk Test Root, O=Keydesk', isCA: true });
    await connect(leafOnlyPort, resolveTrust([{ kind: 'ca', host: '127.0.0.1', sha256: sha('ca') }]));
  });
});

describe('a self-signed certificate (a Dell ECS appliance out of the box)', () => {
  it('can be trusted as its own CA or pinned', async () => {
    const error = await refusal(selfPort);
    expect(error.certificate).toMatchObject({ reason: 'self-signed', detail: 'DEPTH_ZERO_SELF_SIGNED_CERT', anchor: 0, nameMatches: true, chain: [{ subject: 'CN=ecs.appliance', selfSigned: true }] });
    expect(error.message).toBe(`127.0.0.1:${selfPort} uses a self-signed certificate, which Keydesk doesn't trust.`);
    await connect(selfPort, resolveTrust([{ kind: 'ca', host: '127.0.0.1', sha256: sha('self') }]));
    await connect(selfPort, resolveTrust([{ kind: 'pin', host: '127.0.0.1', sha256: sha('self') }]));
  });

  it('refuses a server whose certificate no longer matches the pin, and shows the new one and the pinned one', async () => {
    const pinned = resolveTrust([{ kind: 'pin', host: '127.0.0.1', sha256: sha('self') }]);
    const replaced = await serve(pem.self2, 'self2.key');
    const error = await refusal(replaced, pinned);
    expect(error).toMatchObject({
      code: 'UNTRUSTED_CERTIFICATE',
      message: `The certificate of 127.0.0.1:${replaced} changed: it is not the certificate you pinned, so Keydesk refused the connection.`,
      certificate: { reason: 'pin-mismatch', chain: [{ sha256: sha('self2') }], pinned: [{ sha256: sha('self'), subject: 'CN=ecs.appliance' }] },
    });
    // A pin is exact: even a certificate a trusted CA issued is refused where a pin applies.
    const both = [...pinned!, trustEntry('ca', '127.0.0.1', pem.ca)];
    await expect(refusal(chainPort, both)).resolves.toMatchObject({ certificate: { reason: 'pin-mismatch' } });
  });
});

describe('a certificate for another name', () => {
  it('is not fixed by trusting its CA; only pinning that exact certificate accepts it', async () => {
    const error = await refusal(otherNamePort);
    expect(error.certificate).toMatchObject({ reason: 'unknown-ca', nameMatches: false });
    const ca = resolveTrust([{ kind: 'ca', host: '127.0.0.1', sha256: sha('ca') }]);
    const still = await refusal(otherNamePort, ca);
    expect(still).toMatchObject({ message: `The certificate of 127.0.0.1:${otherNamePort} is for DNS:other.example, not for 127.0.0.1.`, certificate: { reason: 'hostname-mismatch', detail: 'ERR_TLS_CERT_ALTNAME_INVALID', nameMatches: false } });
    await connect(otherNamePort, resolveTrust([{ kind: 'pin', host: '127.0.0.1', sha256: sha('other') }]));
  });
});

describe('trust choices from the renderer', () => {
  it('name only certificates a server presented to that host, in the role they had', async () => {
    await refusal(chainPort);
    expect(() => resolveTrust([{ kind: 'pin', host: '127.0.0.1', sha256: sha('ca') }])).toThrow(/Only the server's own certificate can be pinned/);
    expect(() => resolveTrust([{ kind: 'ca', host: 'other.host', sha256: sha('ca') }])).toThrow(/has not seen that certificate for other.host/);
    expect(() => resolveTrust([{ kind: 'pin', host: '127.0.0.1', sha256: 'AB:'.repeat(31) + 'AB' }])).toThrow(/has not seen that certificate/);
    expect(resolveTrust([])).toBeUndefined();
  });

  it('keep entries already stored without needing the ledger, and drop duplicates', () => {
    const stored = [trustEntry('pin', 'ecs.example', pem.self)];
    const kept = resolveTrust([stored[0], stored[0]].map(({ kind, host, sha256 }) => ({ kind, host, sha256 })), stored);
    expect(kept).toEqual(stored);
  });

  it('apply to the host and its subdomains (virtual-hosted buckets), and pass from an account to its S3 endpoint', () => {
    const entries = [trustEntry('ca', 's3.example.com', pem.ca), trustEntry('pin', 'admin.example.com', pem.self)];
    expect(trustFor(entries, 'S3.example.com').map((e) => e.kind)).toEqual(['ca']);
    expect(trustFor(entries, 'bucket.s3.example.com').map((e) => e.kind)).toEqual(['ca']);
    expect(trustFor(entries, 'evil-s3.example.com')).toEqual([]);
    expect(trustFor(entries, 'example.com')).toEqual([]);
    expect(inheritTrust(entries, 'https://s3.example.com:9021')?.map((e) => e.host)).toEqual(['s3.example.com']);
    expect(inheritTrust(entries, 'https://elsewhere.example')).toBeUndefined();
  });
});

describe('probe', () => {
  it('reports what an endpoint presents, trusted or not, without sending a request', async () => {
    await expect(probeCertificate(`https://127.0.0.1:${selfPort}/`, undefined)).resolves.toMatchObject({ host: '127.0.0.1', port: selfPort, problem: { reason: 'self-signed' }, chain: [{ subject: 'CN=ecs.appliance' }] });
    const trusted = await probeCertificate(`https://127.0.0.1:${chainPort}`, [trustEntry('ca', '127.0.0.1', pem.ca)]);
    expect(trusted.problem).toBeUndefined();
    expect(trusted.chain.map((c) => c.subject)).toEqual(['CN=leaf', 'CN=Keydesk Test Root, O=Keydesk']);
    await expect(probeCertificate('http://127.0.0.1:1', undefined)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Only https:// endpoints have a certificate to check.' });
    await expect(probeCertificate('https://user:pw@127.0.0.1:1', undefined)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
