// The dataset store interface and the query logic every adapter shares. The adapters live with their hosts:
// src/hosts/browser/idb-dataset-store.ts (IndexedDB) and src/hosts/node/fs-dataset-store.ts (folders).
export type { DatasetStore, RowQuery } from './types';
export { applyRowQuery } from './row-query';
