import { useDatasets } from './datasets-slice';
import type { RowFilters as Filters } from './filter-rows';

/** Search box and filters above the inspector table. */
export function RowFilters({ shown, total }: { shown: number; total: number }) {
  const filters = useDatasets((s) => s.filters);
  const setFilters = useDatasets((s) => s.setFilters);
  const select = <K extends keyof Filters>(key: K, label: string, options: [Filters[K], string][]) => (
    <label className="filter">
      {label}{' '}
      <select aria-label={label} value={String(filters[key])} onChange={(e) => setFilters({ [key]: e.target.value } as Partial<Filters>)}>
        {options.map(([v, text]) => (
          <option key={String(v)} value={String(v)}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="row-filters">
      <input
        type="search"
        aria-label="Search rows"
        placeholder="Search questions, labels, rationales"
        value={filters.text}
        onChange={(e) => setFilters({ text: e.target.value })}
      />
      {select('source', 'Source', [['all', 'any'], ['teacher', 'teacher'], ['import', 'import'], ['manual', 'manual']])}
      {select('validity', 'Validity', [['all', 'any'], ['valid', 'valid'], ['invalid', 'invalid']])}
      {select('split', 'Split', [['all', 'any'], ['train', 'train'], ['eval', 'eval']])}
      {select('status', 'Status', [['all', 'any'], ['pending', 'pending'], ['accepted', 'accepted'], ['rejected', 'rejected']])}
      <span className="muted small" data-testid="rows-shown">
        {shown} of {total} rows
      </span>
    </div>
  );
}
