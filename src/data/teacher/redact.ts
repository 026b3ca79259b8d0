// The API key must never reach rows, exports, logs or error messages. Everything the teacher code emits as text
// goes through here, so a server that echoes the Authorization header back cannot leak it either.

/** Replace every occurrence of `secret` in `text` (no-op for empty or very short secrets). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}
