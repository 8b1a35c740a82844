/**
 * The quarantine's metrics: `Quarantined` per reason (dimension `Reason`, one count per reason of the mail) and
 * `QuarantinedMail` (one per mail, no dimension) for the alarm on quarantine growth (lib/monitoring/pipeline-alarms.ts).
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RefusalReason } from '../contract/verdict-policy';

/** Counts one quarantined mail: once overall, once for each of its reasons. */
export function countQuarantined(metrics: Metrics, reasons: readonly RefusalReason[]): void {
  metrics.addMetric('QuarantinedMail', MetricUnit.Count, 1);
  for (const reason of reasons) {
    const byReason = metrics.singleMetric();
    byReason.addDimension('Reason', reason);
    byReason.addMetric('Quarantined', MetricUnit.Count, 1);
  }
}

/** `{ quarantined: n }` when records were quarantined, otherwise nothing (the handler's result keeps its shape). */
export function quarantinedCount(outcomes: ReadonlyArray<{ readonly outcome: string }>): { quarantined?: number } {
  const quarantined = outcomes.filter((o) => o.outcome === 'quarantined').length;
  return quarantined > 0 ? { quarantined } : {};
}
