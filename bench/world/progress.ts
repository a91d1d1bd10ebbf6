/**
 * The generator's progress on stderr: steps weighted by the rows they are expected to write,
 * the ETA from the rate so far. On a terminal one line updated in place; otherwise (a log,
 * CI) one line per finished step with its time, the elapsed time and the ETA.
 */
export interface Step {
  name: string;
  /** Rows the step is expected to write (its share of the bar). */
  weight: number;
}

const WIDTH = 28;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export class Progress {
  private readonly total: number;
  private readonly started = performance.now();
  private done = 0;
  private stepStarted = performance.now();
  private current: Step | undefined;
  private currentDone = 0;
  private readonly tty = process.stderr.isTTY === true;
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    steps: Step[],
  ) {
    this.total = steps.reduce((sum, s) => sum + s.weight, 0) || 1;
  }

  private elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  private eta(): number {
    const fraction = (this.done + this.currentDone) / this.total;
    return fraction > 0 ? (this.elapsed() * (1 - fraction)) / fraction : Number.POSITIVE_INFINITY;
  }

  start(step: Step): void {
    this.current = step;
    this.currentDone = 0;
    this.stepStarted = performance.now();
    this.draw(true);
  }

  /** The share (0-1) of the current step done so far. */
  update(fraction: number): void {
    if (!this.current) return;
    this.currentDone = this.current.weight * Math.min(1, Math.max(0, fraction));
    this.draw(false);
  }

  finish(): void {
    if (!this.current) return;
    const step = this.current;
    this.done += step.weight;
    this.currentDone = 0;
    const took = (performance.now() - this.stepStarted) / 1000;
    if (!this.tty) {
      const pct = ((100 * this.done) / this.total).toFixed(0).padStart(3);
      process.stderr.write(`${this.label} ${pct}% ${step.name} ${took.toFixed(1)} s; elapsed ${clock(this.elapsed())}, ETA ${clock(this.eta())}\n`);
    }
    this.current = undefined;
    this.draw(true);
  }

  close(): void {
    if (this.tty) process.stderr.write(`\r\x1b[K${this.label} done in ${clock(this.elapsed())}\n`);
  }

  private draw(force: boolean): void {
    if (!this.tty) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const fraction = (this.done + this.currentDone) / this.total;
    const filled = Math.round(fraction * WIDTH);
    const bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    const step = this.current ? ` ${this.current.name}` : "";
    process.stderr.write(
      `\r\x1b[K${this.label} [${bar}] ${(100 * fraction).toFixed(0).padStart(3)}% elapsed ${clock(this.elapsed())} ETA ${clock(this.eta())}${step}`,
    );
  }
}
