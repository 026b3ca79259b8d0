// The Ray bundle's fixed files live as real files in src/ray/templates/ (Python that py_compile checks, YAML, Markdown)
// and reach the bundle as text handed in by the host, as shaders do: Node reads them from disk
// (src/hosts/node/ray-templates.ts), Vite bundles them with import.meta.glob ?raw (src/hosts/browser/ray-templates.ts),
// and each host injects them into the engine. {{NAME}} placeholders are filled per run; one left unfilled is an error.

export const RAY_TEMPLATE_FILES = ['stepwise_dss.py', 'train_ray.py', 'requirements.txt', 'rayjob.yaml', 'README.md'] as const;

export type RayTemplateName = (typeof RAY_TEMPLATE_FILES)[number];
export type RayTemplates = Record<RayTemplateName, string>;

/** The templates from a name -> text map (paths allowed: the last segment is the name); a missing one is named. */
export function rayTemplates(found: Record<string, string>): RayTemplates {
  const byName = new Map(Object.entries(found).map(([path, text]) => [path.split('/').pop()!, text]));
  const out = {} as RayTemplates;
  for (const name of RAY_TEMPLATE_FILES) {
    const text = byName.get(name);
    if (typeof text !== 'string') throw new Error(`Ray bundle template ${name} is missing (src/ray/templates/${name})`);
    out[name] = text;
  }
  return out;
}

/** Replace every {{KEY}} of a template; unknown or missing keys are refused with the template's name. */
export function fillTemplate(name: string, text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`Ray bundle template ${name}: no value for {{${key}}}`);
    return String(v);
  });
}
