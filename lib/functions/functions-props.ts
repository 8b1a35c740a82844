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
   * The verdict gate's reserved concurrency: instances kept for the gate whatever the account's other functions use,
   * so SES's synchronous invoke is not throttled (a throttled invoke never reaches the gate's fail-open code, and SES
   * documents no outcome for it). It is also the gate's ceiling. A whole number, at least 1.
   *
   * Lambda keeps at least 100 of the account's concurrency unreserved: in an account whose concurrency quota is below
   * 100 plus the sum of all reservations (new accounts may start at 10), the deployment fails
   * ("decreases account's UnreservedConcurrentExecution below its minimum value"); raise the quota (Service Quotas)
   * or lower this.
   *
   * @default 10
   */
  readonly verdictGateReservedConcurrency?: number;
  /**
   * S3 invokes the decrypt function itself (asynchronously: two retries within 6 hours, then the failure queue, no
   * bound on concurrency) instead of through the work queue. The work queue is the default: it buffers bursts, bounds
   * the function's concurrency (`workQueueMaxConcurrency`), returns only the records that failed transiently, and
   * keeps them 4 days (then its dead-letter queue, 14 days).
   *
   * @default false
   */
  readonly directInvocation?: boolean;
  /**
   * The most instances of the decrypt function the work queue runs at once (the event source mapping's
   * MaximumConcurrency, 2 to 1000). Each instance makes up to about 150 KMS Decrypt calls a second on the mail key,
   * and the account's KMS quota (5,500 a second in the smallest regions, shared with SES's own calls) must hold them:
   * raise this with that quota. Ignored with `directInvocation`.
   *
   * @default 10
   */
  readonly workQueueMaxConcurrency?: number;
  /**
   * Use FIPS 140 endpoints for the function's AWS calls.
   *
   * @default false
   */
  readonly useFipsEndpoints?: boolean;
  /**
   * Map errors' stack traces back to the TypeScript source in the functions' logs (Node's `--enable-source-maps`,
   * set in their `NODE_OPTIONS`). Off by default: Node then reads and parses the bundle's source map when a stack is
   * first formatted and slows the module load (about +20 ms measured, `npm run bench`); the map is shipped either way.
   *
   * @default false
   */
  readonly sourceMaps?: boolean;
  /**
   * Refuse mail whose SES virus verdict is FAIL at the verdict gate, with the action `virusAction` (quarantine by
   * default). `false` only turns the gate's check off: the decrypt function refuses every virus FAIL it reads in SES's
   * own headers whatever this says, and virus mail is never forwarded.
   *
   * @default true
   */
  readonly refuseVirus?: boolean;
  /**
   * Refuse mail whose SES spam verdict is FAIL, with the action `spamAction` (quarantine by default).
   *
   * @default false
   */
  readonly refuseSpam?: boolean;
  /**
   * Refuse mail whose SPF verdict is FAIL, with the action `spfFailAction` (quarantine by default).
   *
   * @default false
   */
  readonly refuseSpfFail?: boolean;
  /**
   * Refuse mail whose DKIM verdict is FAIL, with the action `dkimFailAction` (quarantine by default).
   *
   * @default false
   */
  readonly refuseDkimFail?: boolean;
  /**
   * Refuse mail whose DMARC verdict is FAIL, with the action `dmarcFailAction` (quarantine by default). The verdict
   * gate refuses it only when the sending domain's DMARC policy is quarantine or reject (SES's receipt gives it); the
   * decrypt function, whose view is SES's headers in the stored mail (no policy there), refuses every DMARC FAIL that
   * reaches it, `p=none` included. With 'stop', a DMARC FAIL the gate lets through is forwarded with `VerdictRefusal`.
   *
   * @default false
   */
  readonly refuseDmarcFail?: boolean;
  /**
   * What becomes of mail whose virus verdict is FAIL: 'quarantine' (stored encrypted under `quarantine/`, never
   * forwarded; an operator may release it) or 'stop' (the gate stops it, never stored; one the gate let through is
   * rejected `VIRUS_DETECTED`). Virus mail is never forwarded by the pipeline.
   *
   * @default 'quarantine'
   */
  readonly virusAction?: string;
  /**
   * What becomes of mail `refuseSpam` refuses: 'stop' (the gate stops it, never stored), 'quarantine' (stored
   * encrypted under `quarantine/`, never forwarded) or 'deliver-marked' (forwarded with the `VerdictRefusal`
   * attribute). Mail a 'stop' reason refuses that reaches the decrypt function anyway (the gate failing open) is
   * forwarded with `VerdictRefusal`.
   *
   * @default 'quarantine'
   */
  readonly spamAction?: string;
  /**
   * What becomes of mail `refuseSpfFail` refuses: 'stop', 'quarantine' or 'deliver-marked', as `spamAction`.
   *
   * @default 'quarantine'
   */
  readonly spfFailAction?: string;
  /**
   * What becomes of mail `refuseDkimFail` refuses: 'stop', 'quarantine' or 'deliver-marked', as `spamAction`.
   *
   * @default 'quarantine'
   */
  readonly dkimFailAction?: string;
  /**
   * What becomes of mail `refuseDmarcFail` refuses: 'stop', 'quarantine' or 'deliver-marked', as `spamAction`.
   *
   * @default 'quarantine'
   */
  readonly dmarcFailAction?: string;
  /**
   * The quarantined mail per hour at which the QuarantineGrowthAlarm fires.
   *
   * @default 10
   */
  readonly quarantineAlarmThreshold?: number;
}
