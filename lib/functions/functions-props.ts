import type * as logs from 'aws-cdk-lib/aws-logs';

/** The decrypt function and the verdict gate: their size, logs, endpoints and the verdicts they refuse. Part of `EncryptedInboundMailProps`. */
export interface FunctionsProps {
  /**
   * The function's memory, in MiB; sized for a 40 MB mail. From 256 (a 40 MB mail peaks at about 150 MiB) to 10240;
   * 1024 also gives the function more CPU (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
   *
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Use FIPS 140 endpoints for the function's AWS calls.
   *
   * @default false
   */
  readonly useFipsEndpoints?: boolean;
  /**
   * Stop mail whose SES virus verdict is FAIL before it is stored (the verdict gate).
   *
   * @default true
   */
  readonly refuseVirus?: boolean;
  /**
   * Stop mail whose SES spam verdict is FAIL before it is stored.
   *
   * @default false
   */
  readonly refuseSpam?: boolean;
  /**
   * Stop mail whose SPF verdict is FAIL before it is stored.
   *
   * @default false
   */
  readonly refuseSpfFail?: boolean;
  /**
   * Stop mail whose DKIM verdict is FAIL before it is stored.
   *
   * @default false
   */
  readonly refuseDkimFail?: boolean;
  /**
   * Stop mail whose DMARC verdict is FAIL when the sending domain's DMARC policy is quarantine or reject.
   *
   * @default false
   */
  readonly refuseDmarcFail?: boolean;
}
