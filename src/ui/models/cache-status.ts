// Which hub models are in the browser's hub cache, judged from the cached URLs alone (no request): a model counts
// as cached when its config, tokenizer and weights are there under the current base URL. Weights are one
// model.safetensors, or a shard index with every shard it implies by the standard shard names
// (model-00001-of-00003.safetensors ... model-00003-of-00003.safetensors): an index alone is not a model.
import { hubFileUrl } from '../../settings/hub';

const SHARD = /^model-(\d+)-of-(\d+)\.safetensors$/;

/** True when some "-of-N" shard set is complete among `files` (names under the model's resolve folder). */
function hasAllShards(files: ReadonlySet<string>): boolean {
  const byCount = new Map<number, Set<number>>();
  for (const f of files) {
    const m = SHARD.exec(f);
    if (!m) continue;
    const of = Number(m[2]);
    const index = Number(m[1]);
    if (index < 1 || index > of) continue;
    if (!byCount.has(of)) byCount.set(of, new Set());
    byCount.get(of)!.add(index);
  }
  return [...byCount].some(([of, seen]) => seen.size === of);
}

export function cachedModelIds(cachedUrls: Iterable<string>, ids: readonly string[], baseUrl: string): string[] {
  const urls = [...cachedUrls];
  const have = new Set(urls);
  return ids.filter((id) => {
    const at = (file: string) => have.has(hubFileUrl(id, file, baseUrl));
    if (!at('config.json') || !at('tokenizer.json')) return false;
    if (at('model.safetensors')) return true;
    if (!at('model.safetensors.index.json')) return false;
    const folder = hubFileUrl(id, '', baseUrl);
    const files = new Set(urls.filter((u) => u.startsWith(folder)).map((u) => decodeURIComponent(u.slice(folder.length))));
    return hasAllShards(files);
  });
}
