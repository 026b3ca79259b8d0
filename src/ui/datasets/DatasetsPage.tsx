/** Datasets: Build a Distilling Step-by-Step dataset: questions, teacher rationales and Query DSL labels. */
export function DatasetsPage() {
  return (
    <section className="page" data-testid="page-datasets">
      <h1>Datasets</h1>
      <p className="muted">Build a Distilling Step-by-Step dataset: questions, teacher rationales and Query DSL labels.</p>
    </section>
  );
}
