import { expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { Engine } from './engine';

it('the engine self-test runs a kernel and frees what it used', async () => {
  const gpu = await testGpu();
  const engine = new Engine(gpu);
  await engine.selfTest(); // first run creates the reusable uniform arena
  const before = (await engine.memory()).liveTotal;
  const result = await engine.selfTest();
  expect(result.values).toEqual([21, 42, 63]);
  expect(result.ok).toBe(true);
  expect((await engine.memory()).liveTotal).toBe(before);
  expect(gpu.pool.liveLabels().filter((l) => l.includes('selftest'))).toEqual([]);
});
