// Node host for the Engine (CLI, tests): adds checkpoint folders on disk ({kind:'folder', path}) and an optional
// folder cache for hub downloads.
import type { Gpu } from '../../gpu/gpu';
import { folderSource } from './fs-source';
import { nodeHubCache } from './hub-cache';
import { Engine } from '../../engine/engine';
import type { SourceOpener } from '../../engine/model-sources';

export const folderOpener: SourceOpener = (source) => (source.kind === 'folder' ? folderSource(source.path) : undefined);

export function createNodeEngine(gpu: Gpu, options: { hubCacheDir?: string; fetch?: typeof fetch } = {}): Engine {
  const cache = options.hubCacheDir ? nodeHubCache(options.hubCacheDir) : undefined;
  return new Engine(gpu, { openers: [folderOpener], hub: { cache, fetch: options.fetch } });
}
