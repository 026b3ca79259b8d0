// The page's Playground store: the comlink engine (stream updates wrapped in Comlink.proxy) and the session history
// in IndexedDB (kept across reloads; cleared with the site's data).
import * as Comlink from 'comlink';
import { openDB } from 'idb';
import { engineClient } from '../engine-client';
import { useAnswerWith } from './answer-with';
import { createPlaygroundStore, type HistoryEntry, type PlaygroundEngine } from './playground-slice';

function pageEngine(): PlaygroundEngine {
  const remote = engineClient();
  return {
    generateStream: (text, options, onUpdate, genId) => remote.generateStream(text, options, onUpdate && Comlink.proxy(onUpdate), genId),
    stopGeneration: (genId) => remote.stopGeneration(genId),
    loadedModel: () => remote.loadedModel(),
  };
}

const DB = 'stepwise-playground';
const STORE = 'history';
const db = () => openDB(DB, 1, { upgrade: (d) => d.createObjectStore(STORE, { autoIncrement: true }) });

export const usePlayground = createPlaygroundStore({
  engine: pageEngine,
  answerWith: () => useAnswerWith.getState().request(),
  history: {
    async load() {
      if (typeof indexedDB === 'undefined') return [];
      const all = (await (await db()).getAll(STORE)) as HistoryEntry[];
      return all.reverse().slice(0, 200);
    },
    async add(entry) {
      if (typeof indexedDB === 'undefined') return;
      await (await db()).add(STORE, entry);
    },
  },
});
