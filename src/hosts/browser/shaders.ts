import type { ShaderSource } from '../../gpu/gpu';

// The browser's side of the one shader loader: Vite bundles every shaders/*.wgsl as a string.
const bundled = import.meta.glob('../../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const byName = new Map(Object.entries(bundled).map(([path, code]) => [path.replace(/^.*\/(.+)\.wgsl$/, '$1'), code]));

export const browserShaderSource: ShaderSource = (name) => {
  const code = byName.get(name);
  if (code === undefined) throw new Error(`no shader shaders/${name}.wgsl in this build`);
  return code;
};
