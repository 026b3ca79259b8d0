// Where datasets live: one interface, two hosts (IndexedDB in the browser, a folder per dataset in Node).
// Row writes require the dataset to exist and bump its version (the train/eval split is stable per version).

import type { DatasetMeta, DatasetRow, RowSource, RowStatus, SplitName } from '../records';

/** Filters for listing rows; all optional, combined with AND. */
export interface RowQuery {
  source?: RowSource;
  status?: RowStatus;
  /** true: only rows whose label validated; false: only invalid ones. */
  valid?: boolean;
  /** Case-insensitive substring of question, label or rationale. */
  text?: string;
  /** Only rows in this split (needs the dataset's seed and train fraction, see split.ts). */
  split?: SplitName;
  /** Paging over the rows in id order. */
  offset?: number;
  limit?: number;
}

export interface DatasetStore {
  listDatasets(): Promise<DatasetMeta[]>;
  getDataset(id: string): Promise<DatasetMeta | undefined>;
  /** Creates or replaces a dataset's meta (rows are kept). */
  putDataset(meta: DatasetMeta): Promise<void>;
  /** Deletes the dataset and all its rows. */
  deleteDataset(id: string): Promise<void>;

  getRow(datasetId: string, rowId: string): Promise<DatasetRow | undefined>;
  /** Creates or replaces one row; bumps the dataset version. */
  putRow(row: DatasetRow): Promise<void>;
  /** Creates or replaces many rows in one transaction; bumps the dataset version once. */
  putRows(rows: DatasetRow[]): Promise<void>;
  /** Deletes one row (no-op if absent); bumps the dataset version when something was deleted. */
  deleteRow(datasetId: string, rowId: string): Promise<void>;
  /** Rows of a dataset in id order, filtered and paged by `query`. */
  listRows(datasetId: string, query?: RowQuery): Promise<DatasetRow[]>;
  countRows(datasetId: string): Promise<number>;
  close(): Promise<void>;
}
