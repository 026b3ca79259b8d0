/** Train: Train the student: full fine-tuning, LoRA or QLoRA, with live loss, throughput and GPU memory. */
export function TrainPage() {
  return (
    <section className="page" data-testid="page-train">
      <h1>Train</h1>
      <p className="muted">Train the student: full fine-tuning, LoRA or QLoRA, with live loss, throughput and GPU memory.</p>
    </section>
  );
}
