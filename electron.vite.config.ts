import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: { index: 'src-main/electron/main.ts', 'data-worker': 'src-main/data/worker.ts', 'engine-worker': 'src-main/engine/worker.ts' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require nothing but electron: bundle its dependencies (the API table).
      externalizeDeps: false,
      rollupOptions: {
        input: { index: 'src-main/electron/preload.ts' },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
