// A zip download fed chunk by chunk (a merged model from the worker, an adapter's files): the zip is written to
// the save target as the chunks come, and a cancel (the signal) stops the producer at its next chunk and leaves
// nothing saved.
import type { ExportChunk } from '../../engine/api';
import { openSaveTarget } from './save-target';
import { ZipWriter } from './zip-stream';

export type ZipDownloadResult = 'saved' | 'cancelled' | 'dismissed';

/**
 * Saves the zip of what `produce` sends to its sink as `name`. Opens the target first, so call it straight from a
 * click. 'dismissed' when the user closed the file picker, 'cancelled' when the signal aborted.
 */
export async function zipDownload(name: string, produce: (sink: (c: ExportChunk) => Promise<void>) => Promise<unknown>, signal: AbortSignal): Promise<ZipDownloadResult> {
  const target = await openSaveTarget(name, 'application/zip', 'Zip archive');
  if (!target) return 'dismissed';
  const zip = new ZipWriter((bytes) => target.write(bytes));
  const stopIfCancelled = () => {
    if (signal.aborted) throw new Error('export cancelled');
  };
  try {
    await produce(async (chunk) => {
      stopIfCancelled();
      await zip.add(chunk);
    });
    stopIfCancelled();
    await zip.end();
    await target.close();
    return 'saved';
  } catch (e) {
    await target.discard();
    if (signal.aborted) return 'cancelled';
    throw e;
  }
}
