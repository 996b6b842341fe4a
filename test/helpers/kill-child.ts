import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/**
 * Runs a TypeScript child (through Vite's module runner, no build step) until it prints `marker`, then
 * SIGKILLs it: a real process death at that instant, for the crash tests. Resolves to the signal it died of.
 */
export async function killChildAt(script: string, env: Record<string, string>, marker: string): Promise<NodeJS.Signals | null> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', "const { runnerImport } = await import('vite'); await runnerImport(process.env.KILL_CHILD_SCRIPT, { configFile: false, root: process.cwd(), logLevel: 'error' });"],
    { cwd: root, env: { ...process.env, ...env, KILL_CHILD_SCRIPT: join(root, script) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
  await new Promise<void>((reached, failed) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) reached();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => failed(new Error(`child exited before ${marker}:\n${output}`)));
  });
  child.kill('SIGKILL');
  return exited;
}
