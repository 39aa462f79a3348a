import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createPoderoClient, type PoderoClientOptions } from './client';
import {
  PoderoAuthError,
  PoderoConflictError,
  PoderoError,
  PoderoNetworkError,
  PoderoNotFoundError,
  PoderoRateLimitError,
  PoderoResponseShapeError,
  PoderoServerError,
  PoderoValidationError,
} from './errors';
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, parseRetryAfterMs } from './retry';
import {
  createFakeFetch,
  type Handler,
  HEAT_PUMP_ID,
  hang,
  json,
  networkFailure,
  ORG_ID,
  sequence,
  USER_ID,
} from './test-support/fake-fetch';
import { referenceUser } from './test-support/fixtures';
import { staticTokenProvider } from './token';
import { MAX_TOKEN_REFRESHES_PER_REQUEST, type TokenProvider } from './transport';

const createBody = { role: 'user' as const, email: 'user@example.com' };

function setup(handler: Handler, overrides: Partial<PoderoClientOptions> = {}) {
  const fake = createFakeFetch(handler);
  const sleeps: number[] = [];
  const client = createPoderoClient({
    baseUrl: 'https://podero.test',
    orgId: ORG_ID,
    tokenProvider: staticTokenProvider('token-abc'),
    fetch: fake.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  return { client, requests: fake.requests, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<PoderoError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PoderoError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('error mapping', () => {
  it.each([
    [401, { detail: 'Unauthorized' }, PoderoAuthError, 'Unauthorized'],
    [403, { detail: 'Forbidden' }, PoderoAuthError, 'Forbidden'],
    [404, { detail: 'Not Found' }, PoderoNotFoundError, 'Not Found'],
    [409, { state: 'ongoing', reason: 'already_charging' }, PoderoConflictError, 'already_charging'],
    [500, 'Internal Server Error', PoderoServerError, 'Internal Server Error'],
    [418, { message: 'teapot' }, PoderoError, 'teapot'],
  ] as const)('maps HTTP %i to %s with the detail', async (status, body, errorClass, detail) => {
    const { client } = setup(() =>
      typeof body === 'string' ? new Response(body, { status }) : json(status, body),
    );
    const error = await failure(client.users.get(USER_ID));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.status).toBe(status);
    expect(error.method).toBe('GET');
    expect(error.path).toBe(`/api/partners/v2.0/org/${ORG_ID}/users/${USER_ID}`);
    expect(error.detail).toBe(detail);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it("maps 422 to PoderoValidationError with django-ninja's field errors", async () => {
    const body = {
      detail: [{ type: 'enum', loc: ['body', 'price_zone_default'], msg: "Input should be 'AT', 'BE'" }],
    };
    const { client } = setup(() => json(422, body));
    const error = await failure(client.heatPumps.update(USER_ID, HEAT_PUMP_ID, { price_zone: 'AT' }));
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect((error as PoderoValidationError).fieldErrors).toEqual([
      { type: 'enum', loc: ['body', 'price_zone_default'], msg: "Input should be 'AT', 'BE'" },
    ]);
    expect(error.detail).toBe("body.price_zone_default: Input should be 'AT', 'BE'");
    expect(error.body).toEqual(body);
  });

  it('maps 400 with a plain detail to PoderoValidationError without field errors', async () => {
    const { client } = setup(() => json(400, { detail: 'No data available' }));
    const error = await failure(client.heatPumps.data(USER_ID, HEAT_PUMP_ID));
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect((error as PoderoValidationError).fieldErrors).toEqual([]);
    expect(error.detail).toBe('No data available');
  });

  it('maps a 429 that outlives the retry budget to PoderoRateLimitError with retryAfterMs', async () => {
    const { client, requests } = setup(() => json(429, { detail: 'slow down' }, { 'retry-after': '2' }), {
      retry: { maxRetries: 1 },
    });
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoRateLimitError);
    expect((error as PoderoRateLimitError).retryAfterMs).toBe(2000);
    expect(requests).toHaveLength(2);
  });

  it('maps a body that breaks the schema to PoderoResponseShapeError naming the field', async () => {
    const { client } = setup(() => json(200, [{ ...referenceUser, email: 42 }]));
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoResponseShapeError);
    expect((error as PoderoResponseShapeError).issues.map((issue) => issue.path)).toEqual(['0.email']);
    expect(error.message).toContain('0.email');
    expect(error.status).toBe(200);
  });

  it('maps a 2xx body that is not JSON to PoderoResponseShapeError', async () => {
    const { client } = setup(() => new Response('<html>', { status: 200 }));
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoResponseShapeError);
  });

  it('maps a refused connection to PoderoNetworkError (not timed out) with the code and cause', async () => {
    const { client } = setup(sequence(networkFailure('ECONNREFUSED')), { retry: { maxRetries: 0 } });
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(false);
    expect((error as PoderoNetworkError).code).toBe('ECONNREFUSED');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.status).toBeUndefined();
  });

  it('times out a request that never answers and reports timedOut', async () => {
    const { client } = setup(hang, { timeoutMs: 20, retry: { maxRetries: 0 } });
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(true);
    expect(error.message).toContain('timed out after 20 ms');
  });

  it('times out even when the fetch implementation ignores the abort signal', async () => {
    const { client } = setup(() => new Promise<Response>(() => undefined), {
      timeoutMs: 20,
      retry: { maxRetries: 0 },
    });
    const error = await failure(client.users.list());
    expect((error as PoderoNetworkError).timedOut).toBe(true);
  });

  it('lets go of a finished request at once, not when its timeout would have fired', async () => {
    // AbortSignal.timeout kept each signal (and through fetch's listeners the request and response)
    // reachable for timeoutMs after the request finished: at sync rates, seconds of requests in memory.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    let signalRef: WeakRef<AbortSignal> | undefined;
    const client = createPoderoClient({
      baseUrl: 'https://podero.test',
      orgId: ORG_ID,
      tokenProvider: staticTokenProvider('token-abc'),
      timeoutMs: 60_000,
      fetch: async (_input, init) => {
        if (init?.signal) signalRef = new WeakRef(init.signal);
        return json(200, []);
      },
    });
    await client.users.list();
    expect(signalRef).toBeDefined();
    for (let round = 0; round < 5 && signalRef?.deref() !== undefined; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      collect();
    }
    expect(signalRef?.deref()).toBeUndefined();
  });

  it('never puts the access token into an error', async () => {
    const secretToken = 'super-secret-token-value';
    const { client } = setup(() => json(401, { detail: 'Unauthorized' }), {
      tokenProvider: staticTokenProvider(secretToken),
    });
    const error = await failure(client.users.list());
    const everything = JSON.stringify({ ...error, message: error.message, stack: error.stack });
    expect(everything).not.toContain(secretToken);
  });
});

describe('retries', () => {
  it('retries GET on 502, 503 and 504 with capped exponential backoff and jitter', async () => {
    const { client, requests, sleeps } = setup(
      sequence(json(502, {}), json(503, {}), json(504, {}), json(200, [referenceUser])),
      { retry: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 250 } },
    );
    const users = await client.users.list();
    expect(users).toHaveLength(1);
    expect(requests).toHaveLength(4);
    // random() = 0.5: 0.5 * min(250, 100 * 2^n) for n = 0, 1, 2
    expect(sleeps).toEqual([50, 100, 125]);
  });

  it('keeps the default budget for a retry option given as undefined', async () => {
    const { client, requests } = setup(() => json(503, {}), { retry: { maxRetries: undefined } });
    await failure(client.users.list());
    expect(requests).toHaveLength(1 + DEFAULT_RETRY_OPTIONS.maxRetries);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const { client, requests } = setup(() => json(503, { detail: 'busy' }), { retry: { maxRetries: 2 } });
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoServerError);
    expect(error.status).toBe(503);
    expect(requests).toHaveLength(3);
  });

  it('does not retry a 500 for any method', async () => {
    const { client, requests } = setup(() => json(500, {}));
    await failure(client.users.get(USER_ID));
    expect(requests).toHaveLength(1);
  });

  it('never replays a POST after a 500', async () => {
    const { client, requests } = setup(sequence(json(500, {}), json(200, referenceUser)));
    const error = await failure(client.users.create(createBody));
    expect(error).toBeInstanceOf(PoderoServerError);
    expect(requests).toHaveLength(1);
  });

  it('never replays a POST after a 502, 503 or 504', async () => {
    for (const status of [502, 503, 504]) {
      const { client, requests } = setup(sequence(json(status, {}), json(200, referenceUser)));
      await failure(client.users.create(createBody));
      expect(requests).toHaveLength(1);
    }
  });

  it('never replays a POST after a timeout', async () => {
    let calls = 0;
    const { client, requests } = setup(
      (request) => {
        calls++;
        return calls === 1 ? hang(request) : json(200, referenceUser);
      },
      { timeoutMs: 20 },
    );
    const error = await failure(client.users.create(createBody));
    expect((error as PoderoNetworkError).timedOut).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('retries a GET after a timeout', async () => {
    let calls = 0;
    const { client, requests } = setup(
      (request) => {
        calls++;
        return calls === 1 ? hang(request) : json(200, [referenceUser]);
      },
      { timeoutMs: 20 },
    );
    await expect(client.users.list()).resolves.toHaveLength(1);
    expect(requests).toHaveLength(2);
  });

  it('retries a POST on 429, honouring Retry-After in seconds', async () => {
    const { client, requests, sleeps } = setup(
      sequence(json(429, {}, { 'retry-after': '3' }), json(200, referenceUser)),
    );
    await expect(client.users.create(createBody)).resolves.toMatchObject({ id: referenceUser.id });
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 5_000).toUTCString();
    const { client, sleeps } = setup(sequence(json(429, {}, { 'retry-after': at }), json(200, [])));
    await client.users.list();
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3_000);
    expect(sleeps[0]).toBeLessThanOrEqual(5_000);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs: fails at once with retryAfterMs', async () => {
    const { client, requests, sleeps } = setup(() => json(429, {}, { 'retry-after': '120' }), {
      retry: { maxRetryAfterMs: 10_000 },
    });
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoRateLimitError);
    expect((error as PoderoRateLimitError).retryAfterMs).toBe(120_000);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a POST when the connection was refused (the server never saw it)', async () => {
    const { client, requests } = setup(sequence(networkFailure('ECONNREFUSED'), json(200, referenceUser)));
    await expect(client.users.create(createBody)).resolves.toMatchObject({ email: 'user@example.com' });
    expect(requests).toHaveLength(2);
  });

  it('never replays a POST after a connection reset (the server may have acted on it)', async () => {
    const { client, requests } = setup(
      sequence(networkFailure('UND_ERR_SOCKET', 'other side closed'), json(200, referenceUser)),
    );
    const error = await failure(client.users.create(createBody));
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).code).toBe('UND_ERR_SOCKET');
    expect(requests).toHaveLength(1);
  });

  it('retries a stale socket of a GET at once, without a backoff delay', async () => {
    const { client, sleeps, requests } = setup(sequence(networkFailure('ECONNRESET'), json(200, [])));
    await expect(client.users.list()).resolves.toEqual([]);
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('retries GET on connection resets within the budget', async () => {
    const { client, requests } = setup(
      sequence(networkFailure('ECONNRESET'), networkFailure('ECONNRESET'), json(200, [])),
      { retry: { maxRetries: 1 } },
    );
    await expect(client.users.list()).resolves.toEqual([]);
    // one stale-socket retry (outside the budget) + one budgeted retry
    expect(requests).toHaveLength(3);
  });

  it('retries PUT and DELETE on 503', async () => {
    const { client, requests } = setup(
      sequence(json(503, {}), json(200, referenceUser), json(503, {}), new Response(null, { status: 204 })),
    );
    await client.users.update(USER_ID, { first_name: 'Ada' });
    await client.users.delete(USER_ID);
    expect(requests.map((request) => request.method)).toEqual(['PUT', 'PUT', 'DELETE', 'DELETE']);
  });
});

describe('401 handling', () => {
  function rotatingProvider() {
    const issued: string[] = [];
    const invalidated: string[] = [];
    const provider: TokenProvider = {
      getToken: async () => {
        if (issued.length === 0 || invalidated.includes(issued.at(-1) ?? ''))
          issued.push(`token-${issued.length + 1}`);
        return issued.at(-1) ?? '';
      },
      invalidate: (token) => {
        invalidated.push(token);
      },
    };
    return { provider, issued, invalidated };
  }

  it('invalidates the rejected token, fetches a new one once and retries once', async () => {
    const tokens = rotatingProvider();
    const { client, requests } = setup(
      (request) =>
        request.headers.get('authorization') === 'Bearer token-2'
          ? json(200, referenceUser)
          : json(401, { detail: 'Unauthorized' }),
      { tokenProvider: tokens.provider },
    );
    await expect(client.users.create(createBody)).resolves.toMatchObject({ id: referenceUser.id });
    expect(tokens.invalidated).toEqual(['token-1']);
    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('refreshes a second time when the new token is rejected too (two revocations), then succeeds', async () => {
    const tokens = rotatingProvider();
    const { client, requests } = setup(
      (request) =>
        request.headers.get('authorization') === 'Bearer token-3'
          ? json(200, [])
          : json(401, { detail: 'Unauthorized' }),
      { tokenProvider: tokens.provider },
    );
    await expect(client.users.list()).resolves.toEqual([]);
    expect(tokens.invalidated).toEqual(['token-1', 'token-2']);
    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
    ]);
  });

  it('throws PoderoAuthError on a third 401 without refreshing again', async () => {
    const tokens = rotatingProvider();
    const { client, requests } = setup(() => json(401, { detail: 'Unauthorized' }), {
      tokenProvider: tokens.provider,
    });
    const error = await failure(client.users.list());
    expect(error).toBeInstanceOf(PoderoAuthError);
    expect(requests).toHaveLength(1 + MAX_TOKEN_REFRESHES_PER_REQUEST);
    expect(tokens.invalidated).toEqual(['token-1', 'token-2']);
  });

  it('does not resend a token this request already had rejected', async () => {
    // A provider that, after the first refresh, hands back the first token again.
    const handedOut = ['token-1', 'token-2', 'token-1'];
    const invalidated: string[] = [];
    const { client, requests } = setup(() => json(401, { detail: 'Unauthorized' }), {
      tokenProvider: {
        getToken: async () => handedOut[Math.min(invalidated.length, handedOut.length - 1)] ?? '',
        invalidate: (token) => {
          invalidated.push(token);
        },
      },
    });
    await failure(client.users.list());
    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('does not resend when the provider hands back the same rejected token', async () => {
    const { client, requests } = setup(() => json(401, { detail: 'Unauthorized' }));
    await failure(client.users.list());
    expect(requests).toHaveLength(1);
  });
});

describe('retry helpers', () => {
  it('parses Retry-After seconds, dates and garbage', () => {
    expect(parseRetryAfterMs('7')).toBe(7000);
    expect(parseRetryAfterMs('1.5')).toBe(1500);
    expect(
      parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')),
    ).toBe(60_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2016-01-01'))).toBe(0);
    expect(parseRetryAfterMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs(null)).toBeUndefined();
  });

  it('caps the backoff at maxDelayMs and scales it by the jitter', () => {
    const options = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(0, options, () => 0.999)).toBe(99);
    expect(backoffDelayMs(10, options, () => 0.999)).toBe(999);
    expect(backoffDelayMs(3, options, () => 0)).toBe(0);
  });
});

describe('the caller deadline', () => {
  it('cuts an attempt short at the deadline even when timeoutMs is longer, and does not retry past it', async () => {
    const deadline = Date.now() + 150;
    const { client, requests } = setup(hang, { timeoutMs: 10_000, deadline: () => deadline });
    const started = Date.now();
    const error = await failure(client.heatPumps.list(USER_ID));
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut, error.message).toBe(true);
    // One attempt, cut at the deadline: no retry could have finished before it.
    expect(requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails at once, sending nothing, when the deadline has already passed', async () => {
    const { client, requests } = setup(() => json(200, []), { deadline: () => Date.now() - 1 });
    const error = await failure(client.heatPumps.list(USER_ID));
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect(error.message).toContain('deadline');
    expect(requests).toHaveLength(0);
  });

  it('skips a retry whose backoff would end after the deadline', async () => {
    const deadline = Date.now() + 60_000;
    const { client, requests, sleeps } = setup(() => json(503, {}), {
      deadline: () => deadline,
      retry: { maxRetries: 3, baseDelayMs: 120_000, maxDelayMs: 120_000 },
    });
    const error = await failure(client.heatPumps.list(USER_ID));
    expect(error).toBeInstanceOf(PoderoServerError);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('changes nothing without a deadline: the retries run as configured', async () => {
    const { client, requests } = setup(() => json(503, {}), { retry: { maxRetries: 2 } });
    await failure(client.heatPumps.list(USER_ID));
    expect(requests).toHaveLength(3);
  });
});
