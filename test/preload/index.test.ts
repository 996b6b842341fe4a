import { describe, expect, it, vi } from 'vitest';
import { channels } from '../../src-main/ipc/contract';

const exposed = vi.hoisted(() => ({ api: undefined as Record<string, unknown> | undefined, invoked: [] as unknown[][], extra: [] as string[] }));
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
    invoke: async (...args: unknown[]) => exposed.invoked.push(args),
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
    expect(Object.keys(api).filter((key) => typeof api[key] === 'function')).toEqual(['on']);

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
});
