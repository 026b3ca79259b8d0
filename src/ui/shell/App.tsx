import type { ComponentType } from 'react';
import { DatasetsPage } from '../datasets/DatasetsPage';
import { ExperimentsPage } from '../experiments/ExperimentsPage';
import { ExportPage } from '../export/ExportPage';
import { GpuStatusPanel } from '../gpu/GpuStatusPanel';
import { NoWebGpu } from '../gpu/NoWebGpu';
import { useGpuStatus } from '../gpu/use-gpu-status';
import { ModelsPage } from '../models/ModelsPage';
import { PlaygroundPage } from '../playground/PlaygroundPage';
import { useStudio, type Page } from '../store';
import { TrainPage } from '../train/TrainPage';
import { Nav } from './Nav';

const PAGE_COMPONENTS: Record<Page, ComponentType> = {
  models: ModelsPage,
  datasets: DatasetsPage,
  train: TrainPage,
  experiments: ExperimentsPage,
  playground: PlaygroundPage,
  export: ExportPage,
};

export function App() {
  useGpuStatus();
  const page = useStudio((s) => s.page);
  const status = useStudio((s) => s.gpuStatus);
  const message = useStudio((s) => s.gpuMessage);
  if (status === 'unavailable') return <NoWebGpu message={message} />;
  const Current = PAGE_COMPONENTS[page];
  return (
    <div className="studio">
      <Nav />
      <main className="content">
        <Current />
      </main>
      <aside className="status">
        <GpuStatusPanel />
      </aside>
    </div>
  );
}
