/**
 * Time as the rotation scheduler sees it, injectable so tests move it instead of sleeping. `after` returns
 * a function that cancels the call.
 */
export interface Clock {
  now(): number;
  after(ms: number, run: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, run) {
    const timer = setTimeout(run, ms);
    // A pending revocation must not keep a CLI-like process (tests, browser mode's shutdown) alive.
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** The system clock moved by `offsetMs`: timers still wait real time, `now()` reads shifted. */
export function offsetClock(offsetMs: number, base: Clock = systemClock): Clock {
  return { now: () => base.now() + offsetMs, after: (ms, run) => base.after(ms, run) };
}

/**
 * `KEYDESK_TEST_CLOCK_OFFSET_MS` shifts Keydesk's clock so end-to-end tests can let a grace period run out
 * across a restart. It is honoured only with a test home (KEYDESK_HOME set to another data directory, with
 * its own keychain namespace), never for the user's real keys, and no IPC channel can change it.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv, testHome: boolean): Clock {
  const raw = env.KEYDESK_TEST_CLOCK_OFFSET_MS;
  if (!testHome || !raw) return systemClock;
  const offset = Number(raw);
  return Number.isSafeInteger(offset) ? offsetClock(offset) : systemClock;
}
