import fc from 'fast-check';

/**
 * Property-based test settings shared by the fuzz suites: a fixed seed so `npm test` is repeatable, and
 * KEYDESK_FUZZ_RUNS / KEYDESK_FUZZ_SEED to run bigger or elsewhere (`npm run test:full` raises the runs).
 * On failure fast-check prints the seed, the path and the (shrunk) counterexample to replay it.
 */
export const FUZZ_SEED = Number(process.env.KEYDESK_FUZZ_SEED ?? 90210);

export function fuzzRuns(defaultRuns: number): number {
  const runs = Number(process.env.KEYDESK_FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : defaultRuns;
}

/** Cases run per suite, printed once at the end of a suite for the record. */
const counts = new Map<string, number>();

export async function fuzz<T>(suite: string, defaultRuns: number, property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>): Promise<void> {
  const numRuns = fuzzRuns(defaultRuns);
  await fc.assert(property, { seed: FUZZ_SEED, numRuns, endOnFailure: false });
  counts.set(suite, (counts.get(suite) ?? 0) + numRuns);
}

export function reportFuzzCounts(): void {
  for (const [suite, runs] of counts) console.log(`fuzz ${suite}: ${runs} generated cases (seed ${FUZZ_SEED})`);
}

/** Resolves with the promise's value, or rejects once `ms` pass: "a typed answer within a time bound". */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms))),
  ]);
}
