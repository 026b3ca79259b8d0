import { memo, useEffect } from 'react';
import { useDatasets } from '../datasets/datasets-slice';
import { pageDatasetStore } from '../datasets/open-store';
import { seedSample } from '../datasets/sample-loader';
import { useModels } from '../models/use-models';
import { DataPicker } from './DataPicker';
import { ModelPicker } from './ModelPicker';
import { PlanView } from './PlanView';
import { RunsPanel } from './RunsPanel';
import { RunView } from './RunView';
import { SettingsForm } from './SettingsForm';
import { TrainErrorBox } from './TrainErrorBox';
import { planCurrent, startCurrent } from './launch';
import { useRunInputs } from './run-inputs';
import { STATUS_TEXT } from './run-status';
import { useTrain } from './use-train';
import './train.css';

// The form's sections take only `disabled`: memoised, they skip the re-renders a running run's status causes.
const ModelSection = memo(ModelPicker);
const DataSection = memo(DataPicker);
const SettingsSection = memo(SettingsForm);

let started = false;

/** Open what the page needs once per page load: stored runs, the datasets (seeding the sample), the model list. */
function startOnce() {
  if (started) return;
  started = true;
  void useTrain.getState().init();
  void useModels.getState().init();
  if (useDatasets.getState().status === 'idle') {
    pageDatasetStore()
      .then((store) => useDatasets.getState().init(store, seedSample))
      .catch((e) => useDatasets.setState({ status: 'error', message: `Could not open IndexedDB: ${e instanceof Error ? e.message : String(e)}` }));
  }
}

/** Train: pick a model and rows, choose the method and settings, check the plan, train and watch; every run below. */
export function TrainPage() {
  useEffect(startOnce, []);
  const activeRunId = useTrain((s) => s.activeRunId);
  const liveStatus = useTrain((s) => s.liveStatus);
  const plan = useTrain((s) => s.plan);
  const error = useTrain((s) => s.error);
  const info = useTrain((s) => s.info);
  const shownRun = useTrain((s) => s.runs.find((r) => r.id === s.shownRunId) ?? null);
  const name = useRunInputs((s) => s.name);
  const busy = activeRunId !== null || liveStatus === 'starting' || liveStatus === 'planning';

  return (
    <section className="page train-page" data-testid="page-train">
      <h1>Train</h1>
      <p className="muted">
        Fine-tune the student on this GPU: full fine-tuning, LoRA or QLoRA, trained multi-task on labels and rationales (loss = a·label + (1−a)·rationale). Runs are saved in this
        browser with checkpoints, so a closed tab can resume.
      </p>
      <div className="new-run">
        <ModelSection disabled={busy} />
        <DataSection disabled={busy} />
        <SettingsSection disabled={busy} />
        <div className="start-row">
          <label className="field">
            Run name
            <input type="text" value={name} placeholder="method, model and time" disabled={busy} onChange={(e) => useRunInputs.getState().set({ name: e.target.value })} />
          </label>
          <button type="button" disabled={busy} onClick={() => void planCurrent()}>
            Check plan
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void startCurrent()}>
            Start training
          </button>
          {liveStatus && !activeRunId ? <span className="muted">{STATUS_TEXT[liveStatus]}</span> : null}
        </div>
        {plan ? <PlanView plan={plan} /> : <p className="muted small">“Check plan” counts the rows, the truncations and the GPU memory before anything trains; “Start training” checks it too.</p>}
      </div>
      {error ? <TrainErrorBox error={error} /> : null}
      {info ? (
        <p className="notice" role="status" data-testid="train-info">
          {info}
        </p>
      ) : null}
      {shownRun ? <RunView run={shownRun} /> : null}
      <RunsPanel />
    </section>
  );
}
