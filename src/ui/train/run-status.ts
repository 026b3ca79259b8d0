import type { RunRecord } from '../../engine/run-api';
import type { LiveStatus } from './train-slice';

/** What a status means to a person. */
export const STATUS_TEXT: Record<LiveStatus, string> = {
  planning: 'Reading the data and the model to plan the run…',
  starting: 'Starting: loading the model and the data…',
  tuning: 'Choosing the fastest kernels for this GPU (once per GPU)…',
  evaluating: 'Evaluating on the eval split…',
  saving: 'Saving a checkpoint…',
  running: 'Training',
  paused: 'Paused: its latest checkpoint is saved',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted (the tab closed or the GPU was lost): resumable from its latest checkpoint',
};

/**
 * A stored run that can go on: paused, interrupted, or left "running" by a tab that closed mid-step (one cut off
 * before its first checkpoint starts again from step 0).
 */
export const canResume = (run: RunRecord, activeRunId: string | null) =>
  run.id !== activeRunId && !run.elsewhere && (run.status === 'paused' || run.status === 'interrupted' || run.status === 'running');

/** A run's status as shown: one left "running" without an engine training it was interrupted, unless another tab trains it. */
export const shownStatus = (run: RunRecord, activeRunId: string | null): RunRecord['status'] =>
  run.status === 'running' && run.id !== activeRunId && !run.elsewhere ? 'interrupted' : run.status;

/** What a run training in another tab of the studio says instead of its status text. */
export const ELSEWHERE_TEXT = 'Training in another tab of this studio: watch, pause or cancel it there (resume is offered here once it stops).';
