import { afterEach, describe, expect, it, vi } from 'vitest';
import { channels } from '../../src-main/ipc/contract';

const exposed = vi.hoisted(() => ({
  api: undefined as Record<string, unknown> | undefined,
  invoked: [] as unknown[][],
  extra: [] as string[],
  /** Main stuck: invoke never settles (pings included). */
  hung: false,
  /** Main alive (answers pings) but its handlers never finish. */
  stuckCalls: false,
}));
vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (name: string, api: unknown) => {
      if (name === 'keydesk') exposed.api = api as Record<string, unknown>;
      else exposed.extra.push(name);
    },
  },
  // As Electron: a path only for a File backed by the OS (here: by name), '' for one a page made, a throw for anything else.
  webUtils: {
    getPathForFile: (file: unknown) => {
      if (!(file instanceof File)) throw new TypeError('not a File');
      return file.name === 'from-os.txt' ? '/home/u/from-os.txt' : '';
    },
  },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      if (exposed.hung || (exposed.stuckCalls && args[0] !== 'app:ping')) return new Promise(() => {});
      exposed.invoked.push(args);
      return Promise.resolve(args[0] === 'app:ping' ? { ok: true, value: true } : exposed.invoked.length);
    },
    on: () => {},
    removeListener: () => {},
  },
}));

describe('preload', () => {
  it('exposes one method per contract channel on window.keydesk, grouped by area, and nothing else', async () => {
    await import('../../src-main/preload/index');
    const api = exposed.api!;
    const methods = Object.entries(api).flatMap(([area, group]) =>
      typeof group === 'function' ? [] : Object.keys(group as object).map((verb) => `${area}:${verb}`),
    );
    expect(methods.sort()).toEqual(Object.keys(channels).sort());
    expect(Object.keys(api).filter((key) => typeof api[key] === 'function')).toEqual(['on', 'onConnection']);

    await (api.credentials as { remove: (args: unknown) => Promise<unknown> }).remove({ id: 'x' });
    expect(exposed.invoked.at(-1)).toEqual(['credentials:remove', { id: 'x' }]);
    expect(() => (api.on as (event: string, cb: () => void) => void)('not:an-event', () => {})).toThrow(/Unknown event/);
    expect(exposed.extra).toEqual([]);
  });

  it('sends main the paths of dropped File objects, never strings the page names', async () => {
    await import('../../src-main/preload/index');
    const dropped = (exposed.api!.dialogs as { dropped: (files: unknown) => Promise<unknown> }).dropped;
    await dropped([new File(['x'], 'from-os.txt'), new File(['x'], 'made-by-page.txt'), '/etc/passwd', { name: '/etc/shadow' }]);
    expect(exposed.invoked.at(-1)).toEqual(['dialogs:dropped', { paths: ['/home/u/from-os.txt'] }]);
    await dropped('/etc/passwd');
    expect(exposed.invoked.at(-1)).toEqual(['dialogs:dropped', { paths: [] }]);
  });

  describe('when main hangs', () => {
    afterEach(() => {
      exposed.hung = false;
      exposed.stuckCalls = false;
      vi.useRealTimers();
    });

    /** A fresh preload whose timers (call timeouts, heartbeat) run on fake time. */
    async function hungPreload(what: 'hung' | 'stuckCalls') {
      vi.useFakeTimers();
      vi.resetModules();
      await import('../../src-main/preload/index');
      exposed[what] = true;
      const api = exposed.api! as Record<string, Record<string, (args?: unknown) => Promise<{ ok: boolean; error?: { code: string; message: string } }>>> & {
        onConnection: (listener: (state: { status: string; reason?: string }) => void) => () => void;
      };
      const states: { status: string; reason?: string }[] = [];
      api.onConnection((state) => void states.push(state));
      return { api, states };
    }

    it('ends a call main never answers with a timeout sized for its channel, while main itself still answers', async () => {
      const { api, states } = await hungPreload('stuckCalls');
      let local: unknown;
      let remote: unknown;
      void api.credentials.list().then((envelope) => (local = envelope));
      void api.credentials.test({}).then((envelope) => (remote = envelope));
      await vi.advanceTimersByTimeAsync(29_000);
      expect(local).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(local).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: 'Keydesk did not answer within 30 seconds.' } });
      expect(remote).toBeUndefined();
      await vi.advanceTimersByTimeAsync(90_000);
      expect(remote).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: 'Keydesk did not answer within 120 seconds.' } });
      expect(states.at(-1)).toEqual({ status: 'open' });
    });

    it('reports main as not responding once pings go unanswered, ends long calls, and recovers when it answers again', async () => {
      const { api, states } = await hungPreload('hung');
      let move: unknown;
      void api.objects.move({}).then((envelope) => (move = envelope));
      await vi.advanceTimersByTimeAsync(8_000);
      expect(states.at(-1)).toEqual({ status: 'open' });
      await vi.advanceTimersByTimeAsync(8_000);
      expect(states.at(-1)).toEqual({ status: 'lost', reason: 'not-responding' });
      // A long move has no timeout of its own; main going silent is what ends it.
      expect(move).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: expect.stringContaining('stopped answering') } });
      await expect(api.app.info()).resolves.toMatchObject({ ok: false, error: { message: expect.stringContaining('stopped answering') } });
      exposed.hung = false;
      await vi.advanceTimersByTimeAsync(4_000);
      expect(states.at(-1)).toEqual({ status: 'open' });
      await expect(api.app.info()).resolves.not.toMatchObject({ ok: false });
    });
  });
});
