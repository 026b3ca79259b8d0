// A terminal progress bar for training on stderr: steps done of total, the last loss and eval loss, elapsed and ETA.
// On a TTY one line is redrawn in place (at most every 100 ms); elsewhere (CI logs, pipes) a plain line is printed
// every `every` steps and at the end, so logs stay readable.
import type { MetricRow } from '../engine/run-api';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** "1h02m", "3m05s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private step = 0;
  private loss: number | null = null;
  private evalLoss: number | null = null;
  private status = '';
  /** Seconds per step of this session (a resume starts the clock again). */
  private firstStep: { step: number; at: number } | null = null;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private total: number,
    private readonly out: ProgressOutput = process.stderr,
    private readonly every = 10,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  setTotal(total: number): void {
    this.total = total;
  }

  setStatus(status: string): void {
    this.status = status;
    if (this.out.isTTY) this.draw(true);
  }

  metric(row: MetricRow): void {
    if (row.kind === 'eval') {
      this.evalLoss = row.eval_loss;
      return;
    }
    this.firstStep ??= { step: row.step, at: this.now() };
    this.step = row.step;
    this.loss = row.loss;
    this.status = '';
    if (this.out.isTTY) this.draw(false);
    else if (row.step % this.every === 0 || row.step === this.total) this.out.write(`${this.line()}\n`);
  }

  /** Seconds left at this session's pace, or null before two steps. */
  eta(): number | null {
    if (!this.firstStep || this.step <= this.firstStep.step) return null;
    const perStep = (this.now() - this.firstStep.at) / (this.step - this.firstStep.step);
    return perStep * Math.max(0, this.total - this.step);
  }

  line(): string {
    const width = 24;
    const frac = this.total > 0 ? Math.min(1, this.step / this.total) : 0;
    const filled = Math.round(frac * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const parts = [`${bar} step ${this.step}/${this.total}`];
    if (this.loss !== null) parts.push(`loss ${this.loss.toFixed(4)}`);
    if (this.evalLoss !== null) parts.push(`eval ${this.evalLoss.toFixed(4)}`);
    const eta = this.eta();
    if (eta !== null) parts.push(`ETA ${formatDuration(eta)}`);
    if (this.status) parts.push(this.status);
    return parts.join('  ');
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < 0.1 && this.step !== this.total) return;
    this.lastDraw = t;
    const cols = this.out.columns ?? 100;
    this.out.write(`\r${this.line().slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
    this.drawn = true;
  }

  /** Ends the bar's line (TTY) so later output starts on a fresh one. */
  finish(): void {
    if (this.out.isTTY && this.drawn) this.out.write(`\r${this.line()}\n`);
    this.drawn = false;
  }
}
