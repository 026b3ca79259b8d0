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
