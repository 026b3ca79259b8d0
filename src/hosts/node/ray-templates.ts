// Node's side of the Ray bundle templates: src/ray/templates/* read from disk (the browser's side is
// hosts/browser/ray-templates.ts, through Vite's ?raw). The CLI and createNodeEngine inject them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RAY_TEMPLATE_FILES, rayTemplates, type RayTemplates } from '../../ray/templates';

const TEMPLATE_DIR = fileURLToPath(new URL('../../ray/templates/', import.meta.url));

/** The bundle's fixed files, read from src/ray/templates/. */
export function readRayTemplates(dir = TEMPLATE_DIR): RayTemplates {
  return rayTemplates(Object.fromEntries(RAY_TEMPLATE_FILES.map((name) => [name, readFileSync(join(dir, name), 'utf8')])));
}
