import { defineConfig } from 'vitest/config';

// Three suites: unit (pure, no I/O), integration (a real database: PGlite, or
// PostgreSQL when DATABASE_URL is set) and browser (Debian's Chromium).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/int/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // PostgreSQL runs get a database per test file; PGlite one per file in memory.
          fileParallelism: true,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
