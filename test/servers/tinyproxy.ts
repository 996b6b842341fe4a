import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './rgw';

/**
 * A real HTTP proxy (Debian's tinyproxy) on a free port, for the proxy tests: optional Basic auth, a
 * client allow-list (403 for everyone else) and CONNECT port limits, and its log to prove which requests
 * went through it.
 */
export interface Tinyproxy {
  /** http://127.0.0.1:PORT (no credentials). */
  url: string;
  port: number;
  /** "host:port" of every CONNECT it was asked for, in order. */
  connects(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  auth?: { user: string; password: string };
  /** Clients allowed; the default allows 127.0.0.1. Anything else gets 403. */
  allow?: string;
  /** Ports CONNECT may reach; none = all. */
  connectPorts?: number[];
}

export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'keydesk-tinyproxy-'));
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${log}"`,
    'LogLevel Info',
    'MaxClients 100',
    `Allow ${options.allow ?? '127.0.0.1'}`,
    options.auth ? `BasicAuth ${options.auth.user} ${options.auth.password}` : '',
    ...(options.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
  ];
  await writeFile(join(dir, 'tinyproxy.conf'), `${config.filter(Boolean).join('\n')}\n`);
  const child = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; !(await accepts(port)); attempt++) {
    if (attempt > 100 || child.exitCode !== null) throw new Error(`tinyproxy did not start: ${stderr || 'is it installed? bash scripts/install-system-deps.sh'}`);
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async connects() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return [...text.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((match) => match[1]);
    },
    async stop() {
      child.kill();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something listens on 127.0.0.1:port yet. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
