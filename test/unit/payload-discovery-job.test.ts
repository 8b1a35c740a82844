/**
 * The Macie job's custom-resource handler, with a stand-in for Macie that refuses what Macie refuses: a fresh client
 * token per creation (so toggling the job off and on makes a new job), and a delete that tolerates a job already
 * cancelled or removed and Macie suspended or disabled, while failing on anything else.
 */
const { handleEvent } = require('../../lib/governance/payload-discovery-job/index.js') as {
  handleEvent: (event: Record<string, unknown>, macie: FakeMacie) => Promise<{ PhysicalResourceId: string }>;
};

/** An error as SDK v3 raises it: its name is the exception's shape name in Macie's API. */
function macieError(name: string): Error {
  return Object.assign(new Error(`${name} from the stand-in`), { name });
}

type Job = { jobId: string; clientToken: string; jobStatus: string; input: Record<string, unknown> };

/**
 * Macie's three calls, as documented: a client token already used returns that token's job; CANCELLED is accepted only
 * from IDLE, PAUSED, RUNNING or USER_PAUSED (ValidationException otherwise); an unknown job is
 * ResourceNotFoundException; with Macie suspended or disabled every call is refused (AccessDeniedException).
 */
class FakeMacie {
  jobs = new Map<string, Job>();
  state: 'enabled' | 'suspended' | 'disabled' = 'enabled';
  calls: string[] = [];

  private check(): void {
    if (this.state !== 'enabled') throw macieError('AccessDeniedException');
  }

  async createClassificationJob(input: Record<string, unknown>) {
    this.calls.push('create');
    this.check();
    const existing = [...this.jobs.values()].find((job) => job.clientToken === input.clientToken);
    if (existing !== undefined) return { jobId: existing.jobId };
    const jobId = `job${this.jobs.size + 1}`;
    this.jobs.set(jobId, { jobId, clientToken: String(input.clientToken), jobStatus: 'RUNNING', input });
    return { jobId };
  }

  async describeClassificationJob({ jobId }: { jobId: string }) {
    this.calls.push('describe');
    this.check();
    const job = this.jobs.get(jobId);
    if (job === undefined) throw macieError('ResourceNotFoundException');
    return { jobId, jobStatus: job.jobStatus };
  }

  async updateClassificationJob({ jobId, jobStatus }: { jobId: string; jobStatus: string }) {
    this.calls.push('update');
    this.check();
    const job = this.jobs.get(jobId);
    if (job === undefined) throw macieError('ResourceNotFoundException');
    if (!['IDLE', 'PAUSED', 'RUNNING', 'USER_PAUSED'].includes(job.jobStatus)) throw macieError('ValidationException');
    job.jobStatus = jobStatus;
    return {};
  }
}

const PROPS = { JobName: 'Mail-payload-discovery', AccountId: '111122223333', BucketName: 'payloads' };
const create = (requestId: string) => ({ RequestType: 'Create', RequestId: requestId, ResourceProperties: PROPS });
const remove = (jobId: string) => ({ RequestType: 'Delete', RequestId: 'r-delete', PhysicalResourceId: jobId });

let macie: FakeMacie;
beforeEach(() => {
  macie = new FakeMacie();
});

it('creates a daily job over the payload bucket, and answers with its id', async () => {
  const { PhysicalResourceId } = await handleEvent(create('r-1'), macie);
  const job = macie.jobs.get(PhysicalResourceId);
  expect(job?.input).toMatchObject({
    name: 'Mail-payload-discovery',
    jobType: 'SCHEDULED',
    scheduleFrequency: { dailySchedule: {} },
    s3JobDefinition: { bucketDefinitions: [{ accountId: '111122223333', buckets: ['payloads'] }] },
  });
});

it('gives each creation its own client token: toggled off and on, the job is a new, running one', async () => {
  const first = await handleEvent(create('r-1'), macie);
  await handleEvent(remove(first.PhysicalResourceId), macie);
  const second = await handleEvent(create('r-2'), macie);
  expect(second.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
  expect(macie.jobs.get(second.PhysicalResourceId)?.jobStatus).toBe('RUNNING');
});

it('keeps a retried request idempotent: the same request makes one job', async () => {
  const first = await handleEvent(create('r-1'), macie);
  const retry = await handleEvent(create('r-1'), macie);
  expect(retry.PhysicalResourceId).toBe(first.PhysicalResourceId);
  expect(macie.jobs.size).toBe(1);
});

it('replaces the job on update (Macie cannot edit a job): a new id, so CloudFormation deletes the old one', async () => {
  const first = await handleEvent(create('r-1'), macie);
  const updated = await handleEvent(
    { ...create('r-2'), RequestType: 'Update', PhysicalResourceId: first.PhysicalResourceId },
    macie,
  );
  expect(updated.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
});

it('cancels the job on delete', async () => {
  const { PhysicalResourceId } = await handleEvent(create('r-1'), macie);
  await handleEvent(remove(PhysicalResourceId), macie);
  expect(macie.jobs.get(PhysicalResourceId)?.jobStatus).toBe('CANCELLED');
});

it.each(['CANCELLED', 'COMPLETE'])('deletes a job already %s without asking Macie to cancel it', async (status) => {
  const { PhysicalResourceId } = await handleEvent(create('r-1'), macie);
  (macie.jobs.get(PhysicalResourceId) as Job).jobStatus = status;
  await expect(handleEvent(remove(PhysicalResourceId), macie)).resolves.toEqual({ PhysicalResourceId });
  expect(macie.calls).not.toContain('update');
});

it.each(['suspended', 'disabled'] as const)('deletes the job with Macie %s', async (state) => {
  const { PhysicalResourceId } = await handleEvent(create('r-1'), macie);
  macie.state = state;
  if (state === 'disabled') macie.jobs.clear();
  await expect(handleEvent(remove(PhysicalResourceId), macie)).resolves.toEqual({ PhysicalResourceId });
});

it('deletes a job that no longer exists', async () => {
  await expect(handleEvent(remove('job-gone'), macie)).resolves.toEqual({ PhysicalResourceId: 'job-gone' });
});

it('tolerates a job cancelled between its description and the cancel', async () => {
  const { PhysicalResourceId } = await handleEvent(create('r-1'), macie);
  const update = macie.updateClassificationJob.bind(macie);
  macie.updateClassificationJob = async (input) => {
    (macie.jobs.get(PhysicalResourceId) as Job).jobStatus = 'CANCELLED';
    return update(input);
  };
  await expect(handleEvent(remove(PhysicalResourceId), macie)).resolves.toEqual({ PhysicalResourceId });
});

it('fails the delete on any other error, rather than leave a running job behind silently', async () => {
  const { PhysicalResourceId } = await handleEvent(create('r-1'), macie);
  macie.updateClassificationJob = async () => {
    throw macieError('ThrottlingException');
  };
  await expect(handleEvent(remove(PhysicalResourceId), macie)).rejects.toThrow('ThrottlingException');
});
