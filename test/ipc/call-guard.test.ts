import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserModeLoss, CallGuard, callTimeoutMs, HEARTBEAT_INTERVAL_MS, startHeartbeat } from '../../src-main/ipc/call-guard';
import { channels } from '../../src-main/ipc/contract';

afterEach(() => vi.useRealTimers());

describe('call guard', () => {
  it('bounds every channel: a timeout, or the heartbeat for work that reports progress or waits on the person', () => {
    const heartbeatOnly = Object.keys(channels).filter((channel) => callTimeoutMs(channel) === undefined);
    expect(heartbeatOnly.sort()).toEqual(
      ['buckets:empty', 'dialogs:chooseDirectory', 'dialogs:openFiles', 'dialogs:openFolder', 'objects:count', 'objects:delete', 'objects:move', 'leak:report', 'plaintext:addFolder', 'rotation:run', 'transfers:download', 'transfers:uploadFolder'].sort(),
    );
    expect(callTimeoutMs('app:ping')).toBe(30_000);
    expect(callTimeoutMs('objects:listStart')).toBe(120_000);
    // A channel added later gets the generous default, never "no bound".
    expect(callTimeoutMs('future:channel')).toBe(120_000);
  });

  it('ends every pending call when main is lost, keeps the first reason, and fails new calls at once', async () => {
    const guard = new CallGuard(browserModeLoss);
    const states: unknown[] = [];
    guard.onState((state) => void states.push(state));
    const pending = guard.call('objects:move', () => new Promise(() => {}));
    guard.setState({ status: 'lost', reason: 'stopped' });
    guard.setState({ status: 'lost', reason: 'unreachable' });
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'NETWORK', message: 'Keydesk has stopped: this page lost its connection to it.', hint: expect.stringContaining('npm run web') } });
    await expect(guard.call('app:info', () => Promise.resolve({ ok: true, value: 1 }))).resolves.toMatchObject({ ok: false, error: { code: 'NETWORK' } });
    guard.setState({ status: 'open' });
    await expect(guard.call('app:info', () => Promise.resolve({ ok: true, value: 1 }))).resolves.toEqual({ ok: true, value: 1 });
    expect(states).toEqual([{ status: 'open' }, { status: 'lost', reason: 'stopped' }, { status: 'open' }]);
  });

  it('turns a failure to send into a typed error', async () => {
    const guard = new CallGuard(browserModeLoss);
    await expect(guard.call('app:info', () => Promise.reject(new Error('An object could not be cloned')))).resolves.toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Keydesk could not send this request: An object could not be cloned.' },
    });
  });

  it('does not blame main for a page whose timers were frozen (background tab, suspended laptop)', async () => {
    vi.useFakeTimers();
    let answer = true;
    const missed = vi.fn();
    const stop = startHeartbeat(() => (answer ? Promise.resolve() : new Promise(() => {})), { missed, answered: () => {} });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    answer = false;
    // The clock jumps a minute between two ticks, as after a suspend: one late tick is not a loss.
    vi.setSystemTime(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(missed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(missed).toHaveBeenCalled();
    stop();
  });
});
