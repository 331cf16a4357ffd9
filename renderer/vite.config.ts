/**
 * Builds the web UI into dist/renderer/, which the daemon serves at `/` (core/server/static.ts).
 * JSX through esbuild's automatic runtime (no React plugin); no inline script anywhere, so
 * the page runs under a Content-Security-Policy without 'unsafe-inline'.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would add code for browsers older than the ones that load this UI.
    modulePreload: { polyfill: false },
    // Every asset as a file: data: URLs for scripts or fonts would need a looser policy.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
