import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `vite build` writes the single-page app to dist/; server.mjs serves it.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
});
