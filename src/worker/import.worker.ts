// Browser worker for dataset import: parsing a large file here keeps the page responsive. The page creates it with
// new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module' }) and wraps it with
// Comlink.wrap<ImportService>(worker); progress callbacks must be passed as Comlink.proxy(fn).
import * as Comlink from 'comlink';
import { createImportService } from '../data/import/service';

Comlink.expose(createImportService());
