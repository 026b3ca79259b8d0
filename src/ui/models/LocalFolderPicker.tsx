import { useState, type DragEvent } from 'react';
import type { PathedFile } from '../../engine/api';
import { filesFromDrop } from '../../hosts/browser/dropped-files';
import { useModels } from './use-models';

/** The directory input sets webkitdirectory, which React's input types do not list. */
const DIRECTORY_PICKER = { webkitdirectory: '', directory: '' } as Record<string, string>;

/** A checkpoint folder from disk: picked with the directory input or dropped here. Files stay on disk until read. */
export function LocalFolderPicker() {
  const busy = useModels((s) => s.load !== null);
  const [over, setOver] = useState(false);

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    if (busy) return;
    // Entries must be taken while the event is live; reading them is async.
    const entries = Array.from(e.dataTransfer.items)
      .map((item) => item.webkitGetAsEntry())
      .filter((entry): entry is FileSystemEntry => entry !== null);
    filesFromDrop(entries as unknown as Parameters<typeof filesFromDrop>[0])
      .then((files) => useModels.getState().loadFiles(files))
      .catch((err: unknown) => useModels.setState({ message: { kind: 'error', text: `Could not read the dropped folder: ${err instanceof Error ? err.message : String(err)}` } }));
  };

  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      data-testid="folder-drop"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <span>Local checkpoint folder (config.json, tokenizer.json, model.safetensors): drop it here or </span>
      <label className="file-button">
        choose a folder…
        <input
          type="file"
          multiple
          data-testid="folder-input"
          disabled={busy}
          {...DIRECTORY_PICKER}
          onChange={(e) => {
            const picked: PathedFile[] = Array.from(e.target.files ?? [], (file) => ({ file, path: file.webkitRelativePath || file.name }));
            e.target.value = ''; // the same folder can be picked again
            void useModels.getState().loadFiles(picked);
          }}
        />
      </label>
    </div>
  );
}
