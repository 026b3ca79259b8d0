// The API key must never reach rows, exports, logs or error messages. Everything the teacher code emits as text
// goes through here, so a server that echoes the Authorization header back cannot leak it either. Callers redact
// whole texts before cutting them for a message; a key cut off by someone else (a proxy that truncated the echo)
// is caught at the edges of the text.

/** Shortest piece of a key at the very start or end of a text that is still treated as the key. */
const MIN_EDGE_PIECE = 6;

/** Replace every occurrence of `secret` in `text`, and a piece of it cut at either end (no-op for short secrets). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  let out = text.split(secret).join('[redacted]');
  for (let n = Math.min(secret.length - 1, out.length); n >= MIN_EDGE_PIECE; n--) {
    if (out.endsWith(secret.slice(0, n))) {
      out = `${out.slice(0, out.length - n)}[redacted]`;
      break;
    }
  }
  for (let n = Math.min(secret.length - 1, out.length); n >= MIN_EDGE_PIECE; n--) {
    if (out.startsWith(secret.slice(secret.length - n))) {
      out = `[redacted]${out.slice(n)}`;
      break;
    }
  }
  return out;
}
