// The page's Playground store: the comlink engine (stream updates wrapped in Comlink.proxy) and the session history
// in IndexedDB (kept across reloads; cleared with the site's data).
import * as Comlink from 'comlink';
import { idbPlaygroundHistory } from '../../hosts/browser/idb-playground-history';
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

export const usePlayground = createPlaygroundStore({
  engine: pageEngine,
  answerWith: () => useAnswerWith.getState().request(),
  history: idbPlaygroundHistory<HistoryEntry>(),
});
