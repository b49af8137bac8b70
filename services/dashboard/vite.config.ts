import { defineConfig } from 'vite';

// Built into dist/, which the gateway serves (api.publicDir). No source maps: they would hand
// anyone the whole source (the gateway refuses *.map too).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
});
