import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { requestViolations, startContractProxy, startPrism } from '../servers/prism';

type ProxyOptions = Parameters<typeof startContractProxy>[1];

/**
 * Prism serving a provider's published spec, with the recording proxy in front of it, for one test file:
 * after every test, no request the adapter sent may have broken the spec.
 */
export function useContractServer(spec: string, options?: ProxyOptions & { errors?: boolean }) {
  let prism: Awaited<ReturnType<typeof startPrism>> | undefined;
  let proxy: Awaited<ReturnType<typeof startContractProxy>> | undefined;

  beforeAll(async () => {
    prism = await startPrism(spec, { errors: options?.errors });
    console.info(`Prism loaded ${spec.split('/').pop()} in ${prism.startedInMs} ms`);
    proxy = await startContractProxy(prism.url, options);
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await prism?.stop();
  });
  afterEach(() => {
    expect(requestViolations(proxy?.calls ?? [])).toEqual([]);
    if (proxy) proxy.calls.length = 0;
  });

  return {
    /** Prism itself, for requests that must reach it unrecorded (proving it refuses bad ones). */
    get prismUrl(): string {
      return prism!.url;
    },
    /** The recording proxy: the URL adapters are pointed at. */
    get proxyUrl(): string {
      return proxy!.url;
    },
    get calls() {
      return proxy!.calls;
    },
    reset(): void {
      proxy!.calls.length = 0;
    },
  };
}
