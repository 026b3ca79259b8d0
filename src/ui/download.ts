// Saving a file the page made (a zip, a CSV, a chart) through a temporary object URL and an <a download> click.

/** Hands the browser `data` as a download named `name`; a string or parts become a Blob of `type`. */
export function download(name: string, data: Blob | string | readonly BlobPart[], type = 'application/octet-stream'): void {
  const blob = data instanceof Blob ? data : new Blob(typeof data === 'string' ? [data] : [...data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // Revoked late: the browser may still be reading a large blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
