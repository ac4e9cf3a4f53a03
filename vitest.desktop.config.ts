import { defineConfig } from 'vitest/config';

// `npm run test:desktop`: the built desktop bundles on the electron test host (test/desktop/), after electron-vite build.
export default defineConfig({
  test: {
    include: ['test/desktop/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
