import { describe, expect, it } from 'vitest';
import type {
  IdempotencyRecord,
  IdempotencyStore,
  RecordKey,
  StoredResponse,
} from '../../storage/idempotency';
import type { Caller } from './auth';
import { ApiError, type RouteResult } from './http';
import { type IdempotentRequest, readIdempotencyKey, runIdempotently } from './idempotency';

/** The store's contract in memory (the dynalite-backed one is exercised by idempotency.integ.test.ts). */
function memoryStore() {
  const records = new Map<string, (IdempotencyRecord & { leaseId?: string }) | undefined>();
  const bindings = new Map<string, string>();
  const calls: string[] = [];
  const id = (key: RecordKey) => `${key.externalUserId ?? '-'}|${key.keyId}`;
  const store = {
    records,
    bindings,
    calls,
    bind: async (keyId: string, binding: { requestHash: string }) => {
      calls.push('bind');
      if (!bindings.has(keyId)) bindings.set(keyId, binding.requestHash);
      return bindings.get(keyId);
    },
    claim: async (
      key: RecordKey,
      claim: { requestHash: string; leaseId: string; nowMs: number; leaseMs: number },
    ) => {
      calls.push('claim');
      const existing = records.get(id(key));
      if (!existing) {
        records.set(id(key), {
          state: 'in_progress',
          requestHash: claim.requestHash,
          leaseUntil: claim.nowMs + claim.leaseMs,
          leaseId: claim.leaseId,
        });
        return { claimed: true as const };
      }
      return { claimed: false as const, existing };
    },
    complete: async (key: RecordKey, leaseId: string, response: StoredResponse) => {
      calls.push('complete');
      const existing = records.get(id(key));
      if (existing?.leaseId !== leaseId) return false;
      records.set(id(key), { state: 'completed', requestHash: existing.requestHash, response });
      return true;
    },
    release: async (key: RecordKey, leaseId: string) => {
      calls.push('release');
      if (records.get(id(key))?.leaseId === leaseId) records.delete(id(key));
    },
  };
  return store;
}

const user = (sub: string): Caller => ({ sub, scopes: [], role: undefined });
const admin = (sub: string): Caller => ({ sub, scopes: ['bridge/admin'], role: 'admin' });

function request(overrides: Partial<IdempotentRequest> = {}): IdempotentRequest {
  return {
    key: 'k-1',
    operationId: 'createBuilding',
    caller: user('ada'),
    subject: 'ada',
    input: { params: { external_user_id: 'ada' }, query: {}, body: { name: 'Home', town: 'Wien' } },
    deadline: Date.now() + 10_000,
    now: () => 1_000_000,
    leaseMs: 30_000,
    ...overrides,
  };
}

const run = (status = 201, extra: Partial<RouteResult> = {}) => {
  let calls = 0;
  const fn = async (): Promise<RouteResult> => {
    calls++;
    return { status, body: { n: calls }, ...extra };
  };
  return { fn, calls: () => calls };
};

const asStore = (store: ReturnType<typeof memoryStore>) => store as unknown as IdempotencyStore;

describe('runIdempotently', () => {
  it('runs once, stores the answer with its headers, and replays it marked as a replay', async () => {
    const store = memoryStore();
    const work = run(201, { headers: { location: '/x' } });
    const first = await runIdempotently(asStore(store), request(), work.fn);
    expect(first).toEqual({ status: 201, body: { n: 1 }, headers: { location: '/x' } });
    const again = await runIdempotently(asStore(store), request(), work.fn);
    expect(again).toEqual({
      status: 201,
      body: { n: 1 },
      headers: { location: '/x', 'idempotent-replayed': 'true' },
    });
    expect(work.calls()).toBe(1);
  });

  it('replays an answer without a body as one without a body', async () => {
    const store = memoryStore();
    await runIdempotently(asStore(store), request(), async () => ({ status: 204 }));
    const replay = await runIdempotently(asStore(store), request(), async () => ({ status: 500 }));
    expect(replay).toEqual({ status: 204, headers: { 'idempotent-replayed': 'true' } });
    expect('body' in replay).toBe(false);
  });

  it('treats bodies with the same members in another order, or with undefined members, as the same request', async () => {
    const store = memoryStore();
    const work = run();
    await runIdempotently(asStore(store), request(), work.fn);
    const reordered = request({
      input: {
        params: { external_user_id: 'ada' },
        query: {},
        body: { town: 'Wien', name: 'Home', zip: undefined },
      },
    });
    expect((await runIdempotently(asStore(store), reordered, work.fn)).headers).toMatchObject({
      'idempotent-replayed': 'true',
    });
    // Arrays keep their order: another order is another request.
    const listA = request({ key: 'k-list', input: { params: {}, query: {}, body: { prices: [1, 2] } } });
    const listB = request({ key: 'k-list', input: { params: {}, query: {}, body: { prices: [2, 1] } } });
    await runIdempotently(asStore(store), listA, work.fn);
    await expect(runIdempotently(asStore(store), listB, work.fn)).rejects.toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    });
  });

  it('scopes the key to the caller kind, the caller and the operation', async () => {
    const store = memoryStore();
    const work = run();
    await runIdempotently(asStore(store), request(), work.fn);
    await runIdempotently(asStore(store), request({ caller: admin('ada') }), work.fn);
    await runIdempotently(asStore(store), request({ caller: user('bob') }), work.fn);
    await runIdempotently(asStore(store), request({ operationId: 'createEnergyContract' }), work.fn);
    expect(work.calls()).toBe(4);
    expect(store.records.size).toBe(4);
  });

  it('refuses the key naming another user (whose partition holds no record of it): 422, nothing run', async () => {
    const store = memoryStore();
    await runIdempotently(asStore(store), request({ caller: admin('ops') }), run().fn);
    const work = run();
    const forBob = request({
      caller: admin('ops'),
      subject: 'bob',
      input: { params: { external_user_id: 'bob' }, query: {}, body: { name: 'Home', town: 'Wien' } },
    });
    await expect(runIdempotently(asStore(store), forBob, work.fn)).rejects.toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
      details: [{ field: 'header.idempotency-key' }],
    });
    expect(work.calls()).toBe(0);
    expect(store.records.size).toBe(1);
  });

  it('keeps the key bound to a failed request: its retry runs again, another request is refused', async () => {
    const store = memoryStore();
    await runIdempotently(asStore(store), request(), async () => ({ status: 502 }));
    const other = request({ input: { params: { external_user_id: 'ada' }, query: {}, body: { name: 'x' } } });
    await expect(runIdempotently(asStore(store), other, run().fn)).rejects.toMatchObject({ status: 422 });
    expect((await runIdempotently(asStore(store), request(), run().fn)).status).toBe(201);
  });

  it('refuses another request when the binding expired before the record (the record was claimed later)', async () => {
    const store = memoryStore();
    await runIdempotently(asStore(store), request(), run().fn);
    store.bindings.clear();
    const other = request({ input: { params: { external_user_id: 'ada' }, query: {}, body: { name: 'x' } } });
    const work = run();
    await expect(runIdempotently(asStore(store), other, work.fn)).rejects.toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    });
    expect(work.calls()).toBe(0);
  });

  it('binds again when the binding expired or vanished between the write and the read', async () => {
    const store = memoryStore();
    let attempts = 0;
    const flaky = {
      ...store,
      bind: async (keyId: string, binding: { requestHash: string }) => {
        attempts++;
        return attempts === 1 ? undefined : store.bind(keyId, binding);
      },
    };
    const work = run();
    expect((await runIdempotently(flaky as unknown as IdempotencyStore, request(), work.fn)).status).toBe(
      201,
    );
    expect(attempts).toBe(2);
    expect(work.calls()).toBe(1);
  });

  it('stores the fields shown once as null: the first answer has the secret, a replay null', async () => {
    const store = memoryStore();
    const secretOnce = request({ operationId: 'createWebhook', subject: undefined, shownOnce: ['secret'] });
    const answer = { id: 'wh_1', secret: 'whsec_abc', url: 'https://x.test' };
    const first = await runIdempotently(asStore(store), secretOnce, async () => ({
      status: 201,
      body: answer,
    }));
    expect(first.body).toEqual(answer);
    expect(JSON.stringify([...store.records.values()])).not.toContain('whsec_abc');
    const replay = await runIdempotently(asStore(store), secretOnce, run().fn);
    expect(replay).toEqual({
      status: 201,
      body: { id: 'wh_1', secret: null, url: 'https://x.test' },
      headers: { 'idempotent-replayed': 'true' },
    });
    // Only the named fields, only in an object body: other bodies and fields are stored as they were.
    for (const [key, body] of [
      ['k-array', ['secret']],
      ['k-text', 'secret'],
      ['k-null', null],
      ['k-other', { secrets: 's', nested: { secret: 'kept' } }],
    ] as const) {
      await runIdempotently(asStore(store), { ...secretOnce, key }, async () => ({ status: 200, body }));
      expect((await runIdempotently(asStore(store), { ...secretOnce, key }, run().fn)).body).toEqual(body);
    }
    // Without shownOnce nothing is withheld.
    const plain = request({ key: 'k-plain' });
    await runIdempotently(asStore(store), plain, async () => ({ status: 201, body: answer }));
    expect((await runIdempotently(asStore(store), plain, run().fn)).body).toEqual(answer);
  });

  it('refuses the key with another request: 422 naming the header', async () => {
    const store = memoryStore();
    await runIdempotently(asStore(store), request(), run().fn);
    const other = request({
      input: { params: { external_user_id: 'ada' }, query: {}, body: { name: 'Other' } },
    });
    const error = await runIdempotently(asStore(store), other, run().fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
      details: [{ field: 'header.idempotency-key', message: expect.stringContaining('different request') }],
    });
  });

  it('gives the record up after a 5xx answer or a thrown error, and keeps it after a 4xx answer', async () => {
    const store = memoryStore();
    const failed = await runIdempotently(asStore(store), request({ key: 'k-5xx' }), async () => ({
      status: 502,
    }));
    expect(failed.status).toBe(502);
    expect(store.records.size).toBe(0);
    await runIdempotently(asStore(store), request({ key: 'k-500' }), async () => ({ status: 500 }));
    expect(store.records.size).toBe(0);
    await runIdempotently(asStore(store), request({ key: 'k-499' }), async () => ({ status: 499 }));
    expect(store.records.size).toBe(1);
    store.records.clear();
    await expect(
      runIdempotently(asStore(store), request({ key: 'k-throw' }), async () => {
        throw new ApiError(409, 'conflict', 'no');
      }),
    ).rejects.toMatchObject({ status: 409 });
    expect(store.records.size).toBe(0);
    expect(store.calls.filter((c) => c === 'release')).toHaveLength(3);
    await runIdempotently(asStore(store), request({ key: 'k-4xx' }), async () => ({ status: 400, body: {} }));
    expect([...store.records.values()][0]).toMatchObject({ state: 'completed', response: { status: 400 } });
    expect(store.calls.filter((c) => c === 'release')).toHaveLength(3);
  });

  it('waits for a running duplicate and answers with its result once it is stored', async () => {
    const store = memoryStore();
    let finish: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const first = runIdempotently(asStore(store), request(), async () => {
      await gate;
      return { status: 201, body: { first: true } };
    });
    let polls = 0;
    const second = runIdempotently(asStore(store), request(), run().fn, async () => {
      polls++;
      if (polls === 2) finish();
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(await first).toEqual({ status: 201, body: { first: true } });
    expect(await second).toEqual({
      status: 201,
      body: { first: true },
      headers: { 'idempotent-replayed': 'true' },
    });
    expect(polls).toBeGreaterThanOrEqual(2);
  });

  it('answers 409 with Retry-After when the duplicate is still running at its own deadline', async () => {
    const store = memoryStore();
    void runIdempotently(asStore(store), request(), () => new Promise<RouteResult>(() => {}));
    await new Promise((resolve) => setTimeout(resolve, 0));
    let slept = 0;
    const late = runIdempotently(
      asStore(store),
      request({ deadline: Date.now() + 550 }),
      run().fn,
      async () => {
        slept++;
      },
    );
    await expect(late).rejects.toMatchObject({
      status: 409,
      code: 'idempotency_request_in_progress',
      headers: { 'retry-after': '1' },
    });
    expect(slept).toBe(0);
    const patient = runIdempotently(
      asStore(store),
      request({ deadline: Date.now() + 700 }),
      run().fn,
      async () => {
        slept++;
        await new Promise((resolve) => setTimeout(resolve, 60));
      },
    );
    await expect(patient).rejects.toMatchObject({ status: 409 });
    expect(slept).toBeGreaterThan(0);
  });

  it('claims again when the record vanished between the claim and the read', async () => {
    const store = memoryStore();
    let attempts = 0;
    const flaky = {
      ...store,
      claim: async (key: RecordKey, claim: Parameters<typeof store.claim>[1]) => {
        attempts++;
        if (attempts === 1) return { claimed: false as const, existing: undefined };
        return store.claim(key, claim);
      },
    };
    const work = run();
    await runIdempotently(flaky as unknown as IdempotencyStore, request(), work.fn);
    expect(attempts).toBe(2);
    expect(work.calls()).toBe(1);
  });
});

describe('readIdempotencyKey', () => {
  it('returns the key, or nothing without the header, and refuses a malformed one naming the header', () => {
    expect(readIdempotencyKey({})).toBeUndefined();
    expect(readIdempotencyKey({ 'idempotency-key': 'a-B_1:2' })).toBe('a-B_1:2');
    expect(readIdempotencyKey({ 'idempotency-key': 'x'.repeat(255) })).toHaveLength(255);
    for (const [bad, message] of [
      ['', 'must not be empty'],
      ['x'.repeat(256), 'at most 255'],
      ['with space', 'printable ASCII'],
      ['tab\tin', 'printable ASCII'],
    ] as const) {
      const error = (() => {
        try {
          readIdempotencyKey({ 'idempotency-key': bad });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        status: 400,
        code: 'validation_error',
        details: [{ field: 'header.idempotency-key', message: expect.stringContaining(message) }],
      });
    }
  });
});
