/**
 * The decrypt function's settings as the stack gives them, for the small-mail bench's handler in either world (stub
 * clients in small-mail-worker.ts, the emulators in small-mail-emulators.ts); each world adds its own queues, buckets,
 * key and account. With `records`, the delivery records' table and lifetime (19 days, lib/delivery).
 */
import { ENV } from '../../lambda/contract/env-names';

export function functionSettingsEnv(records: boolean): Record<string, string> {
  return {
    [ENV.PAYLOAD_PREFIX]: 'payloads/',
    [ENV.INLINE_MAX_BYTES]: '262144',
    [ENV.MAX_MAIL_BYTES]: '41943040',
    [ENV.BODY_ENCODING]: 'auto',
    POWERTOOLS_SERVICE_NAME: 'ses-encrypted-inbound',
    POWERTOOLS_METRICS_NAMESPACE: 'SesEncryptedInbound',
    ...(records
      ? { [ENV.DELIVERY_RECORDS_TABLE]: 'delivery-records', [ENV.DELIVERY_RECORD_LIFETIME_SECONDS]: '1641600' }
      : {}),
  };
}
