// A hub model's config.json for the Models page's estimates, fetched on the main thread through the same Cache
// Storage the worker downloads into, so the estimate shows offline once a model was seen.
import { hubSource } from '../../io/hub';
import { parseT5Config, type T5Config } from '../../model/config';
import { browserHubCache } from './hub-cache';

export async function fetchHubConfig(id: string, baseUrl: string): Promise<T5Config> {
  const text = await hubSource(id, { baseUrl, cache: typeof caches === 'undefined' ? undefined : browserHubCache() }).text('config.json');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`hub ${id}: config.json is not valid JSON`);
  }
  return parseT5Config(json, `hub ${id}/config.json`);
}
