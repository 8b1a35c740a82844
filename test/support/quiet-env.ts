// Unit tests run without Powertools' log and metric lines on stdout; the integration test that inspects logs turns
// them back on for itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
