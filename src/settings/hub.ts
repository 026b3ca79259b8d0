// How the studio names hub models and their files: the default hub, the id form, and a file's URL. Pure strings, so
// the Models page can validate an id and match cached URLs without the loader (src/io/hub.ts) that fetches them.

export const DEFAULT_HUB_URL = 'https://huggingface.co';

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/** Throws unless `id` has the form of a hub model id (owner/name or name). */
export function checkHubId(id: string): void {
  if (!HUB_ID.test(id) || id.includes('..')) throw new Error(`"${id}" is not a hub model id like google/flan-t5-small`);
}

export function hubFileUrl(id: string, file: string, baseUrl = DEFAULT_HUB_URL, revision = 'main'): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${id}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/** Hosts that may serve the hub over plain http: this machine only (a local mirror, tests). */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why `baseUrl` cannot be a hub base URL, or undefined when it can: it must be a URL, https, or http to this
 * machine (127.0.0.1, localhost), without credentials, query or fragment. Weights fetched over plain http from
 * elsewhere could be swapped on the way.
 */
export function hubBaseUrlProblem(baseUrl: string): string | undefined {
  const text = baseUrl.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL; the hub base URL looks like ${DEFAULT_HUB_URL}`;
  }
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    return `hub downloads use https (plain http only to this machine: 127.0.0.1 or localhost); got ${url.origin}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the hub base URL must start with https:// (got ${url.protocol})`;
  if (url.username || url.password) return 'the hub base URL must not carry a user name or password';
  if (url.search || url.hash) return 'the hub base URL must not have a query or fragment';
  return undefined;
}
