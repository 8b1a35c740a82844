/**
 * Counts per-record outcomes for the operator commands' progress lines and summaries.
 */
import type { RecordOutcome } from '../lambda/decrypt-function/process-record';

/** Counts of outcomes, with rejections by reason. */
export class OutcomeTally {
  forwarded = 0;
  skipped = 0;
  quarantined = 0;
  failed = 0;
  readonly rejected = new Map<string, number>();

  add(outcome: RecordOutcome): void {
    switch (outcome.outcome) {
      case 'forwarded':
        this.forwarded += 1;
        break;
      case 'skipped':
        this.skipped += 1;
        break;
      case 'quarantined':
        this.quarantined += 1;
        break;
      case 'rejected':
        this.rejected.set(outcome.reason, (this.rejected.get(outcome.reason) ?? 0) + 1);
        break;
      case 'retry':
        this.failed += 1;
        break;
    }
  }

  get rejectedTotal(): number {
    let total = 0;
    for (const count of this.rejected.values()) total += count;
    return total;
  }

  get done(): number {
    return this.forwarded + this.skipped + this.quarantined + this.rejectedTotal + this.failed;
  }

  /** One short line for the progress bar. */
  brief(forwardedLabel = 'forwarded'): string {
    return `${forwardedLabel} ${this.forwarded}  skipped ${this.skipped}  rejected ${this.rejectedTotal}  failed ${this.failed}`;
  }

  /** The summary table, one outcome a line, rejections by reason. */
  summary(forwardedLabel = 'forwarded'): string {
    const reasons = [...this.rejected.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    return [
      `  ${forwardedLabel.padEnd(10)} ${String(this.forwarded).padStart(7)}`,
      `  ${'skipped'.padEnd(10)} ${String(this.skipped).padStart(7)}`,
      ...(this.quarantined > 0 ? [`  ${'quarantined'.padEnd(10)} ${String(this.quarantined).padStart(7)}`] : []),
      `  ${'rejected'.padEnd(10)} ${String(this.rejectedTotal).padStart(7)}${reasons ? `   ${reasons}` : ''}`,
      `  ${'failed'.padEnd(10)} ${String(this.failed).padStart(7)}${this.failed > 0 ? '   transient (throttling, 5xx, timeouts): run again' : ''}`,
    ].join('\n');
  }
}
