import { defineConfig } from '@playwright/test';
import type { KeydeskFixtures } from './test/e2e/fixtures';

export default defineConfig<Pick<KeydeskFixtures, 'keydeskMode'>>({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: { screenshot: 'only-on-failure', trace: 'off' },
  projects: [
    { name: 'browser', use: { keydeskMode: 'browser' } },
    { name: 'electron', use: { keydeskMode: 'electron' } },
  ],
});
