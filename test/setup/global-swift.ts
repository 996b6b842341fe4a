import type { TestProject } from 'vitest/node';
import { startSwift, swiftFromEnv, swiftInstalled, type SwiftInfo } from '../servers/swift';

declare module 'vitest' {
  export interface ProvidedContext {
    swift: SwiftInfo | null;
  }
}

/**
 * One real Swift S3 API for the integration-swift project (~5 s to start), with enough tempauth accounts
 * for every test file to have buckets of its own. Without Swift installed the project's files say so and skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = await swiftFromEnv();
  if (existing || !swiftInstalled()) {
    project.provide('swift', existing ?? null);
    return async () => {};
  }
  const { info, stop } = await startSwift({ accounts: 40 });
  project.provide('swift', info);
  return stop;
}
