// The page's evaluation panel store: the comlink engine (progress wrapped in Comlink.proxy) and the IndexedDB datasets.
import * as Comlink from 'comlink';
import { pageDatasetStore } from '../datasets/open-store';
import { engineClient } from '../engine-client';
import { useAnswerWith } from './answer-with';
import { createEvalPanelStore } from './eval-slice';

export const useEvalPanel = createEvalPanelStore({
  engine: () => {
    const remote = engineClient();
    return {
      evaluateGeneration: (request, onProgress) => remote.evaluateGeneration(request, onProgress && Comlink.proxy(onProgress)),
      cancelGenerationEval: (evalId) => remote.cancelGenerationEval(evalId),
    };
  },
  datasets: pageDatasetStore,
  answerWith: () => useAnswerWith.getState().request(),
});
