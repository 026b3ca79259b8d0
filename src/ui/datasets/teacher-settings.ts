// What of the teacher panel survives a reload: the connection settings always, the API key only when the user
// ticked "remember key". The key is kept under its own storage entry so it can never ride along in the settings
// object, and unticking the box deletes it.
import { DEFAULT_TEACHER_CONFIG, type TeacherConfig } from '../../data/teacher';

export const SETTINGS_ENTRY = 'stepwise.teacher.settings';
export const KEY_ENTRY = 'stepwise.teacher.apiKey';

/** The fields a user edits in the panel (the rest keep their defaults). */
const EDITABLE = ['baseUrl', 'model', 'temperature', 'maxTokens', 'samples', 'concurrency', 'timeoutMs', 'maxRetries'] as const;

export interface TeacherSettings {
  config: TeacherConfig;
  rememberKey: boolean;
}

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadTeacherSettings(storage: KeyValueStore | null): TeacherSettings {
  const config: TeacherConfig = { ...DEFAULT_TEACHER_CONFIG, apiKey: '' };
  if (!storage) return { config, rememberKey: false };
  try {
    const saved = JSON.parse(storage.getItem(SETTINGS_ENTRY) ?? '{}') as Record<string, unknown>;
    for (const k of EDITABLE) {
      const v = saved[k];
      if (typeof v === typeof DEFAULT_TEACHER_CONFIG[k]) (config as unknown as Record<string, unknown>)[k] = v;
    }
  } catch {
    // Corrupt settings: start from the defaults.
  }
  const key = storage.getItem(KEY_ENTRY);
  if (key) config.apiKey = key;
  return { config, rememberKey: !!key };
}

export function saveTeacherSettings(storage: KeyValueStore | null, { config, rememberKey }: TeacherSettings): void {
  if (!storage) return;
  const settings = Object.fromEntries(EDITABLE.map((k) => [k, config[k]]));
  storage.setItem(SETTINGS_ENTRY, JSON.stringify(settings));
  if (rememberKey && config.apiKey) storage.setItem(KEY_ENTRY, config.apiKey);
  else storage.removeItem(KEY_ENTRY);
}

/** localStorage when the page has one (not in workers, not when the browser blocks it). */
export function browserStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
