// One IndexedDB dataset store per page, opened on first use (React StrictMode runs effects twice; both get the
// same promise).
import { openIdbDatasetStore } from '../../data/store';
import type { DatasetStore } from '../../data/store/types';

let opening: Promise<DatasetStore> | null = null;

export function pageDatasetStore(): Promise<DatasetStore> {
  opening ??= openIdbDatasetStore().catch((e) => {
    opening = null;
    throw e;
  });
  return opening;
}
