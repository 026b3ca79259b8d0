// The studio's default data: on first visit (no dataset in IndexedDB) the built-in synthetic sample is fetched from
// public/sample/ (served at the site root, so it works offline once the app is loaded) and stored as a dataset.
import { validateQueryDsl } from '../../data/query-dsl';
import type { DatasetMeta, DatasetRow, IndexSchema } from '../../data/records';
import { DEFAULT_SPLIT_SEED, DEFAULT_TRAIN_FRACTION } from '../../data/split';
import type { DatasetStore } from '../../data/store/types';
import { DEFAULT_PROMPT_TEMPLATE } from '../../data/teacher';

export const SAMPLE_DATASET_ID = 'sample-sales-reports';
const BASE = `${import.meta.env?.BASE_URL ?? '/'}sample/`;

interface SampleLine {
  id: string;
  question: string;
  label: string;
  rationale: string;
}

/** Dataset meta + rows from the sample's JSONL and schema texts. Pure, so it is tested without a browser. */
export function sampleDataset(jsonl: string, schema: IndexSchema, now = Date.now()): { meta: DatasetMeta; rows: DatasetRow[] } {
  const meta: DatasetMeta = {
    id: SAMPLE_DATASET_ID,
    name: 'Sales reports (synthetic sample)',
    task: { id: 'sales-reports', name: 'Sales reports → OpenSearch Query DSL', schema, promptTemplate: DEFAULT_PROMPT_TEMPLATE },
    version: 1,
    splitSeed: DEFAULT_SPLIT_SEED,
    trainFraction: DEFAULT_TRAIN_FRACTION,
    synthetic: true,
    createdAt: now,
    updatedAt: now,
  };
  const rows: DatasetRow[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let s: SampleLine;
    try {
      s = JSON.parse(line) as SampleLine;
    } catch {
      throw new Error(`sample line ${i + 1} is not JSON`);
    }
    const label = typeof s.label === 'string' ? s.label : JSON.stringify(s.label);
    rows.push({
      id: s.id || `sample-${i + 1}`,
      datasetId: SAMPLE_DATASET_ID,
      question: s.question,
      label,
      rationale: s.rationale ?? '',
      source: 'import',
      status: 'pending',
      validity: validateQueryDsl(label, schema),
      // Line order as creation order, so duplicate grouping in the split is stable.
      createdAt: now + i,
      updatedAt: now + i,
    });
  });
  return { meta, rows };
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load the sample dataset: ${url} answered ${res.status}`);
  return res.text();
}

/** Seed function for the datasets slice: fetch the sample and store it. */
export async function seedSample(store: DatasetStore): Promise<void> {
  const [jsonl, schemaText] = await Promise.all([fetchText(`${BASE}sales-reports.jsonl`), fetchText(`${BASE}sales-reports.schema.json`)]);
  const { meta, rows } = sampleDataset(jsonl, JSON.parse(schemaText) as IndexSchema);
  await storeDataset(store, meta, rows);
}

/**
 * Stores a dataset and its rows, or nothing: rows need their dataset to exist first, so when the rows fail (quota)
 * the dataset is deleted again. Otherwise an empty sample would stay, and since the store is no longer empty the
 * sample would never be seeded again.
 */
export async function storeDataset(store: DatasetStore, meta: DatasetMeta, rows: DatasetRow[]): Promise<void> {
  await store.putDataset(meta);
  try {
    await store.putRows(rows);
  } catch (e) {
    await store.deleteDataset(meta.id).catch(() => undefined);
    throw e;
  }
}
