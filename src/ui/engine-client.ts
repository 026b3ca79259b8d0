import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api';

let client: Comlink.Remote<EngineApi> | null = null;

/** The one engine worker of this page. */
export function engineClient(): Comlink.Remote<EngineApi> {
  if (!client) {
    const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'stepwise-engine' });
    client = Comlink.wrap<EngineApi>(worker);
  }
  return client;
}
