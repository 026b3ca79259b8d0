import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The built studio's Content-Security-Policy: scripts only from its own origin (no inline scripts, no eval);
 * network only to itself and to the hub and teacher endpoints the user configures, which are any https URL or a
 * server on this machine (http://127.0.0.1, http://localhost); workers from its own files. Styles allow inline
 * style attributes (React and the charts set them). Build only: the dev server injects an inline React preamble.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'stepwise-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

// 127.0.0.1 is a secure context, so navigator.gpu exists there without HTTPS.
export default defineConfig({
  plugins: [contentSecurityPolicy(), react()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
