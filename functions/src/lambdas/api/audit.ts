/**
 * Every write through the API (every protected route that is not a GET) is recorded in the audit trail
 * (storage/audit.ts): before it is made, so no change happens without its record (a record that cannot be
 * written fails the request, 500, before anything changed), and completed with its outcome after. Why not in
 * the same write as the change, as the change events are (storage/outbox.ts): most of these changes are made
 * at Podero (optimisation, a re-authentication link, a boost), where no write of ours can hold them, and
 * dynalite, the local DynamoDB, has no transactions (ADR 0006). docs/adr/0016-audit-trail.md.
 */
import { changesOf } from '../../domain/audit';
import type { AuditStore } from '../../storage/audit';
import type { Caller } from './auth';
import { toApiError } from './errors';
import type { RouteResult } from './http';

export interface AuditedRequest {
  readonly requestId: string;
  readonly nowMs: number;
  readonly caller: Caller | undefined;
  readonly action: string;
  readonly method: string;
  readonly path: string;
  /** The customer the request is about (the path's, or `POST /users`' body's). */
  readonly subject: string | undefined;
  readonly body: unknown;
}

/** Whether a route's requests are recorded: writes of an authenticated caller. */
export const isAudited = (declaration: { method: string; access: string }): boolean =>
  declaration.method !== 'GET' && declaration.access !== 'public';

const outcomeOf = (status: number) => (status < 400 ? 'succeeded' : status < 500 ? 'failed' : 'attempted');

/** The outcome, best effort: the change is made, its record says `attempted` if this fails. */
async function finish(
  store: Pick<AuditStore, 'finish'>,
  entry: { at: string; request_id: string },
  status: number,
): Promise<void> {
  await store.finish(entry, outcomeOf(status), status).catch(() => undefined);
}

export async function audited(
  store: Pick<AuditStore, 'begin' | 'finish'>,
  request: AuditedRequest,
  run: () => Promise<RouteResult>,
): Promise<RouteResult> {
  const entry = { at: new Date(request.nowMs).toISOString(), request_id: request.requestId };
  await store.begin({
    ...entry,
    actor: request.caller?.sub ?? null,
    role: request.caller?.role ?? 'user',
    action: request.action,
    target: { external_user_id: request.subject ?? null, method: request.method, path: request.path },
    changes: changesOf(request.body),
  });
  let result: RouteResult;
  try {
    result = await run();
  } catch (error) {
    const status = toApiError(error)?.status ?? 500;
    await finish(store, entry, status);
    throw error;
  }
  await finish(store, entry, result.status);
  return result;
}
