// Host-agnostic store exports. The Node filesystem store is imported from './fs-store' directly by Node hosts.
export type { DatasetStore, RowQuery } from './types';
export { openIdbDatasetStore, MIGRATIONS, DEFAULT_DB_NAME, type Migration, type IdbStoreEvents } from './idb-store';
export { applyRowQuery } from './row-query';
