import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// 127.0.0.1 is a secure context, so navigator.gpu exists there without HTTPS.
export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
