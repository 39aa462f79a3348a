/**
 * `Idempotency-Key` on the API's POSTs and PATCHes (docs/adr/0010-idempotency.md): a request repeated with the same
 * key within 24 h gets the first request's answer (status, body, headers, plus `idempotent-replayed`)
 * without reaching Podero again; one arriving while the first still runs waits for it, within its own
 * time budget; the same key with another request is refused (422). Keys are scoped to the caller and the
 * operation, so one caller's key never replays another's answer; the user a request names is part of the
 * request, not of the scope: the same key naming another user is another request (422).
 *
 * Only answers below 500 are kept. A request that failed (a thrown refusal, a Podero failure, a timeout)
 * gives its record up, so a retry runs again: re-running is what a caller retrying a failure expects. The
 * key stays bound to that request for its 24 h all the same.
 *
 * A secret in an answer (a webhook's signing secret) is shown to the first request only: it is never
 * stored, and a replay answers it as null.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { IdempotencyStore, RecordKey } from '../../storage/idempotency';
import type { Caller } from './auth';
import { ApiError, type RouteResult } from './http';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;
/** How often a repeated request looks whether the first one has finished. */
const WAIT_POLL_MS = 100;
/** A repeat stops waiting this long before its own deadline, to answer 409 in time. */
const WAIT_MARGIN_MS = 500;

/**
 * The methods that take the header: POSTs (they create), and PATCHes, whose control writes record a
 * tracked change each (a replay answers the change the first request recorded, not a second one).
 */
export const takesIdempotencyKey = (method: string): boolean => method === 'POST' || method === 'PATCH';

/** Printable ASCII without spaces, as the IETF draft's examples and the common SDKs (UUIDs) send. */
export const idempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** The header's value, validated; undefined when the request has none. */
export function readIdempotencyKey(headers: Readonly<Record<string, string>>): string | undefined {
  const raw = headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ApiError(400, 'validation_error', 'invalid Idempotency-Key header', [
    { field: `header.${IDEMPOTENCY_KEY_HEADER}`, message: parsed.error.issues[0]?.message ?? 'invalid' },
  ]);
}

export interface IdempotentRequest {
  readonly key: string;
  readonly operationId: string;
  readonly caller: Caller | undefined;
  /** The end user the request is about (its record lives in that user's partition). */
  readonly subject: string | undefined;
  /** The validated input (the user it names included): what makes two requests the same request. */
  readonly input: { readonly params: unknown; readonly query: unknown; readonly body: unknown };
  /** Wall-clock deadline of this request (ms). */
  readonly deadline: number;
  /** The business clock (ms): leases and expiry. */
  readonly now: () => number;
  /** How long a claim protects a request that is still running (its budget, and a margin). */
  readonly leaseMs: number;
  /** Top-level fields of the answer's body shown once (secrets): stored, and so replayed, as null. */
  readonly shownOnce?: readonly string[];
}

export async function runIdempotently(
  store: IdempotencyStore,
  request: IdempotentRequest,
  run: () => Promise<RouteResult>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<RouteResult> {
  const keyId = sha256([
    // An operator's keys are their role's (an admin's as before roles existed), an end user's are 'user'.
    request.caller?.role ?? 'user',
    request.caller?.sub ?? '',
    request.operationId,
    request.key,
  ]);
  const recordKey: RecordKey = { externalUserId: request.subject, keyId };
  const requestHash = sha256(canonical(request.input));
  const leaseId = randomUUID();

  // The record lives in the partition of the user the request names (erased with that user), so a key
  // sent again naming another user would find no record there: the binding, keyed by the scope alone,
  // is what refuses it.
  for (;;) {
    const boundTo = await store.bind(keyId, {
      requestHash,
      nowMs: request.now(),
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    });
    if (boundTo === requestHash) break;
    if (boundTo !== undefined) throw keyReused();
  }

  for (;;) {
    const claim = await store.claim(recordKey, {
      requestHash,
      leaseId,
      nowMs: request.now(),
      leaseMs: request.leaseMs,
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    });
    if (claim.claimed) break;
    const existing = claim.existing;
    if (existing === undefined) continue; // released or expired between the two reads: claim again
    if (existing.requestHash !== requestHash) throw keyReused();
    if (existing.state === 'completed') {
      const { response } = existing;
      return {
        status: response.status,
        ...(response.body === undefined ? {} : { body: response.body }),
        headers: { ...response.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
      };
    }
    if (Date.now() + WAIT_POLL_MS > request.deadline - WAIT_MARGIN_MS) {
      throw new ApiError(
        409,
        'idempotency_request_in_progress',
        'a request with this Idempotency-Key is still running; retry',
        undefined,
        { 'retry-after': '1' },
      );
    }
    await sleep(WAIT_POLL_MS);
  }

  let result: RouteResult;
  try {
    result = await run();
  } catch (error) {
    await store.release(recordKey, leaseId);
    throw error;
  }
  if (result.status >= 500) await store.release(recordKey, leaseId);
  else {
    await store.complete(recordKey, leaseId, {
      status: result.status,
      ...(result.body === undefined ? {} : { body: withoutShownOnce(result.body, request.shownOnce ?? []) }),
      ...(result.headers ? { headers: result.headers } : {}),
    });
  }
  return result;
}

const keyReused = () =>
  new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for another request', [
    {
      field: `header.${IDEMPOTENCY_KEY_HEADER}`,
      message: 'already used with a different request within 24 h',
    },
  ]);

const jsonObject = z.record(z.string(), z.unknown());

/** The body as stored for replays: the fields shown once set to null (a body that is no object as it is). */
function withoutShownOnce(body: unknown, shownOnce: readonly string[]): unknown {
  const object = jsonObject.safeParse(body);
  if (!object.success) return body;
  return Object.fromEntries(
    Object.entries(object.data).map(([field, value]) => [field, shownOnce.includes(field) ? null : value]),
  );
}

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** JSON with object keys sorted at every level: equal inputs hash equally whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
