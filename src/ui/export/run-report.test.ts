import { expect, it } from 'vitest';
import type { MetricRow } from '../../engine/run-api';
import { fileStem, metricsCsv } from './run-report';

it('metrics CSV: one header, train and eval rows in shared columns, GPU bytes per category, empty for missing', () => {
  const rows: MetricRow[] = [
    {
      kind: 'train', step: 1, epoch: 0.5, loss: 2.5, loss_label: 2, loss_rationale: null, lr: 0.001, grad_norm: 1.25, samples_per_s: 4, tokens_per_s: 100,
      gpu_bytes: { weights: 10, grads: 2, optimizer: 4, activations: 8, scratch: 1 }, gpu_peak_bytes: 30, elapsed_s: 1.5,
    },
    { kind: 'eval', step: 2, epoch: 1, eval_loss: 1.75, eval_loss_label: 1.5, eval_loss_rationale: 2 },
  ];
  const [header, train, evalRow, end] = metricsCsv(rows).split('\r\n');
  expect(header).toBe('kind,step,epoch,loss,loss_label,loss_rationale,eval_loss,eval_loss_label,eval_loss_rationale,lr,grad_norm,samples_per_s,tokens_per_s,gpu_peak_bytes,elapsed_s,gpu_bytes_activations,gpu_bytes_grads,gpu_bytes_optimizer,gpu_bytes_scratch,gpu_bytes_weights');
  expect(train).toBe('train,1,0.5,2.5,2,,,,,0.001,1.25,4,100,30,1.5,8,2,4,1,10');
  expect(evalRow).toBe('eval,2,1,,,,1.75,1.5,2,,,,,,,,,,,');
  expect(end).toBe('');
  expect(fileStem(' LoRA r8 / flan-t5 ')).toBe('LoRA_r8_flan-t5');
});
