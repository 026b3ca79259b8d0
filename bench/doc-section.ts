// Rewrite one delimited section of docs/benchmarks.md (<!-- name:start --> ... <!-- name:end -->), leaving the
// sections other suites own untouched.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/benchmarks.md, or the file BENCH_DOC names (to try a suite without touching the doc). */
export const BENCHMARKS_DOC = process.env.BENCH_DOC || fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  const base = doc.trim() ? doc.replace(/\s*$/, '\n\n') : '# Benchmarks\n\nWritten by `npm run bench -- <suite>`; each suite rewrites only its own section.\n\n';
  return base + block + '\n';
}

export function writeSection(name: string, body: string, path = BENCHMARKS_DOC): void {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '';
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, replaceSection(doc, name, body));
}

/** The body of one section of the doc as last written, or null when it has none. */
export function readSection(name: string, path = BENCHMARKS_DOC): string | null {
  if (!existsSync(path)) return null;
  const doc = readFileSync(path, 'utf8');
  const i = doc.indexOf(`<!-- ${name}:start -->`);
  const j = doc.indexOf(`<!-- ${name}:end -->`);
  return i >= 0 && j > i ? doc.slice(i + `<!-- ${name}:start -->`.length, j).trim() : null;
}
