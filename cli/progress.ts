/**
 * Progress for long operator commands: a redrawn bar on a terminal, a plain line now and then otherwise (logs, CI).
 */
export interface ProgressCounts {
  readonly done: number;
  readonly total: number | undefined;
  readonly detail: string;
}

/** One progress display for one command run. */
export class Progress {
  private lastLine = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly label: string,
    /** Without a terminal, at most one line per this many milliseconds. */
    private readonly plainEveryMillis = 5000,
  ) {}

  update(counts: ProgressCounts): void {
    const now = Date.now();
    if (this.stream.isTTY === true) {
      if (now - this.lastLine < 100 && counts.done !== counts.total) return;
      this.lastLine = now;
      this.stream.write(`\r\x1b[2K${this.render(counts, now, Math.min(this.stream.columns ?? 100, 120))}`);
      this.drawn = true;
      return;
    }
    if (now - this.lastLine >= this.plainEveryMillis) {
      this.lastLine = now;
      this.stream.write(`${this.render(counts, now, 0)}\n`);
    }
  }

  /** Ends the bar so the summary starts on a fresh line. */
  finish(): void {
    if (this.drawn) {
      this.stream.write('\n');
      this.drawn = false;
    }
  }

  private render(counts: ProgressCounts, now: number, width: number): string {
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = `${(counts.done / seconds).toFixed(1)}/s`;
    const of = counts.total === undefined ? `${counts.done}` : `${counts.done}/${counts.total}`;
    let bar = '';
    if (width > 0 && counts.total !== undefined && counts.total > 0) {
      const cells = 24;
      const filled = Math.round((cells * Math.min(counts.done, counts.total)) / counts.total);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}] `;
    }
    const line = `${this.label} ${bar}${of}  ${counts.detail}  ${rate}`;
    return width > 0 ? line.slice(0, width - 1) : line;
  }
}
