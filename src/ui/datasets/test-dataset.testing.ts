// Test-only: a one-field dataset the Datasets page tests open in fake IndexedDB.
import type { DatasetMeta } from '../../data/records';
import { DEFAULT_PROMPT_TEMPLATE } from '../../data/teacher';

export function testDatasetMeta(overrides: Partial<DatasetMeta> = {}): DatasetMeta {
  return {
    id: 'ds',
    name: 'test',
    task: {
      id: 't',
      name: 'sales',
      schema: { index: 'sales', description: '', fields: [{ name: 'region', type: 'keyword', description: 'region' }] },
      promptTemplate: DEFAULT_PROMPT_TEMPLATE,
    },
    version: 1,
    splitSeed: 42,
    trainFraction: 0.8,
    synthetic: false,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}
