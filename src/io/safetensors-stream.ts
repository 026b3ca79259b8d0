// A safetensors file written as its tensors are read: the header goes first (its offsets follow from the shapes),
// then each tensor's bytes in header order as `read` returns them, so the writer holds one tensor at a time
// instead of the whole file. The bytes are those serializeSafetensors writes for the same tensors.
import type { StreamedFile } from './export-stream';
import { encodeTensorData, safetensorsHeaderBytes, type TensorLayout, type TensorToWrite } from './safetensors';

export function streamedSafetensors(
  name: string,
  tensors: readonly TensorLayout[],
  read: (t: TensorLayout) => Promise<TensorToWrite['data']>,
  metadata: Record<string, string> = {},
): StreamedFile {
  const { header, dataBytes } = safetensorsHeaderBytes(tensors, metadata);
  return {
    name,
    size: header.byteLength + dataBytes,
    async write(emit) {
      await emit(header);
      for (const t of tensors) await emit(encodeTensorData(t.name, { dtype: t.dtype, shape: t.shape, data: await read(t) }));
    },
  };
}
