import type { TestProject } from 'vitest/node';
import { rgwFromEnv, startRgw, type RgwInfo } from '../servers/rgw';

declare module 'vitest' {
  export interface ProvidedContext {
    rgw: RgwInfo;
  }
}

/** One real RGW for the whole integration run: reused from scripts/test.mjs when it started one. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = rgwFromEnv();
  if (existing) {
    project.provide('rgw', existing);
    return async () => {};
  }
  const { info, stop } = await startRgw();
  project.provide('rgw', info);
  return stop;
}
