import { execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './rgw';
import { accepts, type Tinyproxy } from './tinyproxy';

const run = promisify(execFile);

/**
 * A real squid (Debian's squid, the usual corporate proxy) on a free port, configured as such proxies are:
 * Basic authentication through squid's own helper, and CONNECT only to the "SSL ports" (443 and whichever
 * the test adds), which is squid's default policy. Its access log proves which tunnels it opened, and for whom.
 */
export interface SquidOptions {
  auth?: { user: string; password: string };
  /** Ports CONNECT may reach besides 443. */
  sslPorts?: number[];
}

export interface Squid extends Tinyproxy {
  /** "user host:port" of every CONNECT it let through ("-" for no user), in order. */
  tunnels(): Promise<string[]>;
}

export async function startSquid(options: SquidOptions = {}): Promise<Squid> {
  const dir = await mkdtemp(join(tmpdir(), 'keydesk-squid-'));
  // Started as root, squid drops to its own user, which must write its logs here.
  if (process.getuid?.() === 0) {
    const id = async (flag: string) => Number((await run('id', [flag, 'proxy'])).stdout);
    await chown(dir, await id('-u'), await id('-g'));
  }
  const port = await freePort();
  const log = join(dir, 'access.log');
  const passwords = join(dir, 'passwords');
  if (options.auth) {
    const hash = (await run('openssl', ['passwd', '-apr1', options.auth.password])).stdout.trim();
    await writeFile(passwords, `${options.auth.user}:${hash}\n`, { mode: 0o644 });
  }
  const config = [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    'cache deny all',
    'cache_mem 8 MB',
    `access_log stdio:${log}`,
    `cache_log ${join(dir, 'cache.log')}`,
    'cache_store_log none',
    `coredump_dir ${dir}`,
    'netdb_filename none',
    'shutdown_lifetime 0 seconds',
    `acl SSL_ports port ${[443, ...(options.sslPorts ?? [])].join(' ')}`,
    'acl CONNECT method CONNECT',
    'http_access deny CONNECT !SSL_ports',
    ...(options.auth
      ? [`auth_param basic program /usr/lib/squid/basic_ncsa_auth ${passwords}`, 'acl users proxy_auth REQUIRED', 'http_access allow users']
      : ['http_access allow localhost']),
    'http_access deny all',
  ];
  await writeFile(join(dir, 'squid.conf'), `${config.join('\n')}\n`, { mode: 0o644 });
  const child = spawn('squid', ['-N', '-f', join(dir, 'squid.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; !(await accepts(port)); attempt++) {
    if (attempt > 200 || child.exitCode !== null) {
      const cacheLog = await readFile(join(dir, 'cache.log'), 'utf8').catch(() => '');
      throw new Error(`squid did not start: ${stderr || cacheLog || 'is it installed? bash scripts/install-system-deps.sh'}`);
    }
    await sleep(50);
  }
  const entries = async () => {
    const text = await readFile(log, 'utf8').catch(() => '');
    // time elapsed client result/status bytes method URL user hierarchy type
    return text
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[5] === 'CONNECT');
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async connects() {
      return (await entries()).map((fields) => fields[6]);
    },
    async tunnels() {
      return (await entries()).filter((fields) => /\/200$/.test(fields[3])).map((fields) => `${fields[7]} ${fields[6]}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
