import { defineConfig } from 'electron-vite';
import { bundledEntryNames } from './src-main/platform/entry-points';
import { rendererConfig } from './vite.renderer.config';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The main process, and the modules it starts in a thread or process of their own (named at start-up: entry-points.ts).
        input: {
          index: 'src-main/electron/main.ts',
          [bundledEntryNames.dataParser]: 'src-main/data/worker.ts',
          [bundledEntryNames.engineWorker]: 'src-main/jobs/worker.ts',
        },
        // An entry exports nothing but its own exports: shared modules go to chunks, so no chunk imports an entry
        // (the engine worker's, whose top level refuses to run outside a worker thread).
        preserveEntrySignatures: 'strict',
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
