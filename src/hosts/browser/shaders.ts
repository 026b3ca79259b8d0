import type { ShaderSource } from '../../gpu/gpu';

// The browser's side of the one shader loader. Vite emits every shaders/*.wgsl as its own file (never inlined into
// the worker's script) and gives here only their URLs; a shader is fetched the first time a program needs it, so
// the engine worker's script carries no WGSL and a page that never trains never downloads the backward kernels.
// Programs compile inside the synchronous dispatch path (gpu.pipeline), so the fetch is a synchronous request:
// allowed in a worker, where the engine runs, and a same-origin file of a few kB.
const urls = import.meta.glob('../../../shaders/*.wgsl', { query: '?url&no-inline', import: 'default', eager: true }) as Record<string, string>;

const urlByName = new Map(Object.entries(urls).map(([path, url]) => [path.replace(/^.*\/(.+)\.wgsl$/, '$1'), url]));
const loaded = new Map<string, string>();

function fetchText(url: string): string {
  const request = new XMLHttpRequest();
  request.open('GET', url, false);
  request.send();
  if (request.status !== 200) throw new Error(`HTTP ${request.status}`);
  return request.responseText;
}

export const browserShaderSource: ShaderSource = (name) => {
  const cached = loaded.get(name);
  if (cached !== undefined) return cached;
  const url = urlByName.get(name);
  if (url === undefined) throw new Error(`no shader shaders/${name}.wgsl in this build`);
  let code: string;
  try {
    code = fetchText(url);
  } catch (e) {
    throw new Error(`cannot load shader shaders/${name}.wgsl from ${url}: ${(e as Error).message}`);
  }
  loaded.set(name, code);
  return code;
};
