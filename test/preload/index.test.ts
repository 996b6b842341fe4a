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
  webUtils: { getPathForFile: () => '/dropped' },
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
    // The one renderer-local helper outside the contract: dropped files → paths.
    expect(exposed.extra).toEqual(['keydeskPathForFile']);
  });
});
