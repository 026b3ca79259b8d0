import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../../engine/run-api';
import { RUN_DEFAULTS } from '../../settings/run-config';
import { formatDuration, progressText, runProgress } from './progress';

const record = { step: 10, totalSteps: 40, epoch: 1, trainSeconds: 20, config: { ...RUN_DEFAULTS, epochs: 4 } };

describe('runProgress', () => {
  it('estimates the time left from the pace so far', () => {
    const p = runProgress(record);
    expect(p).toMatchObject({ step: 10, totalSteps: 40, epoch: 1, totalEpochs: 4, elapsedS: 20, fraction: 0.25 });
    expect(p.etaS).toBeCloseTo(60);
  });

  it('takes the live step when it is ahead of the stored record', () => {
    const last = { step: 20, epoch: 2, elapsed_s: 30 } as StepMetrics;
    const p = runProgress(record, last);
    expect(p).toMatchObject({ step: 20, epoch: 2, elapsedS: 30, fraction: 0.5 });
    expect(p.etaS).toBeCloseTo(30);
  });

  it('counts the epochs max steps leaves, not the configured ones', () => {
    expect(runProgress({ ...record, plan: { stepsPerEpoch: 3 } }).totalEpochs).toBe(4); // 40 steps would be 13.33 epochs; config says 4
    expect(runProgress({ ...record, step: 0, totalSteps: 6, plan: { stepsPerEpoch: 3 } }).totalEpochs).toBe(2);
    expect(runProgress({ ...record, step: 0, totalSteps: 5, plan: { stepsPerEpoch: 3 } }).totalEpochs).toBe(1.67);
  });

  it('has no ETA before the first step', () => {
    const p = runProgress({ ...record, step: 0, epoch: 0, trainSeconds: 0 });
    expect(p.etaS).toBeNull();
    expect(progressText(p)).toContain('time left unknown');
  });
});

describe('formatDuration', () => {
  it('writes minutes and seconds, and hours when there are any', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});

it('progressText names epoch, step, elapsed and ETA', () => {
  expect(progressText(runProgress(record))).toBe('Epoch 1.00 of 4 · step 10 of 40 · 0:20 elapsed · about 1:00 left');
});
