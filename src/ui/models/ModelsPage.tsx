/** Models: Pick google/flan-t5-small or -base from the Hugging Face hub, or a local checkpoint folder. */
export function ModelsPage() {
  return (
    <section className="page" data-testid="page-models">
      <h1>Models</h1>
      <p className="muted">Pick google/flan-t5-small or -base from the Hugging Face hub, or a local checkpoint folder.</p>
    </section>
  );
}
