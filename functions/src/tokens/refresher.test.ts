import {
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenFingerprint } from './contract';
import {
  createInProcessTokenRefresher,
  createLambdaTokenRefresher,
  TokenRefreshFailedError,
} from './refresher';

const lambdaMock = mockClient(LambdaClient);
const result = {
  status: 'refreshed',
  expires_at: '2030-01-01T00:00:00.000Z',
  refreshed_at: '2029-12-31T14:00:00.000Z',
};
// The SDK types Payload as its blob adapter; a plain Uint8Array is what the wire gives it.
const encode = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];

describe('createLambdaTokenRefresher', () => {
  afterEach(() => lambdaMock.reset());

  it('invokes token-refresh synchronously with a forced event carrying the fingerprint', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode(result) });
    const sha = tokenFingerprint('old');
    const out = await createLambdaTokenRefresher(
      new LambdaClient({ region: 'eu-central-1' }),
      'fn',
    ).forceRefresh(sha);
    expect(out).toEqual(result);
    const input = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('fn');
    expect(input?.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      source: 'invoke',
      force: true,
      rejected_token_sha256: sha,
    });
  });

  it('retries a throttled invoke (reserved concurrency 1) with backoff, then succeeds', async () => {
    const throttle = new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });
    lambdaMock
      .on(InvokeCommand)
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .resolves({ Payload: encode(result) });
    const waits: number[] = [];
    const refresher = createLambdaTokenRefresher(
      new LambdaClient({ region: 'eu-central-1', maxAttempts: 1 }),
      'fn',
      {
        sleep: async (ms) => {
          waits.push(ms);
        },
        random: () => 1,
      },
    );
    expect(await refresher.forceRefresh()).toEqual(result);
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after maxAttempts when throttling never ends, waiting between attempts only', async () => {
    const throttle = new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });
    lambdaMock.on(InvokeCommand).rejects(throttle);
    const waits: number[] = [];
    const refresher = createLambdaTokenRefresher(
      new LambdaClient({ region: 'eu-central-1', maxAttempts: 1 }),
      'fn',
      { maxAttempts: 4, sleep: async (ms) => void waits.push(ms), random: () => 1 },
    );
    const failure = await refresher.forceRefresh().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TokenRefreshFailedError);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('does not retry an error that is not a throttle', async () => {
    lambdaMock
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const waits: number[] = [];
    const refresher = createLambdaTokenRefresher(
      new LambdaClient({ region: 'eu-central-1', maxAttempts: 1 }),
      'fn',
      { sleep: async (ms) => void waits.push(ms) },
    );
    const failure = await refresher.forceRefresh().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TokenRefreshFailedError);
    expect((failure as Error).message).toContain('AccessDeniedException');
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('fails on a function error or an unexpected result, naming neither token nor payload', async () => {
    lambdaMock
      .on(InvokeCommand)
      .resolves({ FunctionError: 'Unhandled', Payload: encode({ errorMessage: 'x' }) });
    const refresher = createLambdaTokenRefresher(new LambdaClient({ region: 'eu-central-1' }), 'fn');
    await expect(refresher.forceRefresh()).rejects.toBeInstanceOf(TokenRefreshFailedError);
    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).resolves({ Payload: encode({ status: 'weird' }) });
    await expect(refresher.forceRefresh()).rejects.toThrow(
      /unexpected result \(status, expires_at, refreshed_at\)/,
    );
  });

  it('says which way the invoke failed: a function error, a non-JSON or empty result, a result that is not an object', async () => {
    const refresher = createLambdaTokenRefresher(new LambdaClient({ region: 'eu-central-1' }), 'fn');
    const messageOf = async () =>
      ((await refresher.forceRefresh().catch((e: unknown) => e)) as Error).message;
    lambdaMock.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: encode(result) });
    expect(await messageOf()).toBe('token-refresh failed (Unhandled)');
    lambdaMock.reset();
    lambdaMock
      .on(InvokeCommand)
      .resolves({ Payload: new TextEncoder().encode('not json') as InvokeCommandOutput['Payload'] });
    expect(await messageOf()).toBe('token-refresh returned a non-JSON result');
    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).resolves({});
    expect(await messageOf()).toBe('token-refresh returned a non-JSON result');
    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).resolves({ Payload: encode('a string') });
    expect(await messageOf()).toBe('token-refresh returned an unexpected result ((root))');
    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).resolves({ Payload: encode({ ...result, expires_at: 'soon' }) });
    expect(await messageOf()).toBe('token-refresh returned an unexpected result (expires_at)');
  });

  it.each(['ThrottlingException', 'Throttling', 'TooManyRequestsException'])(
    'retries an invoke throttled as %s',
    async (name) => {
      lambdaMock
        .on(InvokeCommand)
        .rejectsOnce(Object.assign(new Error('slow down'), { name }))
        .resolves({ Payload: encode(result) });
      const refresher = createLambdaTokenRefresher(
        new LambdaClient({ region: 'eu-central-1', maxAttempts: 1 }),
        'fn',
        { sleep: async () => {} },
      );
      expect(await refresher.forceRefresh()).toEqual(result);
      expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(2);
    },
  );

  it('reports an aborted invoke as timed out', async () => {
    lambdaMock.on(InvokeCommand).rejects(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    const refresher = createLambdaTokenRefresher(new LambdaClient({ region: 'eu-central-1' }), 'fn');
    const failure = (await refresher.forceRefresh().catch((e: unknown) => e)) as Error;
    expect(failure.message).toBe('token-refresh could not be invoked (timed out)');
  });
});

describe('createInProcessTokenRefresher', () => {
  it('aborts an invoke that outlasts invokeTimeoutMs and reports it as TokenRefreshFailedError', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    // A Lambda that never answers: only the abort signal ends the call, as in the SDK's HTTP handler.
    const hangingLambda = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
        signals.push(options?.abortSignal);
        return new Promise((_, reject) => {
          options?.abortSignal?.addEventListener('abort', () => reject(options.abortSignal?.reason), {
            once: true,
          });
        });
      },
    } as unknown as LambdaClient;
    const refresher = createLambdaTokenRefresher(hangingLambda, 'token-refresh', { invokeTimeoutMs: 30 });
    const failure = await refresher.forceRefresh().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TokenRefreshFailedError);
    expect((failure as Error).message).toBe('token-refresh could not be invoked (timed out)');
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('runs one refresh at a time, like reserved concurrency 1', async () => {
    let running = 0;
    let maxRunning = 0;
    const refresher = createInProcessTokenRefresher(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return result;
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => refresher.forceRefresh()));
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(maxRunning).toBe(1);
  });

  it('keeps serving after one refresh fails', async () => {
    let calls = 0;
    const refresher = createInProcessTokenRefresher(async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return result;
    });
    // Reported as a Lambda invoke would report a function error: the refresh failed, the cause is kept.
    const failure = await refresher.forceRefresh().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TokenRefreshFailedError);
    expect((failure as Error).message).toBe('token-refresh failed (Error)');
    // Not an Error at all: still a refresh failure, named as such.
    const odd = createInProcessTokenRefresher(async () => Promise.reject('a string'));
    expect(((await odd.forceRefresh().catch((e: unknown) => e)) as Error).message).toBe(
      'token-refresh failed (Unhandled)',
    );
    expect(((failure as Error).cause as Error).message).toBe('boom');
    expect(await refresher.forceRefresh()).toEqual(result);
  });
});
