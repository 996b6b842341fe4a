import { defineConfig } from 'vitest/config';

// scripts/test.mjs sets this for the Node 22 run: the contract fuzz checks Keydesk's validation, not the runtime.
const contractFuzz = process.env.KEYDESK_SKIP_CONTRACT_FUZZ === '1' ? ['test/ipc/contract.fuzz.int.test.ts'] : [];

export default defineConfig({
  test: {
    // Two cores, and integration files share one RGW that keeps its data in RAM.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/e2e/**', '**/node_modules/**'],
          environment: 'node',
          // electron-store imports `electron`; inlining it lets the faked module reach it.
          server: { deps: { inline: ['electron-store'] } },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          // Runs in integration-swift, on the Swift that project starts.
          exclude: ['test/core/s3/swift-*.int.test.ts', 'test/core/providers/openstack-swift.int.test.ts', ...contractFuzz, '**/node_modules/**'],
          environment: 'node',
          globalSetup: ['test/setup/global-rgw.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // As in unit: lets the faked `electron` reach electron-store in the shell tests against real servers.
          server: { deps: { inline: ['electron-store'] } },
        },
      },
      {
        test: {
          // The S3 suites again, against RGW's HTTPS endpoint with a private CA trusted per credential
          // (test/helpers/s3-fixtures.ts): listing, transfers with resume and cancel, share links, errors.
          name: 'integration-https',
          include: [
            'test/core/s3/client.int.test.ts',
            'test/core/s3/object-requests.int.test.ts',
            'test/core/s3/bucket-browser.int.test.ts',
            'test/core/transfers/transfer-queue.int.test.ts',
          ],
          environment: 'node',
          env: { KEYDESK_TEST_S3: 'https' },
          globalSetup: ['test/setup/global-rgw.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // The same S3 suites against OpenStack Swift's S3 API (a second, independent S3 implementation,
          // started once by test/setup/global-swift.ts), and the Swift-specific files beside them.
          name: 'integration-swift',
          include: [
            'test/core/s3/client.int.test.ts',
            'test/core/s3/object-requests.int.test.ts',
            'test/core/s3/bucket-browser.int.test.ts',
            'test/core/transfers/transfer-queue.int.test.ts',
            'test/core/s3/swift-*.int.test.ts',
            'test/core/providers/openstack-swift.int.test.ts',
          ],
          environment: 'node',
          env: { KEYDESK_TEST_S3: 'swift' },
          globalSetup: ['test/setup/global-swift.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
