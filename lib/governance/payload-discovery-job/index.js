// Custom resource handler (CloudFormation events through aws-cdk-lib's CustomResourceProvider wrapper): the Macie
// classification job over the payload bucket. CloudFormation has no resource for Macie jobs, and aws-cdk-lib's
// AwsCustomResource could neither give each creation its own client token nor tolerate a job that is already gone.
// Runs on Lambda's Node.js runtime, whose AWS SDK v3 provides @aws-sdk/client-macie2.
'use strict';

let client;

/** Macie's aggregated client, made once per container (tests pass their own object with the same three methods). */
function macie() {
  if (client === undefined) {
    const { Macie2 } = require('@aws-sdk/client-macie2');
    client = new Macie2({});
  }
  return client;
}

/**
 * A job in these states does no more work; Macie accepts CANCELLED only from IDLE, PAUSED, RUNNING or USER_PAUSED
 * (https://docs.aws.amazon.com/macie/latest/APIReference/jobs-jobid.html).
 */
const FINISHED = new Set(['CANCELLED', 'COMPLETE']);

/**
 * Errors that mean, on delete, that the job is gone or can no longer run. Of Macie's documented errors (same page):
 * ResourceNotFoundException, the job does not exist (disabling Macie deletes every job); AccessDeniedException, Macie
 * refuses this account's calls although the function's role is granted them on this account's jobs: Macie is
 * suspended (which cancels every job) or disabled
 * (https://docs.aws.amazon.com/macie/latest/APIReference/macie.html). Anything else (throttling, a server error) fails
 * the delete, so CloudFormation reports it rather than leaving a job running.
 */
const GONE = new Set(['ResourceNotFoundException', 'AccessDeniedException']);

/**
 * Create (and Update, whose job definition Macie cannot edit): a new job, with the CloudFormation request id as its
 * client token, so each creation is a new job (the same token would hand back the job a previous creation made,
 * cancelled by then) while a retried request stays idempotent. The new physical id makes CloudFormation delete the
 * old job after an update. Delete: cancel the job unless it is already finished or gone.
 */
async function handler(event, api = macie()) {
  const props = event.ResourceProperties ?? {};
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const answer = await api.createClassificationJob({
        clientToken: event.RequestId,
        name: props.JobName,
        description: 'Sensitive-data discovery over decrypted mail payloads (new objects, daily).',
        jobType: 'SCHEDULED',
        scheduleFrequency: { dailySchedule: {} },
        initialRun: true,
        managedDataIdentifierSelector: 'RECOMMENDED',
        s3JobDefinition: { bucketDefinitions: [{ accountId: props.AccountId, buckets: [props.BucketName] }] },
      });
      if (typeof answer.jobId !== 'string' || answer.jobId.length === 0) {
        throw new Error('Macie answered CreateClassificationJob without a job id');
      }
      return { PhysicalResourceId: answer.jobId };
    }
    case 'Delete':
      await cancel(api, event.PhysicalResourceId);
      return { PhysicalResourceId: event.PhysicalResourceId };
    default:
      throw new Error(`unknown request type ${String(event.RequestType)}`);
  }
}

/** Cancels the job unless it is finished or gone; any other failure fails the delete. */
async function cancel(api, jobId) {
  const status = await jobStatus(api, jobId);
  if (status === undefined || FINISHED.has(status)) {
    return;
  }
  try {
    await api.updateClassificationJob({ jobId, jobStatus: 'CANCELLED' });
  } catch (error) {
    if (GONE.has(error?.name)) {
      return;
    }
    // Cancelled (by someone, or by Macie's suspension) between the two calls: Macie refuses to cancel it again.
    const now = await jobStatus(api, jobId);
    if (now === undefined || FINISHED.has(now)) {
      return;
    }
    throw error;
  }
}

/** The job's status, or undefined when the job or Macie is gone. */
async function jobStatus(api, jobId) {
  try {
    return (await api.describeClassificationJob({ jobId })).jobStatus;
  } catch (error) {
    if (GONE.has(error?.name)) {
      return undefined;
    }
    throw error;
  }
}

exports.handler = (event) => handler(event);
exports.handleEvent = handler;
