/** Experiments: Rank x alpha sweeps and the label-only ablation, compared in tables and charts. */
export function ExperimentsPage() {
  return (
    <section className="page" data-testid="page-experiments">
      <h1>Experiments</h1>
      <p className="muted">Rank x alpha sweeps and the label-only ablation, compared in tables and charts.</p>
    </section>
  );
}
