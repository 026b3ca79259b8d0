import { lazy, Suspense, useEffect, type ComponentType, type LazyExoticComponent } from 'react';
import { GpuStatusPanel } from '../gpu/GpuStatusPanel';
import { NoWebGpu } from '../gpu/NoWebGpu';
import { useGpuStatus } from '../gpu/use-gpu-status';
import { useStudio, type Page } from '../store';
import { Nav } from './Nav';

// Each page is its own chunk, fetched the first time it is shown: the first load carries the shell and one page,
// not every page with the charts library (recharts) and the dataset tooling.
const PAGE_COMPONENTS: Record<Page, LazyExoticComponent<ComponentType>> = {
  models: lazy(() => import('../models/ModelsPage').then((m) => ({ default: m.ModelsPage }))),
  datasets: lazy(() => import('../datasets/DatasetsPage').then((m) => ({ default: m.DatasetsPage }))),
  train: lazy(() => import('../train/TrainPage').then((m) => ({ default: m.TrainPage }))),
  experiments: lazy(() => import('../experiments/ExperimentsPage').then((m) => ({ default: m.ExperimentsPage }))),
  playground: lazy(() => import('../playground/PlaygroundPage').then((m) => ({ default: m.PlaygroundPage }))),
  export: lazy(() => import('../export/ExportPage').then((m) => ({ default: m.ExportPage }))),
};

export function App() {
  useGpuStatus();
  const page = useStudio((s) => s.page);
  const status = useStudio((s) => s.gpuStatus);
  const message = useStudio((s) => s.gpuMessage);
  // A sweep cut off by a reload resumes on whichever page opens, not only on Experiments.
  useEffect(() => {
    if (status === 'ready') void import('../experiments/experiments-slice').then((m) => m.useExperiments.getState().load()).catch(() => undefined);
  }, [status]);
  if (status === 'unavailable') return <NoWebGpu message={message} />;
  const Current = PAGE_COMPONENTS[page];
  return (
    <div className="studio">
      <Nav />
      <main className="content">
        <Suspense fallback={<p className="page-loading" data-testid="page-loading">Loading…</p>}>
          <Current />
        </Suspense>
      </main>
      <aside className="status">
        <GpuStatusPanel />
      </aside>
    </div>
  );
}
