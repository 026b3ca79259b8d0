// Turning the page's choices into engine calls: the RunSpec from the model choice, the dataset rows and the
// settings; the folder a run was started from remembered under its id; and the model source a resume needs.
import type { ModelSource } from '../../engine/api';
import type { RunRecord, RunSpec } from '../../engine/run-api';
import { useDatasets } from '../datasets/datasets-slice';
import { useModels } from '../models/use-models';
import { ensureReadable, filesOf, recallFolder, rememberFolder } from '../../hosts/browser/folder-handles';
import { runData } from './run-data';
import { startAdapterFiles } from './start-adapter';
import type { ModelChoice } from './run-inputs';
import { useRunInputs } from './run-inputs';
import { useTrain } from './use-train';

async function modelSource(choice: ModelChoice): Promise<ModelSource> {
  if (choice.kind === 'hub') return { kind: 'hub', id: choice.id, baseUrl: useModels.getState().settings.baseUrl };
  if (choice.kind === 'folder-files') return { kind: 'files', files: choice.files, label: choice.name };
  if (!(await ensureReadable(choice.handle))) throw new Error(`Reading the folder ${choice.name} was not allowed: choose it again.`);
  return { kind: 'files', files: await filesOf(choice.handle), label: choice.name };
}

/** The spec of the next run, or a sentence saying what is missing. */
export async function currentSpec(): Promise<RunSpec | string> {
  const { model, limit, name } = useRunInputs.getState();
  const { current, rows } = useDatasets.getState();
  const config = useTrain.getState().config;
  if (!model) return 'Choose a model first.';
  if (!current) return 'No dataset is open: add one on the Datasets page.';
  const data = runData(current, rows, config.rows, limit);
  if (data.rows.length === 0) return 'No rows are chosen: pick “All but rejected rows”, or accept rows on the Datasets page.';
  const adapter = await startAdapterFiles();
  if (typeof adapter === 'string') return adapter;
  if (adapter && config.method === 'full') return 'Full fine-tuning cannot continue an adapter: choose LoRA or QLoRA, or “None” under “Start from adapter”.';
  // A continued adapter's LoRA settings are its own: the engine reads them from its adapter_config.json.
  const { lora: _fromAdapter, ...rest } = config;
  return { ...(name.trim() ? { name: name.trim() } : {}), config: adapter ? rest : config, model: await modelSource(model), data, ...(adapter ? { adapter } : {}) };
}

/** Whatever went wrong before the engine was asked, shown like an engine error. */
const badInput = (message: string) => useTrain.getState().setError({ kind: 'bad-input', message, runId: null });

export async function planCurrent(): Promise<void> {
  try {
    const spec = await currentSpec();
    if (typeof spec === 'string') return badInput(spec);
    await useTrain.getState().planRun(spec);
  } catch (e) {
    badInput(e instanceof Error ? e.message : String(e));
  }
}

export async function startCurrent(): Promise<void> {
  const choice = useRunInputs.getState().model;
  let spec: RunSpec | string;
  try {
    spec = await currentSpec();
  } catch (e) {
    return badInput(e instanceof Error ? e.message : String(e));
  }
  if (typeof spec === 'string') return badInput(spec);
  // A folder picked as a handle is stored under the run's id as soon as the run has one, so a reload can resume.
  const unsubscribe =
    choice?.kind === 'folder-handle'
      ? useTrain.subscribe((s, prev) => {
          if (s.activeRunId && s.activeRunId !== prev.activeRunId) {
            void rememberFolder(s.activeRunId, choice.handle).catch(() => undefined);
            unsubscribe?.();
          }
        })
      : null;
  try {
    await useTrain.getState().startRun(spec);
  } finally {
    unsubscribe?.();
  }
}

/**
 * Resume a stored run. A hub model is read from the cache by the engine; a folder comes from the handle
 * remembered with the run (permission asked again, on this click), or from `files` picked again by the person.
 */
export async function resumeStored(run: RunRecord, files?: ModelSource): Promise<void> {
  let model: ModelSource | undefined = files;
  if (!model && run.model.kind === 'files') {
    try {
      const handle = await recallFolder(run.id);
      if (!handle) return badInput(`This run trained the folder ${run.model.label}, which this browser could not remember: pick the folder again to resume.`);
      if (!(await ensureReadable(handle))) return badInput(`Reading the folder ${handle.name} was not allowed: allow it to resume, or pick the folder again.`);
      model = { kind: 'files', files: await filesOf(handle), label: handle.name };
    } catch (e) {
      return badInput(`Could not read the folder of this run: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  await useTrain.getState().resumeRun(run.id, model);
}
