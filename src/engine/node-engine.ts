// Node host for the Engine (CLI, tests): adds checkpoint folders on disk ({kind:'folder', path}) and an optional
// folder cache for hub downloads. Browser code must not import this file (node:fs).
import type { Gpu } from '../gpu/gpu';
import { folderSource } from '../hosts/node/fs-source';
import { nodeHubCache } from '../hosts/node/hub-cache';
import { Engine } from './engine';
import type { SourceOpener } from './model-sources';

export const folderOpener: SourceOpener = (source) => (source.kind === 'folder' ? folderSource(source.path) : undefined);

export function createNodeEngine(gpu: Gpu, options: { hubCacheDir?: string; fetch?: typeof fetch } = {}): Engine {
  const cache = options.hubCacheDir ? nodeHubCache(options.hubCacheDir) : undefined;
  return new Engine(gpu, { openers: [folderOpener], hub: { cache, fetch: options.fetch } });
}
