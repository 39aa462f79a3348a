import { randomUUID } from 'node:crypto';
import type { FunctionDeclaration } from '@podero-bridge/functions/declarations';
import type { Context } from 'aws-lambda';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'eu-central-1';

export interface LambdaContextOptions {
  requestId?: string;
  now?: () => number;
  region?: string;
}

/** The physical function name the local stack uses for a declared function. */
export function localFunctionName(declaration: Pick<FunctionDeclaration, 'name'>): string {
  return `podero-bridge-local-${declaration.name}`;
}

/**
 * A Lambda context for one invocation: the remaining time counts down from the function's declared
 * timeout, so handlers that budget their work (the sync) behave as they would in AWS.
 */
export function createLambdaContext(
  declaration: Pick<FunctionDeclaration, 'name' | 'memoryMb' | 'timeoutSeconds'>,
  options: LambdaContextOptions = {},
): Context {
  const { requestId = randomUUID(), now = Date.now, region = LOCAL_REGION } = options;
  const functionName = localFunctionName(declaration);
  const deadline = now() + declaration.timeoutSeconds * 1000;
  const day = new Date(now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(declaration.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
