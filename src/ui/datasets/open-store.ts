// One IndexedDB dataset store per page, opened on first use (React StrictMode runs effects twice; both get the
// same promise). When the connection is lost (another tab upgraded the schema, the browser dropped it) the page
// says so and asks for a reload instead of failing every later click with an IndexedDB error.
import { openIdbDatasetStore } from '../../hosts/browser/idb-dataset-store';
import type { DatasetStore } from '../../data/store/types';
import { useDatasets } from './datasets-slice';

let opening: Promise<DatasetStore> | null = null;

export function pageDatasetStore(): Promise<DatasetStore> {
  opening ??= openIdbDatasetStore(undefined, undefined, {
    onClosed(reason) {
      opening = null;
      useDatasets.setState({ status: 'error', message: `The datasets are no longer available: ${reason}.` });
    },
  }).catch((e) => {
    opening = null;
    throw e;
  });
  return opening;
}
