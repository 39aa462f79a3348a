import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, networkErrorCode, parseRetryAfterMs } from './retry';
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
import { requestClientCredentialsToken, staticTokenProvider } from './token';
import {
  defaultSleep,
  MAX_TOKEN_REFRESHES_PER_REQUEST,
  type RequestSpan,
  type TokenProvider,
} from './transport';

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

// ---- Edges that mutation testing found untested (docs/adr/0008-mutation-testing.md).

describe('error details', () => {
  const at = (status: number, body: string | undefined, headers: Record<string, string> = {}) =>
    setup(() => new Response(body === undefined || body === '' ? null : body, { status, headers }));

  it("collapses a detail's whitespace and names the status in an exact message", async () => {
    const error = await failure(at(404, '{"detail":"  Not\\n   found \\t"}').client.users.get(USER_ID));
    expect(error).toBeInstanceOf(PoderoNotFoundError);
    expect(error.detail).toBe('Not found');
    expect(error.message).toBe(
      `Podero GET /api/partners/v2.0/org/${ORG_ID}/users/${USER_ID} failed with HTTP 404: Not found`,
    );
  });

  it('leaves ": detail" out of the message when there is none, and the body out when it is empty', async () => {
    const error = await failure(at(404, '').client.users.get(USER_ID));
    expect(error.message).toBe(
      `Podero GET /api/partners/v2.0/org/${ORG_ID}/users/${USER_ID} failed with HTTP 404`,
    );
    expect(error.detail).toBeUndefined();
    expect(error.body).toBeUndefined();
    const other = await failure(at(404, '{"other":1}').client.users.get(USER_ID));
    expect(other.detail).toBeUndefined();
    expect(other.body).toEqual({ other: 1 });
  });

  it("reads django-ninja's field errors, skipping what is not one, and joins them into the detail", async () => {
    const body = JSON.stringify({
      detail: [
        { type: 'value_error', loc: ['body', 'email', 0], msg: 'bad email' },
        { type: 7, loc: [{ nested: true }, 'x', null], msg: 5 },
        { loc: 'not-a-list', msg: 'm', type: 't' },
        'junk',
        null,
      ],
    });
    const error = (await failure(at(422, body).client.users.get(USER_ID))) as PoderoValidationError;
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect(error.fieldErrors).toEqual([
      { loc: ['body', 'email', 0], msg: 'bad email', type: 'value_error' },
      { loc: ['x'], msg: '', type: '' },
      { loc: [], msg: 'm', type: 't' },
    ]);
    expect(error.detail).toBe('body.email.0: bad email; x: ; : m');
  });

  it('reads OAuth, boost and message-style bodies; arrays and null carry no detail', async () => {
    const oauth = await failure(
      at(400, '{"error":"invalid_client","error_description":"bad creds"}').client.users.get(USER_ID),
    );
    expect(oauth.detail).toBe('invalid_client: bad creds');
    expect((await failure(at(400, '{"error":"invalid_client"}').client.users.get(USER_ID))).detail).toBe(
      'invalid_client',
    );
    expect((await failure(at(409, '{"state":"x","reason":"busy"}').client.users.get(USER_ID))).detail).toBe(
      'busy',
    );
    expect((await failure(at(500, '{"message":"boom"}').client.users.get(USER_ID))).detail).toBe('boom');
    expect((await failure(at(404, '["a"]').client.users.get(USER_ID))).detail).toBeUndefined();
    expect((await failure(at(404, 'null').client.users.get(USER_ID))).detail).toBeUndefined();
    // A list of field errors is only read from an object body.
    const list = (await failure(
      at(422, '[{"loc":["a"],"msg":"m","type":"t"}]').client.users.get(USER_ID),
    )) as PoderoValidationError;
    expect(list.fieldErrors).toEqual([]);
  });

  it('truncates a detail over 300 characters and a non-JSON body over 500, not at exactly those lengths', async () => {
    const long = await failure(
      at(404, JSON.stringify({ detail: 'd'.repeat(301) })).client.users.get(USER_ID),
    );
    expect(long.detail).toBe(`${'d'.repeat(300)}…`);
    const exact = await failure(
      at(404, JSON.stringify({ detail: 'd'.repeat(300) })).client.users.get(USER_ID),
    );
    expect(exact.detail).toBe('d'.repeat(300));
    const html = await failure(at(502, 'h'.repeat(501)).client.users.get(USER_ID));
    expect(html.body).toBe(`${'h'.repeat(500)}…`);
    expect(html.detail).toBe(`${'h'.repeat(300)}…`);
    const exactHtml = await failure(at(502, 'h'.repeat(500)).client.users.get(USER_ID));
    expect(exactHtml.body).toBe('h'.repeat(500));
  });

  it('maps 403 to an auth error, 400 to validation, 3xx to a plain PoderoError, and 300 is no success', async () => {
    expect(await failure(at(403, '{"detail":"no"}').client.users.get(USER_ID))).toBeInstanceOf(
      PoderoAuthError,
    );
    expect(await failure(at(400, '{"detail":"no"}').client.users.get(USER_ID))).toBeInstanceOf(
      PoderoValidationError,
    );
    for (const status of [300, 302, 304]) {
      const error = await failure(at(status, '').client.users.get(USER_ID));
      expect(error.constructor).toBe(PoderoError);
      expect(error.status).toBe(status);
    }
  });

  it('a rate-limit error carries retryAfterMs only when Podero said how long', async () => {
    const said = (await failure(
      at(429, '', { 'retry-after': '60' }).client.users.get(USER_ID),
    )) as PoderoRateLimitError;
    expect(said.retryAfterMs).toBe(60_000);
    const unsaid = (await failure(
      setup(() => new Response(null, { status: 429 }), { retry: { maxRetries: 0 } }).client.users.get(
        USER_ID,
      ),
    )) as PoderoRateLimitError;
    expect(unsaid).toBeInstanceOf(PoderoRateLimitError);
    expect(unsaid.retryAfterMs).toBeUndefined();
    expect('retryAfterMs' in unsaid && unsaid.retryAfterMs !== undefined).toBe(false);
  });

  it('a 2xx body that is not JSON names the problem and keeps the parse error; an empty one is a shape error', async () => {
    const notJson = (await failure(at(200, '<html>').client.users.get(USER_ID))) as PoderoResponseShapeError;
    expect(notJson.message).toBe(
      `Podero GET /api/partners/v2.0/org/${ORG_ID}/users/${USER_ID} returned a body that is not JSON`,
    );
    expect(notJson.issues).toEqual([{ path: '(root)', message: 'response body is not JSON' }]);
    expect(notJson.status).toBe(200);
    expect(notJson.method).toBe('GET');
    expect(notJson.cause).toBeInstanceOf(SyntaxError);
    const empty = (await failure(at(200, '').client.users.get(USER_ID))) as PoderoResponseShapeError;
    expect(empty).toBeInstanceOf(PoderoResponseShapeError);
    expect(empty.message).toContain('returned an unexpected shape');
    // A DELETE ignores its body, empty or not.
    await expect(at(204, '').client.users.delete(USER_ID)).resolves.toBeUndefined();
  });
});

describe('network error details', () => {
  const path = `/api/partners/v2.0/org/${ORG_ID}/users`;
  const refusedOnce = (error: unknown) =>
    setup(sequence(error as Error), { retry: { maxRetries: 0 } }).client.users.create(createBody);

  it("names the innermost cause's message, one line and at most 200 characters", async () => {
    const inner = Object.assign(new Error(`connect ECONNREFUSED\n   127.0.0.1:1 ${'x'.repeat(300)}`), {
      code: 'ECONNREFUSED',
    });
    const error = (await failure(
      refusedOnce(new TypeError('fetch failed', { cause: new Error('middle', { cause: inner }) })),
    )) as PoderoNetworkError;
    const reason = `connect ECONNREFUSED 127.0.0.1:1 ${'x'.repeat(300)}`.slice(0, 200);
    expect(error.message).toBe(`Podero POST ${path} failed: network error (${reason})`);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.timedOut).toBe(false);
  });

  it('falls back to the code, then to nothing, when there is no cause', async () => {
    const coded = (await failure(
      refusedOnce(Object.assign(new TypeError('fetch failed'), { code: 'ECONNREFUSED' })),
    )) as PoderoNetworkError;
    expect(coded.message).toBe(`Podero POST ${path} failed: network error (ECONNREFUSED)`);
    const bare = (await failure(refusedOnce(new TypeError('fetch failed')))) as PoderoNetworkError;
    expect(bare.message).toBe(`Podero POST ${path} failed: network error`);
    expect(bare.code).toBeUndefined();
    // A cause that is not an Error is not a message.
    const odd = (await failure(
      refusedOnce(new TypeError('fetch failed', { cause: 'a string' })),
    )) as PoderoNetworkError;
    expect(odd.message).toBe(`Podero POST ${path} failed: network error`);
  });

  it('stops at five levels of causes', async () => {
    let error: Error = Object.assign(new Error('deepest'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 6; i++) error = new Error(`level ${i}`, { cause: error });
    const deep = (await failure(refusedOnce(error))) as PoderoNetworkError;
    expect(deep.message).toBe(`Podero POST ${path} failed: network error (level 0)`);
    expect(deep.code).toBeUndefined();
  });

  it('reports a timeout with its limit and the abort reason as cause', async () => {
    const { client } = setup(hang, { timeoutMs: 30, retry: { maxRetries: 0 } });
    const error = (await failure(client.users.create(createBody))) as PoderoNetworkError;
    expect(error.message).toBe(`Podero POST ${path} failed: timed out after 30 ms`);
    expect(error.timedOut).toBe(true);
    expect((error.cause as DOMException).name).toBe('TimeoutError');
    expect((error.cause as DOMException).message).toBe('timed out after 30 ms');
  });

  it('a passed deadline is a timeout that names the request', async () => {
    const { client, requests } = setup(() => json(200, []), { deadline: () => Date.now() - 1 });
    const error = (await failure(client.users.list())) as PoderoNetworkError;
    expect(error).toMatchObject({ method: 'GET', path, timedOut: true });
    expect(error.message).toBe(`Podero GET ${path} failed: the caller's deadline passed`);
    expect(requests).toHaveLength(0);
  });
});

describe('retry boundaries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])(
    'retries a GET whose socket went stale (%s) once at once',
    async (code) => {
      const { client, sleeps, requests } = setup(sequence(networkFailure(code), json(200, [])));
      await expect(client.users.list()).resolves.toEqual([]);
      expect(requests).toHaveLength(2);
      expect(sleeps).toEqual([]);
    },
  );

  it('backs off (not at once) after a refused connection, a codeless failure, or a reset after the response began', async () => {
    for (const failureOnce of [networkFailure('ECONNREFUSED'), new TypeError('fetch failed')]) {
      const { client, sleeps } = setup(sequence(failureOnce, json(200, [])));
      await expect(client.users.list()).resolves.toEqual([]);
      expect(sleeps).toHaveLength(1);
    }
    let calls = 0;
    const { client, sleeps } = setup(() => {
      calls++;
      if (calls > 1) return json(200, []);
      // Headers arrived, then the body stream broke: not a stale socket, a retry with backoff.
      return {
        status: 200,
        headers: new Headers(),
        text: () => Promise.reject(networkFailure('ECONNRESET')),
      } as unknown as Response;
    });
    await expect(client.users.list()).resolves.toEqual([]);
    expect(sleeps).toHaveLength(1);
  });

  it('a connection that keeps resetting costs one stale retry plus maxRetries, then fails', async () => {
    const { client, requests, sleeps } = setup(
      sequence(...Array.from({ length: 20 }, () => networkFailure('ECONNRESET')), json(200, [])),
      { retry: { maxRetries: 2 } },
    );
    const error = (await failure(client.users.list())) as PoderoNetworkError;
    expect(error.code).toBe('ECONNRESET');
    expect(requests).toHaveLength(4);
    expect(sleeps).toHaveLength(2);
  });

  it('waits a Retry-After exactly at the cap, and not one just over it', async () => {
    const at = (seconds: string) =>
      setup(sequence(json(429, {}, { 'retry-after': seconds }), json(200, [])), {
        retry: { maxRetryAfterMs: 2_000 },
      });
    const exact = at('2');
    await expect(exact.client.users.list()).resolves.toEqual([]);
    expect(exact.sleeps).toEqual([2_000]);
    const over = at('2.001');
    expect(await failure(over.client.users.list())).toBeInstanceOf(PoderoRateLimitError);
    expect(over.requests).toHaveLength(1);
  });

  it('reads Retry-After with surrounding spaces and decimals, and refuses partial numbers', () => {
    expect(parseRetryAfterMs(' 3 ')).toBe(3_000);
    expect(parseRetryAfterMs('1.25')).toBe(1_250);
    expect(parseRetryAfterMs('abc3')).toBeUndefined();
    expect(parseRetryAfterMs('3abc')).toBeUndefined();
  });

  it('a 403 is final: no token refresh, one request', async () => {
    let invalidated = 0;
    let issued = 0;
    const provider: TokenProvider = {
      getToken: async () => `token-${++issued}`,
      invalidate: async () => {
        invalidated++;
      },
    };
    const { client, requests } = setup(() => json(403, { detail: 'no' }), { tokenProvider: provider });
    expect(await failure(client.users.list())).toBeInstanceOf(PoderoAuthError);
    expect(requests).toHaveLength(1);
    expect(invalidated).toBe(0);
  });

  it('no attempt starts when the deadline is exactly now, and no retry whose wait ends exactly at it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const now = Date.now();
    const none = setup(() => json(200, []), { deadline: () => now });
    expect(await failure(none.client.users.list())).toBeInstanceOf(PoderoNetworkError);
    expect(none.requests).toHaveLength(0);
    // random 0.5 × ceiling 200 ms: a 100 ms backoff that would end exactly at the deadline.
    const edge = setup(sequence(json(503, {}), json(200, [])), {
      deadline: () => now + 100,
      retry: { baseDelayMs: 200, maxDelayMs: 200 },
    });
    expect(await failure(edge.client.users.list())).toBeInstanceOf(PoderoServerError);
    expect(edge.requests).toHaveLength(1);
  });

  it('the default sleep really waits', async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = defaultSleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });
});

describe('network error codes in a cause chain', () => {
  it('finds a code inside an AggregateError (undici on several addresses), and skips non-string codes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new TypeError('fetch failed', { cause: new AggregateError([refused]) }))).toBe(
      'ECONNREFUSED',
    );
    const numeric = Object.assign(new Error('x'), { code: 5 });
    expect(
      networkErrorCode(new TypeError('fetch failed', { cause: new AggregateError([numeric]) })),
    ).toBeUndefined();
    expect(networkErrorCode(new AggregateError(['not an error']))).toBeUndefined();
  });

  it('reads codes of Errors only, at most five levels deep, and ends on a cycle', () => {
    expect(
      networkErrorCode(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })),
    ).toBeUndefined();
    let error: Error = Object.assign(new Error('deep'), { code: 'EPIPE' });
    for (let i = 0; i < 4; i++) error = new Error('wrap', { cause: error });
    expect(networkErrorCode(error)).toBe('EPIPE');
    expect(networkErrorCode(new Error('wrap', { cause: error }))).toBeUndefined();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(networkErrorCode(a)).toBeUndefined();
  });
});

describe('authorization and bodies kept out of errors', () => {
  it("sends a cue's state without any Authorization header, and the secret only in the query", async () => {
    const { client, requests } = setup(() => json(200, { action_id: 'a1' }));
    await client.cues.reportState(HEAT_PUMP_ID, 'the-secret', { state: 'success' });
    expect(requests[0]?.headers.get('authorization')).toBeNull();
    expect(requests[0]?.rawQuery).toBe('secret=the-secret');
  });

  it('ignores a "message" that is not text instead of failing on it', async () => {
    const error = await failure(
      setup(() => json(500, { message: 42 }), { retry: { maxRetries: 0 } }).client.users.get(USER_ID),
    );
    expect(error).toBeInstanceOf(PoderoServerError);
    expect(error.detail).toBeUndefined();
  });

  it("keeps the token endpoint's answer out of its errors (it may echo credentials)", async () => {
    const fake = createFakeFetch(() =>
      json(400, { error: 'invalid_request', echoed: 'client-secret-value' }),
    );
    const error = await requestClientCredentialsToken({
      baseUrl: 'https://podero.test',
      clientId: 'id',
      clientSecret: 'client-secret-value',
      fetch: fake.fetch,
    }).catch((e: unknown) => e as PoderoError);
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect((error as PoderoError).body).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('client-secret-value');
  });
});

describe('the observe hook', () => {
  it('sees every attempt with its outcome and duration, and a throwing hook changes nothing', async () => {
    const seen: { outcome: string; status?: number; path: string }[] = [];
    const { client } = setup(
      sequence(
        json(503, {}),
        json(429, {}, { 'retry-after': '0' }),
        networkFailure('ECONNREFUSED'),
        json(200, []),
      ),
      {
        observe: (o) => {
          seen.push({
            outcome: o.outcome,
            ...(o.status === undefined ? {} : { status: o.status }),
            path: o.path,
          });
          expect(o.durationMs).toBeGreaterThanOrEqual(0);
          throw new Error('a broken metrics hook');
        },
      },
    );
    await expect(client.users.list()).resolves.toEqual([]);
    expect(seen.map((s) => [s.outcome, s.status])).toEqual([
      ['server_error', 503],
      ['rate_limited', 429],
      ['network', undefined],
      ['success', 200],
    ]);
    expect(seen[0]?.path).toBe(`/api/partners/v2.0/org/${ORG_ID}/users`);
    const notFound: string[] = [];
    const operations: string[] = [];
    await setup(() => json(200, referenceUser), {
      observe: (o) => operations.push(o.operation),
    }).client.users.get(USER_ID);
    expect(operations).toEqual(['users.get']);
    await failure(
      setup(() => json(404, {}), { observe: (o) => notFound.push(o.outcome) }).client.users.get(USER_ID),
    );
    expect(notFound).toEqual(['client_error']);
    const timedOut: string[] = [];
    await failure(
      setup(hang, {
        timeoutMs: 20,
        retry: { maxRetries: 0 },
        observe: (o) => timedOut.push(o.outcome),
      }).client.users.create(createBody),
    );
    expect(timedOut).toEqual(['timeout']);
  });
});

describe('the span hook', () => {
  it('wraps each request once, retries included, named by its operation, and settles as the request does', async () => {
    const spans: { operation: string; requestsInside: number; outcome?: string }[] = [];
    let sent: () => number = () => 0;
    const span: RequestSpan = async (operation, run) => {
      const entry: { operation: string; requestsInside: number; outcome?: string } = {
        operation,
        requestsInside: 0,
      };
      spans.push(entry);
      const before = sent();
      try {
        const result = await run();
        entry.outcome = 'ok';
        return result;
      } catch (error) {
        entry.outcome = 'failed';
        throw error;
      } finally {
        entry.requestsInside = sent() - before;
      }
    };
    const ok = setup(sequence(json(503, {}), json(200, [])), { span });
    sent = () => ok.requests.length;
    await expect(ok.client.heatPumps.list(USER_ID)).resolves.toEqual([]);
    const missing = setup(() => json(404, {}), { span });
    sent = () => missing.requests.length;
    await failure(missing.client.users.get(USER_ID));
    expect(spans).toEqual([
      { operation: 'heatPumps.list', requestsInside: 2, outcome: 'ok' },
      { operation: 'users.get', requestsInside: 1, outcome: 'failed' },
    ]);
  });
});
