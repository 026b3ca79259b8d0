// The layer rules of docs/architecture.md, checked over the import statements of every file under src/.
// A forbidden edge fails with the file, the import and the rule it breaks.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ImportEdge {
  /** Importing file, relative to the repository root (src/ui/models/x.ts). */
  from: string;
  /** The specifier as written ('../../gpu/device', 'idb', 'node:fs'). */
  spec: string;
  /** Repository-relative target for relative specifiers (src/gpu/device), else the package name. */
  to: string;
  typeOnly: boolean;
}

// import x from '..' | import { a, type B } from '..' | import * as x from '..' | import type ... from '..'
const IMPORT_FROM = /^\s*import\s+(type\s+)?((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*\s+as\s+[\w$]+)|[\w$]+)\s*from\s*['"]([^'"]+)['"]/gm;
const IMPORT_BARE = /^\s*import\s+['"]([^'"]+)['"]/gm;
const EXPORT_FROM = /^\s*export\s+(type\s+)?(\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)\s*from\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Whether a clause like `{ type A, type B }` names types only (a default or namespace import is a value). */
function onlyTypes(clause: string): boolean {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1].split(',').map((s) => s.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

function target(from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec.startsWith('node:') ? spec : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
  return normalize(join(dirname(from), spec)).replace(/\\/g, '/').replace(/\.(tsx?|js)$/, '');
}

function importsOf(from: string, source: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean) => edges.push({ from, spec, to: target(from, spec), typeOnly });
  for (const m of source.matchAll(IMPORT_FROM)) add(m[3], !!m[1] || onlyTypes(m[2]));
  for (const m of source.matchAll(IMPORT_BARE)) add(m[1], false);
  for (const m of source.matchAll(EXPORT_FROM)) add(m[3], !!m[1] || onlyTypes(m[2]));
  for (const m of source.matchAll(DYNAMIC)) add(m[1], false);
  return edges;
}

const isTestFile = (path: string) =>
  /\.(test|spec)\.tsx?$/.test(path) || /\.testing(\.tsx?)?$/.test(path) || path.startsWith('src/testing/');

/** The folder a src path belongs to: 'ui', 'model', 'hosts/node', 'main' (src/main.tsx), ... */
function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src') return 'outside';
  if (parts[1] === 'hosts') return `hosts/${parts[2]}`;
  if (parts.length === 2) return parts[1] === 'main.tsx' || parts[1] === 'main' ? 'main' : 'root';
  return parts[1];
}

const CORE = ['common', 'settings', 'gpu', 'model', 'data', 'io', 'train', 'eval', 'ray', 'engine', 'experiments'];
const BELOW_HOSTS = [...CORE];

/** Value imports allowed from each folder (its own folder is always allowed). */
const VALUE_RULES: Record<string, readonly string[]> = {
  common: [],
  settings: ['common'], // + model/config and model/hf-names, see SETTINGS_MODEL_FILES
  gpu: ['common', 'settings'],
  model: ['gpu', 'common', 'settings'],
  data: ['model', 'common', 'settings'],
  io: ['model', 'gpu', 'common', 'settings'],
  train: ['model', 'gpu', 'data', 'io', 'common', 'settings'],
  eval: ['model', 'gpu', 'data', 'io', 'common', 'settings'],
  ray: ['train', 'model', 'data', 'io', 'common', 'settings'],
  engine: ['train', 'eval', 'ray', 'model', 'gpu', 'data', 'io', 'common', 'settings'],
  experiments: ['common', 'settings'],
  'hosts/browser': BELOW_HOSTS,
  'hosts/node': BELOW_HOSTS,
  worker: ['hosts/browser', ...BELOW_HOSTS],
  cli: ['engine', 'ray', 'experiments', 'hosts/node', 'data', 'common', 'settings'],
  ui: ['settings', 'common', 'data', 'experiments', 'hosts/browser'],
  main: ['ui'],
};

/** The pure model pieces settings may build on. */
const SETTINGS_MODEL_FILES = ['src/model/config', 'src/model/hf-names'];

/** Folders nothing below them may name, not even for a type. */
const TOP = ['ui', 'cli', 'worker', 'hosts/browser', 'hosts/node', 'main'];

/** npm packages (and node: built-ins) by the folders allowed to import them; any other package is free. */
const PACKAGE_RULES: Record<string, readonly string[]> = {
  'node:': ['hosts/node', 'cli'],
  webgpu: ['hosts/node', 'cli'],
  react: ['ui', 'main'],
  'react-dom': ['ui', 'main'],
  recharts: ['ui'],
  zustand: ['ui'],
  idb: ['hosts/browser'],
  comlink: ['ui', 'worker'],
};

/** What breaks the rules today and what removes it. This list may only shrink: a stale entry fails the test. */
const KNOWN_EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

function matches(pattern: string, value: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

interface Violation {
  edge: ImportEdge;
  rule: string;
}

/** Every broken rule among the edges. */
function violationsOf(edges: readonly ImportEdge[]): Violation[] {
  const out: Violation[] = [];
  for (const e of edges) {
    if (isTestFile(e.from)) continue;
    const from = layerOf(e.from);
    const say = (rule: string) => out.push({ edge: e, rule });
    if (!e.spec.startsWith('.')) {
      const pkg = e.to.startsWith('node:') ? 'node:' : e.to;
      const allowed = PACKAGE_RULES[pkg];
      if (allowed && !allowed.includes(from)) say(`${pkg === 'node:' ? 'Node built-ins' : pkg} only in ${allowed.join(', ')}`);
      continue;
    }
    if (isTestFile(e.to)) {
      say('production code never imports test helpers (src/testing, *.testing.ts)');
      continue;
    }
    const to = layerOf(e.to);
    if (to === from || to === 'outside') continue;
    if (e.typeOnly) {
      if (TOP.includes(to)) say(`nothing below ${to} may name it, not even a type`);
      continue;
    }
    if (from === 'settings' && SETTINGS_MODEL_FILES.includes(e.to)) continue;
    const allowed = VALUE_RULES[from];
    if (!allowed) say(`folder ${from} has no rule in docs/architecture.md`);
    else if (!allowed.includes(to)) say(`${from} may import values only from ${allowed.join(', ') || 'nothing'} (${to} is not one)`);
  }
  return out;
}

const describeViolation = (v: Violation) => `${v.edge.from} imports '${v.edge.spec}': ${v.rule}`;
const violations = (edges: readonly ImportEdge[]) => violationsOf(edges).map(describeViolation);

function exceptionFor(v: Violation): (typeof KNOWN_EXCEPTIONS)[number] | undefined {
  return KNOWN_EXCEPTIONS.find((x) => x.from === v.edge.from && matches(x.to, v.edge.to));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const path = `${dir}/${d.name}`;
    if (d.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('the rule checker', () => {
  const edge = (from: string, line: string) => importsOf(from, line);
  it('reads value, type-only, mixed, re-export, side-effect and dynamic imports', () => {
    expect(edge('src/ui/a.ts', "import { x, type Y } from '../gpu/b';")).toEqual([{ from: 'src/ui/a.ts', spec: '../gpu/b', to: 'src/gpu/b', typeOnly: false }]);
    expect(edge('src/ui/a.ts', "import type { Y } from '../gpu/b';")[0].typeOnly).toBe(true);
    expect(edge('src/ui/a.ts', 'import {\n  type A,\n  type B,\n} from "../model/c";')[0].typeOnly).toBe(true);
    expect(edge('src/ui/a.ts', "export { z } from '../io/d';")[0]).toMatchObject({ to: 'src/io/d', typeOnly: false });
    expect(edge('src/ui/a.ts', "export type { z } from '../io/d';")[0].typeOnly).toBe(true);
    expect(edge('src/ui/a.ts', "import './x.css';")[0].to).toBe('src/ui/x.css');
    expect(edge('src/ui/a.ts', "const m = await import('../train/e');")[0]).toMatchObject({ to: 'src/train/e', typeOnly: false });
    expect(edge('src/hosts/node/a.ts', "import { readFile } from 'node:fs/promises';")[0].to).toBe('node:fs/promises');
  });
  it('fails a UI value import of gpu, model, io or train, and allows the same as a type', () => {
    for (const layer of ['gpu', 'model', 'io', 'train', 'engine']) {
      expect(violations(edge('src/ui/models/x.ts', `import { f } from '../../${layer}/y';`))).toHaveLength(1);
      expect(violations(edge('src/ui/models/x.ts', `import type { T } from '../../${layer}/y';`))).toEqual([]);
    }
    expect(violations(edge('src/ui/models/x.ts', "import { estimateMemory } from '../../settings/memory-estimate';"))).toEqual([]);
  });
  it('fails upward edges, test helpers in production, and packages outside their folders', () => {
    expect(violations(edge('src/model/x.ts', "import { f } from '../data/y';"))).toHaveLength(1);
    expect(violations(edge('src/gpu/x.ts', "import { f } from '../model/y';"))).toHaveLength(1);
    expect(violations(edge('src/model/x.ts', "import type { T } from '../ui/y';"))).toHaveLength(1);
    expect(violations(edge('src/gpu/kernels/x.ts', "import { f } from '../../testing/gpu';"))).toHaveLength(1);
    expect(violations(edge('src/gpu/kernels/x.ts', "import { f } from './nf4.testing';"))).toHaveLength(1);
    expect(violations(edge('src/gpu/kernels/x.test.ts', "import { f } from '../../testing/gpu';"))).toEqual([]);
    expect(violations(edge('src/data/x.ts', "import { readFile } from 'node:fs/promises';"))).toHaveLength(1);
    expect(violations(edge('src/ui/x.ts', "import { openDB } from 'idb';"))).toHaveLength(1);
    expect(violations(edge('src/settings/x.ts', "import { f } from '../model/hf-names';"))).toEqual([]);
    expect(violations(edge('src/settings/x.ts', "import { f } from '../model/t5-model';"))).toHaveLength(1);
  });
});

describe('src/ follows docs/architecture.md', () => {
  const files = sourceFiles('src');
  const edges = files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8')));

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(files.length);
  });

  it('has no forbidden import beyond the known exceptions', () => {
    const broken = violationsOf(edges).filter((v) => !exceptionFor(v)).map(describeViolation);
    expect(broken, `forbidden imports (see docs/architecture.md):\n${broken.join('\n')}`).toEqual([]);
  });

  it('lists no exception that no longer occurs', () => {
    const found = violationsOf(edges);
    const stale = KNOWN_EXCEPTIONS.filter((x) => !found.some((v) => exceptionFor(v) === x));
    expect(stale.map((x) => `${x.from} -> ${x.to}`), 'remove these from KNOWN_EXCEPTIONS').toEqual([]);
  });

  it('names shader files in kebab-case like their modules', () => {
    const shaders = readdirSync(join(ROOT, 'shaders')).filter((f) => f.endsWith('.wgsl'));
    expect(shaders.filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*\.wgsl$/.test(f))).toEqual([]);
  });

  it('keeps test helpers in src/testing or *.testing.ts (no __fixtures__, -fixture.ts or .hf-golden.ts)', () => {
    const odd = files.filter((f) => /__fixtures__|-fixture\.ts$|\.hf-golden\.ts$/.test(f));
    expect(odd).toEqual([]);
  });

  it('resolves every relative import to a file', () => {
    const exists = new Set(files.map((f) => f.replace(/\.tsx?$/, '')));
    const missing = edges.filter((e) => e.spec.startsWith('.') && e.to.startsWith('src/') && !/\.(css|json|wgsl)$/.test(e.to) && !e.spec.includes('?') && !exists.has(e.to) && !exists.has(`${e.to}/index`));
    expect(missing.map((e) => `${e.from} -> ${e.spec}`)).toEqual([]);
  });
});
