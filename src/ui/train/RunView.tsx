import { useEffect, useRef } from 'react';
import type { RunRecord } from '../../engine/run-api';
import { formatBytes } from '../format';
import { AdapterDownload } from './AdapterDownload';
import { resumeStored } from './launch';
import { PlanView } from './PlanView';
import { RunCharts } from './RunCharts';
import { RunProgressBar } from './RunProgressBar';
import { ELSEWHERE_TEXT, STATUS_TEXT, canResume, shownStatus } from './run-status';
import { useTrain } from './use-train';

const EMPTY: never[] = [];

/** One run up close: status and controls (Pause, Resume, Cancel), progress, best/final numbers and its charts. */
export function RunView({ run }: { run: RunRecord }) {
  const activeRunId = useTrain((s) => s.activeRunId);
  const liveStatus = useTrain((s) => s.liveStatus);
  const liveMessage = useTrain((s) => s.liveMessage);
  const lastStep = useTrain((s) => s.lastStep);
  const rows = useTrain((s) => s.metrics[run.id] ?? EMPTY);
  const active = activeRunId === run.id;
  const status = active && liveStatus ? liveStatus : shownStatus(run, activeRunId);
  const c = run.config;
  const ref = useRef<HTMLElement>(null);
  // A run that starts here scrolls into view: the settings above are long, and the charts are what to watch now.
  useEffect(() => {
    if (active) ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [active]);
  return (
    <section ref={ref} className="run-view" aria-label={`Run ${run.name}`} data-testid="run-view" data-status={status} data-latest-checkpoint={run.checkpoints.latest?.step ?? ''}>
      <header>
        <h2>{run.name}</h2>
        <span className={`status-badge status-${status}`} data-testid="run-status">
          {status}
        </span>
        <div className="run-actions">
          <button type="button" disabled={!active} onClick={() => void useTrain.getState().pauseRun()}>
            Pause
          </button>
          {canResume(run, activeRunId) ? (
            <button type="button" className="primary" disabled={activeRunId !== null} onClick={() => void resumeStored(run)}>
              Resume
            </button>
          ) : null}
          <button type="button" disabled={!active} onClick={() => void useTrain.getState().cancelRun()}>
            Cancel
          </button>
        </div>
      </header>
      <p className="muted small">
        {run.elsewhere && !active
          ? ELSEWHERE_TEXT
          : status === 'interrupted' && !run.checkpoints.latest
            ? 'Interrupted before its first checkpoint (saved at the end of each epoch and on Pause): Resume starts it again from step 0.'
            : STATUS_TEXT[status]}
        {active && liveMessage ? ` — ${liveMessage}` : ''}
      </p>
      <RunProgressBar run={run} last={active ? lastStep : null} />
      <dl className="run-facts">
        <dt>Model</dt>
        <dd>{run.model.label}</dd>
        <dt>Data</dt>
        <dd>
          {run.data.name}: {run.data.trainRows} train, {run.data.evalRows} eval rows
        </dd>
        <dt>Method</dt>
        <dd>
          {c.method === 'full' ? 'full fine-tuning' : `${c.method === 'qlora' ? 'QLoRA' : 'LoRA'} r${c.lora.rank} α${c.lora.alpha}${c.lora.rslora ? ' rsLoRA' : ''} on ${c.lora.targets.join(', ')}`}
          {` · lr ${c.lr} · batch ${c.batchSize}${c.gradAccum > 1 ? `×${c.gradAccum}` : ''} · a ${c.a} · ${c.epochs} epochs${c.maxSteps ? `, at most ${c.maxSteps} steps` : ''}`}
        </dd>
        {run.startedFrom ? (
          <>
            <dt>Started from</dt>
            <dd data-testid="run-started-from">
              adapter {run.startedFrom.adapter} (sha256 {run.startedFrom.sha256.slice(0, 12)}…): its weights trained on, AdamW started fresh
            </dd>
          </>
        ) : null}
        <dt>Best eval</dt>
        <dd data-testid="run-best">{run.best ? `${run.best.eval_loss.toFixed(4)} at step ${run.best.step}` : '—'}</dd>
        <dt>Final</dt>
        <dd data-testid="run-final">
          {run.final ? `train loss ${run.final.loss?.toFixed(4) ?? '—'}, eval loss ${run.final.eval_loss?.toFixed(4) ?? '—'} at step ${run.final.step}` : '—'}
        </dd>
        <dt>Peak GPU memory</dt>
        <dd>{run.peakGpuBytes ? formatBytes(run.peakGpuBytes) : '—'}</dd>
        <dt>Checkpoints</dt>
        <dd>
          {run.checkpoints.latest ? `latest at step ${run.checkpoints.latest.step}` : 'none yet'}
          {run.checkpoints.best ? `, best at step ${run.checkpoints.best.step}` : ''}
        </dd>
      </dl>
      <details className="run-plan">
        <summary>Its plan: rows, truncations, memory</summary>
        <PlanView plan={run.plan} testId="run-own-plan" title="Plan of this run" />
      </details>
      <AdapterDownload run={run} />
      <RunCharts rows={rows} live={active} />
    </section>
  );
}
