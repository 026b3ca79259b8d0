// `npm run bench -- <suite> [flags]`: benchmarks, not tests. One entry per suite; add yours to SUITES.
import { generateBrowserSuite } from './generate-browser';
import { growthSuite } from './growth';
import { kernelsSuite } from './kernels';
import { methodsSuite } from './methods';
import { modelSuite } from './model';
import { profileSuite } from './profile';

export interface Suite {
  /** One line for the usage text. */
  about: string;
  run(args: string[]): Promise<void>;
}

const SUITES: Record<string, Suite> = {
  kernels: kernelsSuite,
  model: modelSuite,
  methods: methodsSuite,
  profile: profileSuite,
  growth: growthSuite,
  'generate-browser': generateBrowserSuite,
};

function usage(): string {
  const lines = Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(17)} ${s.about}`);
  return `usage: npm run bench -- <suite> [flags]\nsuites:\n${lines.join('\n')}`;
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const suite = name ? SUITES[name] : undefined;
  if (!suite) {
    console.error(name ? `unknown suite "${name}"\n${usage()}` : usage());
    process.exit(2);
  }
  await suite.run(args);
  // Dawn keeps the event loop alive while devices exist.
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
