export {
  importRows, previewImport, formatFromName, sniffFormat, sniffDelimiter, detectFormat,
  type ImportFormat, type ImportOptions, type ImportResult, type ImportProblem, type ImportProblemReason,
  type ImportedRow, type ImportProgress, type ImportPreview, type ImportNote, MAX_LABEL_DEPTH,
} from './import';
export { detectMapping, resolveMapping, type ColumnMapping } from './mapping';
export { toDatasetRows, importedRowId } from './to-rows';
export type { ImportSource } from './sources';
export { createImportService, MAX_IMPORT_BYTES, type ImportService, type ImportFileOptions } from './service';
export { MAX_RECORD_CHARS } from './parsers';
