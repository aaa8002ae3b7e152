// Vite build of the browser explorer: sources in frontend/, bundle in dist/ (served by `casegraph serve`).
// The dev server forwards /api to a backend started with `npm run dev` on its default port.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'frontend',
  publicDir: 'public',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    sourcemap: true,
    // cytoscape + fcose alone are ~600 kB minified; one chunk is fine for a local investigative tool
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
