/**
 * The governance a user turns on: the audit trail (CloudTrail data events of the mail and payload buckets) and the
 * Macie discovery job over the payload bucket. Each is absent unless asked for.
 */
import type { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AuditTrail } from './audit-trail';
import { allowMacieToReadPayloads, PayloadDiscoveryJob } from './payload-discovery-job';

export interface OptionalGovernanceProps {
  readonly auditTrail: boolean;
  readonly payloadDiscovery: boolean;
  readonly mailBucket: s3.IBucket;
  readonly payloadBucket: s3.IBucket;
  readonly payloadKey: kms.Key;
  readonly accessLogsBucket: s3.IBucket;
  readonly requireMfa: boolean;
  readonly auditRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

export interface OptionalGovernance {
  readonly trail: cloudtrail.Trail | undefined;
  readonly trailBucket: s3.Bucket | undefined;
  readonly discoveryJob: CustomResource | undefined;
}

/** Adds what is asked for to `scope`, under the ids 0.1.0 gave them (`Audit`, `PayloadDiscovery`). */
export function addOptionalGovernance(scope: Construct, props: OptionalGovernanceProps): OptionalGovernance {
  const audit = props.auditTrail
    ? new AuditTrail(scope, 'Audit', {
        dataBuckets: [props.mailBucket, props.payloadBucket],
        accessLogsBucket: props.accessLogsBucket,
        requireMfaForKeyAdministration: props.requireMfa,
        retentionDays: props.auditRetentionDays,
        removalPolicy: props.removalPolicy,
      })
    : undefined;
  let discoveryJob: CustomResource | undefined;
  if (props.payloadDiscovery) {
    allowMacieToReadPayloads(props.payloadKey, scope);
    discoveryJob = new PayloadDiscoveryJob(scope, 'PayloadDiscovery', { bucket: props.payloadBucket }).resource;
  }
  return { trail: audit?.trail, trailBucket: audit?.bucket, discoveryJob };
}
