import { defineConfig } from 'vite';

// Relative asset paths: the same build is served at /console/ by the local stack and at / by CloudFront.
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
