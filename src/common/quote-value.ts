// A value taken from a user's file, quoted for an error message: JSON cut to 80 characters, so a huge value cannot
// swamp the message and a value nested too deep for JSON.stringify is described instead of thrown as a RangeError.

export function quoteValue(v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    return Array.isArray(v) ? 'a deeply nested list' : 'a deeply nested value';
  }
  return text === undefined ? String(v) : text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
