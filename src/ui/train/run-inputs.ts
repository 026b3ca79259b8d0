// What the next run trains: the model (a hub id, or a local folder), the imported adapter it continues (if any) and
// how many of the selected rows (which rows: the settings' `rows`).
// Kept in a small store of its own so the choice survives switching pages; the settings live in the train slice.
import { create } from 'zustand';
import type { PathedFile } from '../../io/browser-files-source';
import type { LoraSettings } from '../../settings/run-config';

export type ModelChoice =
  /** auto: picked by the page (the loaded or a cached model), followed until the person picks one. */
  | { kind: 'hub'; id: string; auto?: boolean }
  /** A folder picked as a handle (remembered in IndexedDB for resume). */
  | { kind: 'folder-handle'; name: string; handle: FileSystemDirectoryHandle }
  /** A folder picked with the file input (cannot be remembered: a resume asks for it again). */
  | { kind: 'folder-files'; name: string; files: PathedFile[] };

/** An adapter kept on the Export page (IndexedDB) that the next run continues; its files are read at the start. */
export interface StartAdapterChoice {
  id: string;
  label: string;
  r: number;
  alpha: number;
  /** Its LoRA settings as adapter_config.json states them (shown in the form, locked). */
  lora: Partial<LoraSettings>;
}

export interface RunInputs {
  model: ModelChoice | null;
  /** null: a fresh adapter (or full fine-tuning). */
  startAdapter: StartAdapterChoice | null;
  /** Train on the first N selected rows only (null: all). */
  limit: number | null;
  name: string;
  set(patch: Partial<Omit<RunInputs, 'set'>>): void;
}

export const useRunInputs = create<RunInputs>()((set) => ({
  model: null,
  startAdapter: null,
  limit: null,
  name: '',
  set: (patch) => set(patch),
}));
