// Continuing an imported adapter from the Train page: choosing one (from the "Start from adapter" select or the
// Export page's "Continue training") makes the method LoRA (QLoRA stays QLoRA) and shows the adapter's own LoRA
// settings in the form, where they cannot be edited: the engine takes them from adapter_config.json.
import { getAdapter, type StoredAdapter } from '../../hosts/browser/idb-adapter-store';
import { ALL_LINEAR_TARGETS, type LoraSettings } from '../../settings/run-config';
import type { StartAdapter } from '../../engine/run-api';
import { useStudio } from '../store';
import { useRunInputs } from './run-inputs';
import { useTrain } from './use-train';

/** The LoRA settings adapter_config.json states, as far as the form shows them (the engine reads the weights too). */
export function adapterLora(adapter: StoredAdapter): Partial<LoraSettings> {
  const text = adapter.files['adapter_config.json'];
  let c: Record<string, unknown> = {};
  try {
    c = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text)) as Record<string, unknown>;
  } catch {
    // the import checked it; a damaged record shows r and alpha only
  }
  const out: Partial<LoraSettings> = { rank: adapter.r, alpha: adapter.alpha };
  if (typeof c.lora_dropout === 'number') out.dropout = c.lora_dropout;
  out.rslora = c.use_rslora === true;
  const targets = Array.isArray(c.target_modules) ? ALL_LINEAR_TARGETS.filter((t) => (c.target_modules as unknown[]).includes(t)) : [];
  if (targets.length > 0) out.targets = targets;
  return out;
}

/** Make `adapter` (null: none) the next run's start, with the method and LoRA fields to match. */
export function chooseStartAdapter(adapter: StoredAdapter | null): void {
  if (!adapter) {
    useRunInputs.getState().set({ startAdapter: null });
    return;
  }
  useRunInputs.getState().set({ startAdapter: { id: adapter.id, label: adapter.label, r: adapter.r, alpha: adapter.alpha, lora: adapterLora(adapter) } });
  showStartAdapterSettings();
}

/** Method LoRA (QLoRA stays) and the chosen adapter's LoRA values in the form, e.g. again after a preset replaced them. */
export function showStartAdapterSettings(): void {
  const choice = useRunInputs.getState().startAdapter;
  if (!choice) return;
  const train = useTrain.getState();
  if (train.config.method === 'full') train.setConfig({ method: 'lora' });
  train.setLora(choice.lora);
}

/** The Export page's "Continue training": the Train page, with `adapter` chosen to start from. */
export function continueTraining(adapter: StoredAdapter): void {
  chooseStartAdapter(adapter);
  useStudio.getState().goTo('train');
}

/** The chosen adapter's files, read from IndexedDB when the run is planned or started. */
export async function startAdapterFiles(): Promise<StartAdapter | null | string> {
  const choice = useRunInputs.getState().startAdapter;
  if (!choice) return null;
  const stored = await getAdapter(choice.id);
  if (!stored) return `The adapter ${choice.label} is no longer stored in this browser: import it again on the Export page, or choose “None” under “Start from adapter”.`;
  return { label: stored.label, files: stored.files };
}
