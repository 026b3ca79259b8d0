// Autotune choices as one JSON file per adapter: <repo>/.cache/autotune/<adapter-key>.json (gitignored).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AutotuneChoices, AutotuneStore } from '../../gpu/autotune-store';

export const DEFAULT_AUTOTUNE_DIR = fileURLToPath(new URL('../../../.cache/autotune/', import.meta.url));

export class FileAutotuneStore implements AutotuneStore {
  constructor(readonly dir: string = DEFAULT_AUTOTUNE_DIR) {}

  private path(adapterKey: string): string {
    return join(this.dir, `${adapterKey}.json`);
  }

  async load(adapterKey: string): Promise<AutotuneChoices | null> {
    let text: string;
    try {
      text = await readFile(this.path(adapterKey), 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = JSON.parse(text) as { choices?: unknown };
      const choices = parsed.choices;
      if (!choices || typeof choices !== 'object') return null;
      return Object.fromEntries(Object.entries(choices).filter(([, v]) => typeof v === 'string')) as AutotuneChoices;
    } catch {
      // A damaged cache only costs a re-tune.
      return null;
    }
  }

  async save(adapterKey: string, choices: AutotuneChoices): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.path(adapterKey);
    const tmp = `${path}.${process.pid}.tmp`;
    // Write then rename, so a concurrent reader never sees half a file.
    await writeFile(tmp, JSON.stringify({ adapter: adapterKey, saved: new Date().toISOString(), choices }, null, 2) + '\n');
    await rename(tmp, path);
  }
}
