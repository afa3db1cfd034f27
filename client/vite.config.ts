import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `labrunner dev` proxies API and sockets to the lab server.
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/labs': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true },
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
