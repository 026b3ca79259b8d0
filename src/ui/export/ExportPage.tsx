/** Export: Export PEFT adapters, merged checkpoints, and the same job for Ray Train. */
export function ExportPage() {
  return (
    <section className="page" data-testid="page-export">
      <h1>Export</h1>
      <p className="muted">Export PEFT adapters, merged checkpoints, and the same job for Ray Train.</p>
    </section>
  );
}
