// Writes the built-in SYNTHETIC sample dataset: public/sample/sales-reports.jsonl (question, label, rationale per
// line) and public/sample/sales-reports.schema.json (the index schema). Reproducible: the same code writes the same
// bytes. Run: npx tsx tools/make-sample-dataset.ts  (or npm run make:sample)

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleFiles } from '../src/data/sample/files';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'sample');
for (const [name, text] of Object.entries(sampleFiles())) {
  writeFileSync(join(out, name), text);
  console.log(`wrote ${join('public', 'sample', name)} (${text.length} characters)`);
}
