import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ShaderSource } from '../../gpu/gpu';

const SHADER_DIR = fileURLToPath(new URL('../../../shaders/', import.meta.url));
const cache = new Map<string, string>();

/** Node's side of the one shader loader: shaders/<name>.wgsl read from disk once. */
export const nodeShaderSource: ShaderSource = (name) => {
  let code = cache.get(name);
  if (code === undefined) {
    const path = `${SHADER_DIR}${name}.wgsl`;
    try {
      code = readFileSync(path, 'utf8');
    } catch {
      throw new Error(`no shader file ${path}`);
    }
    cache.set(name, code);
  }
  return code;
};
