// stderr is for the project's own messages: creating the Node GPU must not pass the Vulkan loader's, Mesa's or
// Dawn's adapter-probing chatter through, unless STEPWISE_GPU_VERBOSE=1 asks for it. Run in a fresh process with
// a bare environment (no XDG_RUNTIME_DIR, no Vulkan settings), as a CLI command starts.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { reliabilityRecord } from '../../testing/reliability';
import { driverMessagesWanted } from './gpu';

const SCRIPT = `
const { createNodeGpu } = await import(${JSON.stringify(new URL('./gpu.ts', import.meta.url).pathname)});
const gpu = await createNodeGpu();
process.stdout.write('adapter ok');
process.exit(0);
`;

function createInFreshProcess(extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...extraEnv };
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { env, encoding: 'utf8', timeout: 60_000 });
}

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

describe('node GPU driver messages', () => {
  it('creates the GPU with nothing on stderr', () => {
    const run = createInFreshProcess();
    expect(run.stdout).toBe('adapter ok');
    record.add({ area: 'CLI and Node host', input: 'creating the GPU in a fresh process with a bare environment (no XDG_RUNTIME_DIR, no Vulkan settings)', cases: 1, outcome: `${run.stderr.length} bytes on stderr` });
    expect(run.stderr).toBe('');
  });

  it('STEPWISE_GPU_VERBOSE=1 turns the driver messages on', () => {
    expect(driverMessagesWanted({ STEPWISE_GPU_VERBOSE: '1' })).toBe(true);
    expect(driverMessagesWanted({})).toBe(false);
    const run = createInFreshProcess({ STEPWISE_GPU_VERBOSE: '1' });
    expect(run.stdout).toBe('adapter ok');
  });
});
