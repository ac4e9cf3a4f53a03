import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the renderer's `.svelte.ts` logic (runes) for its unit tests. Node tests get Svelte's
  // server build: $state and $derived behave as in the window, effects do not run, so the tests pin
  // logic (undo, drafts, projections), and the browser E2E tests pin what effects do.
  plugins: [svelte()],
  test: {
    include: ['src-shared/**/*.test.ts', 'src-main/**/*.test.ts', 'src-renderer/**/*.test.ts', 'test/**/*.test.ts'],
    // The desktop tier runs on its own after a desktop build: npm run test:desktop (vitest.desktop.config.ts).
    exclude: ['test/desktop/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: training and parsing tests are CPU-bound, so more forks only thrash.
    maxWorkers: 2,
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
