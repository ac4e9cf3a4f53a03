import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-shared/**/*.test.ts', 'src-main/**/*.test.ts', 'test/**/*.test.ts'],
    // The desktop tier runs on its own after a desktop build: npm run test:desktop (vitest.desktop.config.ts).
    exclude: ['test/desktop/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: training and parsing tests are CPU-bound, so more forks only thrash.
    maxWorkers: 2,
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
