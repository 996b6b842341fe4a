import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src-main/ipc/events';

describe('EventBus', () => {
  it('delivers to every listener even when one throws (a window or connection going away), and never throws into the emitter', () => {
    const bus = new EventBus();
    const received: string[] = [];
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    bus.subscribe(() => {
      throw new Error('Render frame was disposed before WebFrameMain could be accessed');
    });
    bus.subscribe((event) => void received.push(event));
    expect(() => bus.emit('credentials:changed', { ids: [] })).not.toThrow();
    expect(received).toEqual(['credentials:changed']);
    expect(String(warn.mock.calls[0]?.[0])).toContain('Delivering credentials:changed failed');
    warn.mockRestore();
  });
});
