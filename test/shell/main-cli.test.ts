import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({ current: undefined as unknown as import('../helpers/fake-electron').FakeElectron }));
vi.mock('electron', async () => {
  const { createFakeElectron: create } = await import('../helpers/fake-electron');
  fake.current = create();
  return fake.current.module;
});

it('answers `Keydesk credential-process` from the main process and exits without opening a window', async () => {
  process.env.KEYDESK_HOME = mkdtempSync(join(tmpdir(), 'keydesk-cli-'));
  process.argv = [process.execPath, 'credential-process', '--profile', 'no-such-profile'];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  // The module never finishes evaluating on this path (app.exit ends a real process), so it is not awaited.
  void import('../../src-main/shell/main');
  await vi.waitFor(() => expect(fake.current.exitCodes).toEqual([1]), { timeout: 15_000 });
  expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/^keydesk: .*no-such-profile/);
  expect(fake.current.windows).toEqual([]);
  expect(fake.current.handlers.size).toBe(0);
  // Importing the whole shell under vitest takes seconds on a busy machine: longer than waitFor's 15 s.
}, 20_000);
