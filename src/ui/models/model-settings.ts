// What of the Models page survives a reload, one localStorage entry per key (declared here, nowhere else): the hub
// base URL, the hub ids a person added, and the memory budget that estimates are warned against.
import { DEFAULT_HUB_URL } from '../../settings/hub';

export const SETTINGS_KEYS = {
  baseUrl: 'stepwise.models.hubBaseUrl',
  customIds: 'stepwise.models.customIds',
  budgetGiB: 'stepwise.models.budgetGiB',
} as const;

/** A budget most discrete and integrated GPUs can give one tab; the user can change it. */
export const DEFAULT_BUDGET_GIB = 4;

export interface ModelSettings {
  baseUrl: string;
  customIds: string[];
  budgetGiB: number;
}

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const DEFAULT_SETTINGS: ModelSettings = { baseUrl: DEFAULT_HUB_URL, customIds: [], budgetGiB: DEFAULT_BUDGET_GIB };

/** "http://127.0.0.1:8000/" -> "http://127.0.0.1:8000"; anything but an http(s) URL is an Error saying so. */
export function normalizeBaseUrl(input: string): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL; the hub base URL looks like ${DEFAULT_HUB_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the hub base URL must start with http:// or https:// (got ${url.protocol})`);
  if (url.search || url.hash) throw new Error('the hub base URL must not have a query or fragment');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function loadModelSettings(storage: KeyValueStore | null): ModelSettings {
  const s: ModelSettings = { ...DEFAULT_SETTINGS, customIds: [] };
  if (!storage) return s;
  try {
    const base = storage.getItem(SETTINGS_KEYS.baseUrl);
    if (base) s.baseUrl = normalizeBaseUrl(base);
  } catch {
    // A stored URL that no longer parses: back to the default.
  }
  try {
    const ids = JSON.parse(storage.getItem(SETTINGS_KEYS.customIds) ?? '[]') as unknown;
    if (Array.isArray(ids)) s.customIds = ids.filter((x): x is string => typeof x === 'string');
  } catch {
    // Corrupt list: start empty.
  }
  const budget = Number(storage.getItem(SETTINGS_KEYS.budgetGiB));
  if (Number.isFinite(budget) && budget > 0) s.budgetGiB = budget;
  return s;
}

export function saveModelSettings(storage: KeyValueStore | null, s: ModelSettings): void {
  if (!storage) return;
  storage.setItem(SETTINGS_KEYS.baseUrl, s.baseUrl);
  storage.setItem(SETTINGS_KEYS.customIds, JSON.stringify(s.customIds));
  storage.setItem(SETTINGS_KEYS.budgetGiB, String(s.budgetGiB));
}
