// The browser host: the engine lives here, next to its GPU device; the page talks to it through comlink.
import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api';
import { Engine } from '../engine/engine';
import { createBrowserGpu } from '../hosts/browser/gpu';

let engine: Promise<Engine> | null = null;
const ready = (): Promise<Engine> => (engine ??= createBrowserGpu().then((gpu) => new Engine(gpu)));

// Each call waits for the device; a failure to get one rejects every call with the same plain message.
const api: EngineApi = {
  gpuInfo: async () => (await ready()).gpuInfo(),
  memory: async () => (await ready()).memory(),
  selfTest: async () => (await ready()).selfTest(),
  takeErrors: async () => (await ready()).takeErrors(),
};

Comlink.expose(api);
