// Node host for the Engine (CLI, tests): adds checkpoint folders on disk ({kind:'folder', path}) and an optional
// folder cache for hub downloads.
import type { Gpu } from '../../gpu/gpu';
import { folderSource } from './fs-source';
import { nodeHubCache } from './hub-cache';
import { Engine } from '../../engine/engine';
import type { SourceOpener } from '../../engine/model-sources';
import { readRayTemplates } from './ray-templates';
import { FsRunStore } from './run-store';

export const folderOpener: SourceOpener = (source) => (source.kind === 'folder' ? folderSource(source.path) : undefined);

/** runsDir: the folder runs are kept in (a run is runsDir/<run id>, the CLI's RUN_DIR). */
export function createNodeEngine(gpu: Gpu, options: { hubCacheDir?: string; fetch?: typeof fetch; runsDir?: string } = {}): Engine {
  const cache = options.hubCacheDir ? nodeHubCache(options.hubCacheDir) : undefined;
  const runStore = options.runsDir ? new FsRunStore(options.runsDir) : undefined;
  return new Engine(gpu, { openers: [folderOpener], hub: { cache, fetch: options.fetch }, runStore, rayTemplates: () => readRayTemplates() });
}
