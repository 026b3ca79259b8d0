/** Playground: Ask a trained student for a rationale and a Query DSL label. */
export function PlaygroundPage() {
  return (
    <section className="page" data-testid="page-playground">
      <h1>Playground</h1>
      <p className="muted">Ask a trained student for a rationale and a Query DSL label.</p>
    </section>
  );
}
