// The sample dataset's files, as text, keyed by file name under public/sample/. The generator script writes them;
// the test regenerates them and compares with what is committed.

import { generateSampleRows, sampleJsonl } from './generate';
import { SAMPLE_SCHEMA } from './schema';

export const SAMPLE_JSONL = 'sales-reports.jsonl';
export const SAMPLE_SCHEMA_JSON = 'sales-reports.schema.json';

export function sampleFiles(): Record<string, string> {
  return {
    [SAMPLE_JSONL]: sampleJsonl(generateSampleRows()),
    [SAMPLE_SCHEMA_JSON]: JSON.stringify(SAMPLE_SCHEMA, null, 2) + '\n',
  };
}
