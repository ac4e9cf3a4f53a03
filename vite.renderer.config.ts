import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The renderer build, shared by the Electron window (electron-vite) and the web mode (`npm run serve`). */
export const rendererConfig = defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [svelte()],
  build: {
    rollupOptions: { input: fileURLToPath(new URL('./src-renderer/index.html', import.meta.url)) },
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
  },
});

export default rendererConfig;
