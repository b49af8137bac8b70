import { defineConfig } from 'vite';

// Built into dist/, which the gateway serves (api.publicDir).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
});
