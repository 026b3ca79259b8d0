// Turns a ModelSource into a CheckpointSource. The hub and picked files work on every host; a folder path needs
// the host's file system, so hosts add openers (Node: src/hosts/node/engine.ts). No DOM imports: the browser's Cache Storage
// reaches the engine as a HubCache injected by the worker.
import { browserFilesSource } from '../io/browser-files-source';
import type { CheckpointSource } from '../io/checkpoint';
import { type HubCache, type HubProgress, hubSource } from '../io/hub';
import { DEFAULT_HUB_URL } from '../settings/hub';
import type { ModelSource, SourceDescription } from './api';

export interface OpenContext {
  signal: AbortSignal;
  /** Byte progress of hub downloads. */
  onDownload(p: HubProgress): void;
}

/** A CheckpointSource for the source, or undefined when this opener does not handle its kind. */
export type SourceOpener = (source: ModelSource, ctx: OpenContext) => CheckpointSource | undefined;

export interface HubSettings {
  /** Where hub downloads are kept (browser: Cache Storage; Node: a folder); none = download every time. */
  cache?: HubCache;
  fetch?: typeof fetch;
}

/** Hub ids and picked files. */
export function commonOpener(hub: HubSettings = {}): SourceOpener {
  return (source, ctx) => {
    if (source.kind === 'hub') {
      return hubSource(source.id, {
        baseUrl: source.baseUrl, revision: source.revision, cache: hub.cache, fetch: hub.fetch, signal: ctx.signal,
        onProgress: ctx.onDownload,
      });
    }
    if (source.kind === 'files') {
      if (!Array.isArray(source.files) || source.files.length === 0) throw new Error('no files were picked: choose a checkpoint folder');
      return browserFilesSource(source.files, source.label);
    }
    return undefined;
  };
}

/** The first opener that handles the source, or a message naming the kind. */
export function openSource(openers: SourceOpener[], source: ModelSource, ctx: OpenContext): CheckpointSource {
  for (const open of openers) {
    const found = open(source, ctx);
    if (found) return found;
  }
  if (source.kind === 'folder') {
    throw new Error(`cannot open folder ${source.path} here: folder paths load only in Node; in the studio pick the folder instead`);
  }
  throw new Error(`unknown model source kind ${JSON.stringify((source as { kind?: unknown }).kind)}`);
}

export function describeSource(source: ModelSource, checkpoint: CheckpointSource): { id: string; source: SourceDescription } {
  switch (source.kind) {
    case 'hub': {
      const baseUrl = (source.baseUrl ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
      return { id: source.id, source: { kind: 'hub', id: source.id, baseUrl, revision: source.revision ?? 'main' } };
    }
    case 'files':
      return { id: checkpoint.label, source: { kind: 'files', label: checkpoint.label, fileCount: source.files.length } };
    case 'folder':
      return { id: checkpoint.label, source: { kind: 'folder', path: checkpoint.label } };
  }
}
