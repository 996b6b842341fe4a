import { describe, expect, it } from 'vitest';
import { clockFromEnv, systemClock } from '../../src-main/core/clock';

describe('clockFromEnv', () => {
  it('shifts time only in a test home, and only by a whole number of milliseconds', () => {
    const day = 86_400_000;
    const shifted = clockFromEnv({ KEYDESK_TEST_CLOCK_OFFSET_MS: String(8 * day) }, true);
    expect(shifted.now() - Date.now()).toBeGreaterThan(8 * day - 1000);
    expect(clockFromEnv({ KEYDESK_TEST_CLOCK_OFFSET_MS: String(8 * day) }, false)).toBe(systemClock);
    expect(clockFromEnv({ KEYDESK_TEST_CLOCK_OFFSET_MS: '1e400' }, true)).toBe(systemClock);
    expect(clockFromEnv({ KEYDESK_TEST_CLOCK_OFFSET_MS: 'soon' }, true)).toBe(systemClock);
    expect(clockFromEnv({}, true)).toBe(systemClock);
  });
});
