// Which hub models are in the browser's hub cache, judged from the cached URLs alone (no request): a model counts
// as cached when its config, tokenizer and weights (single file or shard index) are there under the current base URL.
import { hubFileUrl } from '../../io/hub';

export function cachedModelIds(cachedUrls: Iterable<string>, ids: readonly string[], baseUrl: string): string[] {
  const have = new Set(cachedUrls);
  const at = (id: string, file: string) => have.has(hubFileUrl(id, file, baseUrl));
  return ids.filter(
    (id) => at(id, 'config.json') && at(id, 'tokenizer.json') && (at(id, 'model.safetensors') || at(id, 'model.safetensors.index.json')),
  );
}
