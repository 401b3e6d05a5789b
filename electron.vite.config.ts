import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

/**
 * The desktop build: main (Node/Electron), the sandboxed preload (CommonJS, as sandboxed
 * preloads must be) and the same renderer `plw serve` uses. better-sqlite3 stays external: the
 * Electron scripts rebuild it for Electron's ABI into out/ (see scripts/electron.mjs).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src-main/electron/main.ts') },
        // webgpu: Dawn's dawn.node is loaded by path at run time, never bundled.
        external: ['better-sqlite3', /^@tensorflow\//, 'webgpu'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(import.meta.dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
});
