/** The parts of Lambda's context the function reads, for the local event source. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-stack';

/** The function's timeout as the stack sets it (lib/functions/decrypt-function.ts): the invocation's deadline. */
const FUNCTION_TIMEOUT_MILLIS = 120_000;

/** A context with a fresh request id and the time left before the invocation's deadline. */
export function lambdaContext(timeoutMillis = FUNCTION_TIMEOUT_MILLIS): Context {
  const deadline = Date.now() + timeoutMillis;
  return {
    functionName: 'decrypt',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:decrypt`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
