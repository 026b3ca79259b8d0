// The Datasets page state: which dataset is open, its rows (held in memory for instant search), the inspector's
// filters and selection, and the actions that write through to the DatasetStore (IndexedDB in the browser).
// Its own zustand store, separate from the shell's (src/ui/store.ts); components select single fields.
import { create } from 'zustand';
import { validateQueryDsl } from '../../data/query-dsl';
import type { DatasetMeta, DatasetRow, RowStatus, TaskSpec } from '../../data/records';
import type { DatasetStore } from '../../data/store/types';
import { NO_FILTERS, type RowFilters } from './filter-rows';

export type RowEdit = Partial<Pick<DatasetRow, 'question' | 'label' | 'rationale' | 'status'>>;

export interface DatasetsState {
  store: DatasetStore | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** What is happening or went wrong, in words a person can act on. */
  message: string | null;
  datasets: DatasetMeta[];
  currentId: string | null;
  /** The current dataset's meta (same object as in `datasets`). */
  current: DatasetMeta | null;
  rows: DatasetRow[];
  filters: RowFilters;
  page: number;
  selectedRowId: string | null;
}

export interface DatasetsActions {
  /** Attach a store, seed it when empty (`seed` puts the built-in sample), and open the first dataset. */
  init(store: DatasetStore, seed?: (store: DatasetStore) => Promise<void>): Promise<void>;
  openDataset(id: string): Promise<void>;
  setFilters(patch: Partial<RowFilters>): void;
  setPage(page: number): void;
  selectRow(id: string | null): void;
  /** Edits re-validate the label against the dataset's schema; status changes keep the validity. */
  editRow(id: string, edit: RowEdit): Promise<DatasetRow>;
  setStatus(id: string, status: RowStatus): Promise<void>;
  deleteRow(id: string): Promise<void>;
  /** New or replaced rows (teacher, import); written in one transaction. */
  addRows(rows: DatasetRow[]): Promise<void>;
  /** Save the task (schema, prompt template) of the current dataset. */
  saveTask(task: TaskSpec): Promise<void>;
  createDataset(meta: DatasetMeta): Promise<void>;
}

export type DatasetsSlice = DatasetsState & DatasetsActions;

const INITIAL: DatasetsState = {
  store: null,
  status: 'idle',
  message: null,
  datasets: [],
  currentId: null,
  current: null,
  rows: [],
  filters: NO_FILTERS,
  page: 0,
  selectedRowId: null,
};

function need(store: DatasetStore | null): DatasetStore {
  if (!store) throw new Error('the dataset store is not open yet');
  return store;
}

export const useDatasets = create<DatasetsSlice>()((set, get) => {
  let openRequests = 0;
  /** Re-read the current meta after a write (the store bumps its version). */
  const refreshMeta = async () => {
    const { store, currentId } = get();
    if (!store || !currentId) return;
    const meta = await store.getDataset(currentId);
    if (meta) set((s) => ({ current: meta, datasets: s.datasets.map((d) => (d.id === meta.id ? meta : d)) }));
  };

  return {
    ...INITIAL,

    async init(store, seed) {
      if (get().status === 'loading') return;
      set({ store, status: 'loading', message: 'Opening datasets…' });
      try {
        let datasets = await store.listDatasets();
        if (datasets.length === 0 && seed) {
          set({ message: 'Loading the built-in sample dataset…' });
          await seed(store);
          datasets = await store.listDatasets();
        }
        set({ datasets });
        const keep = get().currentId;
        const first = datasets.find((d) => d.id === keep) ?? datasets[0];
        if (first) await get().openDataset(first.id);
        set({ status: 'ready', message: null });
      } catch (e) {
        set({ status: 'error', message: `Could not open the datasets: ${e instanceof Error ? e.message : String(e)}` });
      }
    },

    async openDataset(id) {
      // Switching datasets quickly: only the last request may set the rows, whichever reply arrives last.
      const request = ++openRequests;
      const store = need(get().store);
      const meta = await store.getDataset(id);
      if (!meta) throw new Error(`no dataset with id "${id}"`);
      const rows = await store.listRows(id);
      if (request !== openRequests) return;
      set({ currentId: id, current: meta, rows, page: 0, selectedRowId: null, filters: NO_FILTERS });
    },

    setFilters(patch) {
      set((s) => ({ filters: { ...s.filters, ...patch }, page: 0 }));
    },

    setPage(page) {
      set({ page });
    },

    selectRow(id) {
      set({ selectedRowId: id });
    },

    async editRow(id, edit) {
      const { store, rows, current } = get();
      const old = rows.find((r) => r.id === id);
      if (!old || !current) throw new Error(`no row "${id}" in the open dataset`);
      const next: DatasetRow = { ...old, ...edit, updatedAt: Date.now() };
      if (edit.label !== undefined) next.validity = validateQueryDsl(next.label, current.task.schema);
      await need(store).putRow(next);
      set((s) => ({ rows: s.rows.map((r) => (r.id === id ? next : r)) }));
      await refreshMeta();
      return next;
    },

    async setStatus(id, status) {
      await get().editRow(id, { status });
    },

    async deleteRow(id) {
      const { store, currentId } = get();
      if (!currentId) return;
      await need(store).deleteRow(currentId, id);
      set((s) => ({ rows: s.rows.filter((r) => r.id !== id), selectedRowId: s.selectedRowId === id ? null : s.selectedRowId }));
      await refreshMeta();
    },

    async addRows(newRows) {
      if (newRows.length === 0) return;
      const { store, currentId } = get();
      await need(store).putRows(newRows);
      const mine = newRows.filter((r) => r.datasetId === currentId);
      const byId = new Map(mine.map((r) => [r.id, r]));
      set((s) => ({ rows: [...s.rows.filter((r) => !byId.has(r.id)), ...mine] }));
      await refreshMeta();
    },

    async saveTask(task) {
      const { store, current } = get();
      if (!current) return;
      const meta: DatasetMeta = { ...current, task, updatedAt: Date.now() };
      await need(store).putDataset(meta);
      set((s) => ({ current: meta, datasets: s.datasets.map((d) => (d.id === meta.id ? meta : d)) }));
    },

    async createDataset(meta) {
      const store = need(get().store);
      await store.putDataset(meta);
      set({ datasets: await store.listDatasets() });
      await get().openDataset(meta.id);
    },
  };
});

/** For tests: back to the initial state (the store is not closed). */
export function resetDatasets(): void {
  useDatasets.setState(INITIAL);
}
