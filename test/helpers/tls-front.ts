import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1, as appliances (Dell ECS) ship with: EC P-256, openssl-made. */
export async function selfSignedCertificate(commonName: string): Promise<KeyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'keydesk-cert-'));
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
  return { cert: await readFile(join(dir, 'cert.pem'), 'utf8'), key: await readFile(join(dir, 'key.pem'), 'utf8') };
}

/**
 * HTTPS in front of a plain HTTP server (RGW's), with a certificate the test chooses and can replace while
 * it runs: the server "gets a new certificate", as when an administrator renews it.
 */
export async function tlsFront(target: string, certificate: KeyPair) {
  const { hostname, port } = new URL(target);
  const server = createServer(certificate, (client) => {
    const upstream = connect(Number(port), hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    replaceCertificate: (next: KeyPair) => server.setSecureContext(next),
    close: () => server.close(),
  };
}
