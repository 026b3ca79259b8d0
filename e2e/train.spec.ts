// The Train page end to end on SwiftShader: a tiny checkpoint made here comes from a hub-style server on 127.0.0.1 and is
// loaded on the Models page; the Train page trains LoRA on a slice of the sample dataset, shows the plan, loss
// points, a memory figure and progress; the run pauses, the page reloads with the server gone, the run resumes
// (model from the hub cache, weights and moments from its checkpoint); the page reloads again mid-run (a closed
// tab), the run shows as interrupted, resumes from its last epoch's checkpoint and finishes; the runs list shows it.
// Screenshots of the page go to test-results/ (copied to docs/ by hand after a look).
import { expect, type Page, test } from '@playwright/test';
import { makeTinyT5 } from '../src/io/tiny-t5';
import { startTinyHub } from './tiny-hub';
import { loadHubModel } from './hub-steps';

const ID = 'tiny/train-e2e';
/** Small and quick on SwiftShader; spare embedding rows for the characters the run adds to the tokenizer. */
const CHECKPOINT = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 16, dFf: 64, vocab: 160, spareRows: 24, seed: 3 });
const ROWS = 12;
/**
 * 11 train rows in batches of 4: 3 steps an epoch, a latest checkpoint at each epoch's end. Enough steps that the run
 * is still going after the charts have points, a screenshot and a trace have been taken, and Pause is pressed: the
 * fused kernels finish a tiny step in well under a second on SwiftShader.
 */
const MAX_STEPS = 45;

test.setTimeout(600_000);

async function openStudio(page: Page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
}

/**
 * A main-thread task above this much thread CPU time while training fails the test. CPU time, from Chrome's trace (the
 * RunTask events' tdur), not wall time: on SwiftShader the GPU process computes on the same cores as the page, and on a
 * shared machine a task's wall time mostly measures waiting for a core (measured: a 7.5 s task that held 0.6 s of
 * CPU). Measured on the shared 2-core machine: the worst task 390-590 ms of CPU (a render of the run view with its
 * recharts charts; they are memoised, fed at most every 2 s and redrawn deferred), the rest under 130 ms.
 */
const LONG_TASK_CPU_MS = 1000;

interface TraceEvent { ph: string; name: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }

/** The renderer main thread's tasks over 50 ms of wall time: [wall ms, CPU ms]. */
function mainThreadTasks(trace: { traceEvents?: TraceEvent[] } | TraceEvent[]): [number, number][] {
  const events = Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) throw new Error('the trace has no renderer main thread');
  return events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'RunTask' && (e.dur ?? 0) > 50_000)
    .map((e) => [Math.round((e.dur ?? 0) / 1000), Math.round((e.tdur ?? 0) / 1000)]);
}

const points = async (page: Page, figure: string) => Number((await page.getByRole('figure', { name: figure }).getAttribute('data-points')) ?? '0');

test('a LoRA run on a slice of the sample: plan, live charts, pause, reload, resume from the cache, tab closed mid-run, resume, finish, runs list', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    await page.setViewportSize({ width: 1440, height: 1000 });
    await openStudio(page);
    await loadHubModel(page, hub, ID);

    await page.getByRole('navigation', { name: 'Studio' }).getByRole('button', { name: 'Train' }).click();
    const train = page.getByTestId('page-train');
    await expect(train.getByLabel('Base model')).toHaveValue(`hub:${ID}`);
    await expect(train.getByTestId('rows-chosen')).toContainText('0 rows chosen'); // the sample's rows are pending
    await train.getByRole('radio', { name: 'All but rejected rows' }).check();
    await train.getByLabel('Use only the first').fill(String(ROWS));
    await expect(train.getByTestId('rows-chosen')).toContainText(`${ROWS} rows chosen`);

    await train.getByLabel('Method').selectOption('lora');
    await train.getByLabel('Rank').fill('4');
    await train.getByLabel('Alpha').fill('8');
    await train.getByLabel('Learning rate').fill('0.001');
    await train.getByLabel('Batch size').fill('4');
    await train.getByLabel('Epochs').fill('20');
    await train.getByLabel('Max steps').fill(String(MAX_STEPS));
    await train.getByLabel('Loss weight a').fill('0.5');
    await train.getByText('More settings').click();
    await train.getByLabel('Max input length').fill('32');
    await train.getByLabel('Max target length').fill('32');
    await train.getByLabel('Run name').fill('e2e lora');

    await train.getByRole('button', { name: 'Check plan' }).click();
    const plan = train.getByTestId('run-plan');
    await expect(plan).toContainText(`${ROWS} given`);
    await expect(plan).toContainText('GPU memory (estimate)');
    await expect(plan).toContainText('label and rationale tasks in one pass of 8 sequences');
    await expect(plan).toContainText(`${MAX_STEPS} in all`);

    // Long animation frames while training, with the scripts that ran in them, logged for whoever tunes the page
    // (the charts redraw at most every 2 s, deferred). Logged, not asserted: the frames are wall-clock times, and on
    // SwiftShader the GPU process computes on the same CPU cores as the page (and, on a shared machine, everyone
    // else), so their length says more about the machine's load than about the page. The test asserts CPU time instead.
    await page.evaluate(() => {
      type Script = { duration: number; invoker: string; sourceURL: string; sourceFunctionName: string; sourceCharPosition: number };
      const w = window as unknown as { longFrames: { frame: number; scripts: number; what: string }[] };
      w.longFrames = [];
      new PerformanceObserver((list) =>
        list.getEntries().forEach((e) => {
          const all = (e as unknown as { scripts: Script[] }).scripts ?? [];
          const scripts = all.reduce((t, s) => t + s.duration, 0);
          const what = all.map((s) => `${s.invoker} ${s.sourceFunctionName}@${s.sourceURL.split('/').pop()}:${s.sourceCharPosition} ${s.duration.toFixed(0)}`).join('; ');
          w.longFrames.push({ frame: e.duration, scripts, what });
        }),
      ).observe({ type: 'long-animation-frame' });
    });
    const browser = page.context().browser()!;
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'blink.user_timing'] });
    await train.getByRole('button', { name: 'Start training' }).click();
    const view = train.getByTestId('run-view');
    await expect.poll(() => points(page, 'Loss'), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => points(page, 'GPU memory')).toBeGreaterThanOrEqual(2);
    expect(await points(page, 'Throughput')).toBeGreaterThanOrEqual(1);
    await expect(page.getByRole('figure', { name: 'Loss' }).locator('.recharts-line-curve').first()).toBeVisible();
    await expect(page.getByRole('figure', { name: 'GPU memory' })).toContainText('peak');
    const bar = train.getByRole('progressbar', { name: 'Training progress' });
    await expect(bar).toHaveAttribute('aria-valuemax', String(MAX_STEPS));
    await expect(bar).toHaveAttribute('aria-valuetext', new RegExp(`step \\d+ of ${MAX_STEPS} · .* elapsed · about .* left`));
    await expect(view).toHaveAttribute('data-status', 'running');
    // Read before the screenshot: a full-page capture lays the page out again on the main thread.
    const longFrames = await page.evaluate(() => (window as unknown as { longFrames: { frame: number; scripts: number; what: string }[] }).longFrames);
    console.log(`long frames while training (frame/scripts ms): ${longFrames.map((f) => `${f.frame.toFixed(0)}/${f.scripts.toFixed(0)}`).join(', ') || 'none'}`);
    for (const f of longFrames.filter((x) => x.scripts > 200)) console.log(`  ${f.what}`);
    const trace = await browser.stopTracing(); // before the screenshot's layout
    await page.mouse.move(0, 0); // no chart tooltip in the picture
    await page.screenshot({ path: 'test-results/train-page-running.png', fullPage: true });

    await view.getByRole('button', { name: 'Pause' }).click();
    // The trace is read after the Pause click: parsing it takes seconds, and the run must pause before its last epoch.
    const tasks = mainThreadTasks(JSON.parse(trace.toString()));
    console.log(`main-thread tasks while training (wall/CPU ms): ${tasks.map(([wall, cpu]) => `${wall}/${cpu}`).join(', ') || 'none'}`);
    expect(tasks.length).toBeGreaterThan(0); // the trace did record the page's tasks
    expect(tasks.filter(([, cpu]) => cpu > LONG_TASK_CPU_MS), `tasks over ${LONG_TASK_CPU_MS} ms of CPU`).toEqual([]);
    await expect(view).toHaveAttribute('data-status', 'paused', { timeout: 120_000 });
    const pausedAt = Number(await bar.getAttribute('aria-valuenow'));
    expect(pausedAt).toBeGreaterThan(0);
    expect(pausedAt).toBeLessThan(MAX_STEPS);

    // The hub is gone: the resume must read the model from the cache and the rest from the run's checkpoint.
    await hub.close();
    await page.reload();
    await openStudio(page, '#/train');
    const resumed = page.getByTestId('run-view');
    await expect(resumed).toHaveAttribute('data-status', 'paused');
    await expect.poll(() => points(page, 'Loss')).toBeGreaterThanOrEqual(2); // the curves so far come back
    await resumed.getByRole('button', { name: 'Resume' }).click();
    await expect(resumed).toHaveAttribute('data-status', /running|tuning|evaluating|saving/);

    // Closing the tab mid-run (a reload, no pause): the run is interrupted and resumes from its last epoch's checkpoint.
    await expect.poll(async () => Number((await resumed.getAttribute('data-latest-checkpoint')) || 0), { timeout: 300_000 }).toBeGreaterThan(pausedAt);
    const checkpointAt = Number(await resumed.getAttribute('data-latest-checkpoint'));
    expect(checkpointAt).toBeLessThan(MAX_STEPS);
    await page.reload();
    await openStudio(page, '#/train');
    const interrupted = page.getByTestId('run-view');
    await expect(interrupted).toHaveAttribute('data-status', 'interrupted');
    await expect(page.getByTestId('runs-table').getByTestId('run-row').first()).toContainText('interrupted');
    await interrupted.getByRole('button', { name: 'Resume' }).click();
    await expect(interrupted).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
    await expect(page.getByRole('progressbar', { name: 'Training progress' })).toHaveAttribute('aria-valuenow', String(MAX_STEPS));
    // Every step once: the steps after the last checkpoint were trained again and their first metrics dropped (the
    // charts redraw in a deferred render, so polled).
    await expect.poll(() => points(page, 'Loss')).toBe(MAX_STEPS);

    const row = page.getByTestId('runs-table').getByTestId('run-row').filter({ hasText: 'e2e lora' });
    await expect(row).toContainText('done', { timeout: 300_000 }); // once the engine's call has settled
    await expect(row).toContainText(`${MAX_STEPS} / ${MAX_STEPS}`);
    await expect(page.getByTestId('storage-bar')).toContainText('Storage used by this site');
    // The finished run freed its gradients and optimizer state (the GPU panel polls the engine's byte count).
    await expect(page.getByTestId('gpu-memory').locator('li', { hasText: 'grads:' })).toHaveText('grads: 0 B');
    await expect(page.getByTestId('gpu-memory').locator('li', { hasText: 'optimizer:' })).toHaveText('optimizer: 0 B');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: 'test-results/train-page-done.png', fullPage: true });
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});
