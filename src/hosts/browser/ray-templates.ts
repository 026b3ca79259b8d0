// The browser's side of the Ray bundle templates: Vite bundles src/ray/templates/* as text (Node reads them from
// disk: hosts/node/ray-templates.ts). The engine worker injects them, so the Export page's zip has the CLI's files.
import { rayTemplates, type RayTemplates } from '../../ray/templates';

const bundled = import.meta.glob('../../ray/templates/*', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const browserRayTemplates = (): RayTemplates => rayTemplates(bundled);
