// `npm run bench -- generate-browser`: greedy generation of the tiny model in the built studio, in headless Chromium
// (Debian's; SwiftShader without a GPU). Loads fixtures/tiny-t5/untied-gated as a picked folder, asks the Playground
// for N tokens (JSON constraint off) several times, and reports seconds and tokens/s from the engine worker's own
// timing: the generateStream result (tokens, millis) read off the worker's reply message, not from the page.
// The first generation compiles the decoder's pipelines; the later ones are warm.
//
// Flags: --tokens N (default 32)   --runs N (generations per browser, default 3)   --launches N (fresh browsers,
//        default 3)   --dist DIR (a built studio; default: build one into a temp folder)   --port N (default 4307)
//        --write (the result goes to docs/benchmarks.md, section generation-<label>)
//        --label TEXT (default latest)   --json FILE (write the measurements)   --compare FILE (an earlier --json:
//        adds a before -> after table)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { writeSection } from './doc-section';
import type { Suite } from './run';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'fixtures/tiny-t5/untied-gated');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

interface Flags {
  tokens: number;
  runs: number;
  launches: number;
  dist: string | null;
  port: number;
  write: boolean;
  label: string;
  json: string | null;
  compare: string | null;
}

/** What --json writes and --compare reads. */
interface Measured {
  /** The run's --label, naming the code measured. */
  label: string;
  tokens: number;
  /** Medians over browsers of the first generation and of the warm generations' mean. */
  firstSeconds: number;
  warmSeconds: number;
  shaders: { atLoad: number; afterGenerating: number; inBuild: number };
}

const VALUED = ['--tokens', '--runs', '--launches', '--dist', '--port', '--label', '--json', '--compare'];

function parseFlags(args: string[]): Flags {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--write') continue;
    if (!VALUED.includes(args[i])) throw new Error(`unknown flag ${args[i]} (flags: ${VALUED.join(' ')} --write)`);
    if (args[i + 1] === undefined) throw new Error(`${args[i]} needs a value`);
    i++;
  }
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : null;
  };
  const int = (name: string, fallback: number) => {
    const v = Number(value(name) ?? fallback);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a positive integer`);
    return v;
  };
  return { tokens: int('--tokens', 32), runs: int('--runs', 3), launches: int('--launches', 3), dist: value('--dist'), port: int('--port', 4307), write: args.includes('--write'), label: value('--label') ?? 'latest',
    json: value('--json'), compare: value('--compare') };
}

function exec(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

async function serve(dist: string, port: number): Promise<ChildProcess> {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist], { cwd: ROOT, stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with ${server.exitCode} (is port ${port} taken?)`);
    try {
      if ((await fetch(url)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`vite preview did not answer on ${url}`);
}

/** The worker's replies that carry a finished generation, kept on window by a listener on every Worker the page makes. */
const CAPTURE = `(() => {
  const Native = window.Worker;
  window.__generations = [];
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const v = e.data && e.data.value;
        if (v && typeof v === 'object' && typeof v.genId === 'string' && typeof v.millis === 'number' && 'stopped' in v) window.__generations.push(v);
      });
    }
  };
})();`;

interface Generation {
  tokens: number;
  millis: number;
  stopped: boolean;
  finished: boolean;
}

async function generateOnce(page: Page, n: number): Promise<Generation> {
  const before = await page.evaluate(() => (window as unknown as { __generations: unknown[] }).__generations.length);
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.waitForFunction((k) => (window as unknown as { __generations: unknown[] }).__generations.length > k, before, { timeout: 300_000 });
  const g = await page.evaluate((k) => (window as unknown as { __generations: Generation[] }).__generations[k], before);
  if (g.stopped) throw new Error('the generation was stopped');
  // The untrained model may write pad ids, which the result does not count; without eos it ran all n steps.
  if (g.finished) throw new Error(`the model wrote eos before ${n} tokens; pick another question`);
  return { ...g, tokens: n };
}

/** One fresh browser (no compiled pipelines, no autotune choices): load the tiny model, generate f.runs times. */
async function launch(f: Flags, url: string, dist: string): Promise<Launch> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext();
    // Shaders are fetched one file each when a program first needs them (hosts/browser/shaders.ts): count them.
    const shaders = new Set<string>();
    context.on('request', (r) => {
      if (r.url().endsWith('.wgsl')) shaders.add(r.url());
    });
    const page = await context.newPage();
    await page.addInitScript(CAPTURE);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.getByTestId('gpu-status').and(page.locator('[data-status="ready"]')).waitFor({ timeout: 120_000 });
    // The GPU panel's first field (label and value run together in its text): the adapter's name.
    const adapter = /^GPU(.*?)Vendor/.exec((await page.getByTestId('gpu-status').textContent()) ?? '')?.[1] ?? 'unknown';
    await page.getByTestId('folder-input').setInputFiles(FIXTURE);
    await page.getByTestId('summary-id').filter({ hasText: 'untied-gated' }).waitFor({ timeout: 120_000 });
    const atLoad = shaders.size;
    await page.getByRole('button', { name: 'Playground' }).click();
    await page.getByLabel('Question').fill('How many sales in Europe last month?');
    await page.getByLabel('JSON-constrained decoding').uncheck();
    await page.getByLabel('Max new tokens', { exact: true }).fill(String(f.tokens));
    const seconds: number[] = [];
    for (let i = 0; i < f.runs; i++) seconds.push((await generateOnce(page, f.tokens)).millis / 1000);
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
    const inBuild = readdirSync(join(dist, 'assets')).filter((name) => name.endsWith('.wgsl')).length;
    return { adapter, seconds, shaders: { atLoad, afterGenerating: shaders.size, inBuild } };
  } finally {
    await browser.close();
  }
}

interface Launch {
  adapter: string;
  /** Each generation's seconds; the first compiles the decoder's pipelines. */
  seconds: number[];
  shaders: Measured['shaders'];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const warmMean = (seconds: number[]) => seconds.slice(1).reduce((a, b) => a + b, 0) / Math.max(1, seconds.length - 1);

async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const dist = f.dist ?? mkdtempSync(join(tmpdir(), 'stepwise-gen-bench-'));
  if (!f.dist) await exec('npx', ['vite', 'build', '--outDir', dist, '--logLevel', 'warn']);
  const server = await serve(dist, f.port);
  const launches: Launch[] = [];
  try {
    for (let i = 0; i < f.launches; i++) {
      const l = await launch(f, `http://127.0.0.1:${f.port}/`, dist);
      launches.push(l);
      console.log(`launch ${i + 1}: ${l.seconds.map((x) => x.toFixed(2)).join(', ')} s for ${f.tokens} tokens (first compiles pipelines)`);
    }
  } finally {
    if (server.pid) process.kill(-server.pid);
  }
  const measured: Measured = {
    label: f.label, tokens: f.tokens, firstSeconds: median(launches.map((l) => l.seconds[0])), warmSeconds: median(launches.map((l) => warmMean(l.seconds))),
    shaders: launches[0].shaders,
  };
  if (f.json) writeFileSync(f.json, JSON.stringify(measured, null, 2) + '\n');
  const before: Measured | null = f.compare ? JSON.parse(readFileSync(f.compare, 'utf8')) : null;
  const tps = (s: number) => (f.tokens / s).toFixed(1);
  const sh = measured.shaders;
  const lines = [
    `## Generation in the browser (\`npm run bench -- generate-browser\`), ${f.label}`,
    '',
    `Headless Chromium (${CHROMIUM}), adapter: ${launches[0].adapter}. The tiny checkpoint (fixtures/tiny-t5/untied-gated)`,
    `generates ${f.tokens} tokens greedy in the Playground (JSON constraint off), ${f.runs} times per browser, in ${f.launches} fresh browsers;`,
    'seconds from the engine worker\'s own timing (its generateStream result), tokens streamed to the page after each',
    'step as in normal use. The first generation of a browser compiles the decoder\'s pipelines; medians over browsers.',
    `WGSL files fetched: ${sh.atLoad} of the build's ${sh.inBuild} by the time the model was loaded, ${sh.afterGenerating} after generating` +
      `${sh.inBuild ? '' : ' (this build bundles the WGSL into the engine worker\'s script)'}.`,
    '',
    '| browser | first generation s | warm s (mean) | warm tokens/s |',
    '| --- | --- | --- | --- |',
    ...launches.map((l, i) => `| ${i + 1} | ${l.seconds[0].toFixed(2)} | ${warmMean(l.seconds).toFixed(2)} | ${tps(warmMean(l.seconds))} |`),
    `| median | ${measured.firstSeconds.toFixed(2)} | ${measured.warmSeconds.toFixed(2)} | ${tps(measured.warmSeconds)} |`,
    ...(before ? [
      '',
      `Before -> after (medians; before: ${before.label}):`,
      '',
      '| | before | after |',
      '| --- | --- | --- |',
      `| first generation, s | ${before.firstSeconds.toFixed(2)} | ${measured.firstSeconds.toFixed(2)} |`,
      `| warm generation, s | ${before.warmSeconds.toFixed(2)} | ${measured.warmSeconds.toFixed(2)} |`,
      `| WGSL files fetched after generating | ${before.shaders.afterGenerating} of ${before.shaders.inBuild} | ${sh.afterGenerating} of ${sh.inBuild} |`,
    ] : []),
  ];
  const body = lines.join('\n');
  if (f.write) writeSection(`generation-${f.label}`, body);
  console.log('\n' + body);
}

export const generateBrowserSuite: Suite = { about: 'greedy generation of the tiny model in the built studio, headless Chromium (seconds, tokens/s)', run };
