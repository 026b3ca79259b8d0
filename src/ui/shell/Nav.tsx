import { ImportStatus } from '../datasets/ImportStatus';
import { PAGES, useStudio, type Page } from '../store';

const TITLES: Record<Page, string> = {
  models: 'Models',
  datasets: 'Datasets',
  train: 'Train',
  experiments: 'Experiments',
  playground: 'Playground',
  export: 'Export',
};

export function Nav() {
  const page = useStudio((s) => s.page);
  const goTo = useStudio((s) => s.goTo);
  return (
    <nav className="nav" aria-label="Studio">
      <div className="brand">Stepwise</div>
      {PAGES.map((p) => (
        <button key={p} type="button" className={p === page ? 'active' : ''} aria-current={p === page ? 'page' : undefined} onClick={() => goTo(p)}>
          {TITLES[p]}
        </button>
      ))}
      <ImportStatus />
    </nav>
  );
}

export function pageTitle(p: Page): string {
  return TITLES[p];
}
