import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests of pure logic, and e2e tests that need root, real etcd/sshd and the
// sandbox. e2e files run one at a time: each stands up real processes and network namespaces, and this
// machine has two cores.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'actions/*/src/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: [
            'packages/*/src/**/*.e2e.test.ts',
            'actions/*/src/**/*.e2e.test.ts',
            'test/**/*.e2e.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
