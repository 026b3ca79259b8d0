// The page's Train store: the comlink worker and navigator.storage. Nothing runs at import.
import { createTrainStore } from './train-slice';
import { pageTrainEngine, type TrainEngine } from './run-client';

let engine: TrainEngine | null = null;

export const useTrain = createTrainStore({
  engine: () => (engine ??= pageTrainEngine()),
  storage: () => (typeof navigator !== 'undefined' && navigator.storage && typeof navigator.storage.estimate === 'function' ? navigator.storage : null),
});
