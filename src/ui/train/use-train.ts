// The page's Train store: the comlink worker, navigator.storage, and the form's settings in localStorage (checked
// with parseRunConfig on the way back in, so an old or edited entry falls back to the paper's defaults).
import { parseRunConfig, type RunConfig } from '../../settings/run-config';
import { createTrainStore } from './train-slice';
import { pageTrainEngine, type TrainEngine } from './run-client';

const SETTINGS_KEY = 'stepwise.train.settings';
let engine: TrainEngine | null = null;

function loadSettings(): RunConfig | null {
  try {
    const text = typeof localStorage === 'undefined' ? null : localStorage.getItem(SETTINGS_KEY);
    return text ? parseRunConfig(JSON.parse(text), 'saved train settings') : null;
  } catch (e) {
    console.warn(`${(e as Error).message}; using the defaults`);
    return null;
  }
}

export const useTrain = createTrainStore({
  engine: () => (engine ??= pageTrainEngine()),
  storage: () => (typeof navigator !== 'undefined' && navigator.storage && typeof navigator.storage.estimate === 'function' ? navigator.storage : null),
  settings: {
    load: loadSettings,
    save: (config) => {
      try {
        localStorage.setItem(SETTINGS_KEY, JSON.stringify(config));
      } catch {
        // private mode or full storage: the settings just are not remembered
      }
    },
  },
});
