/**
 * The assumptions the bridge makes about Podero that the documentation does not state ([INFERRED] in
 * docs/podero-api.md, Appendix D), one check each, with a stable id. A check returns what it observed and
 * whether that matches what the bridge assumes. Checks run in this order and share the probe's own user.
 */
import { randomUUID } from 'node:crypto';
import { describeAnswer, field, type ProbeHttp, type RawAnswer } from './http';

export type Verdict = 'holds' | 'diverges' | 'skipped';

export interface ProbeUser {
  id: string;
  externalId: string;
  email: string;
}

export interface ProbeContext {
  readonly http: ProbeHttp;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Unique per run: every resource the probe creates carries it. */
  readonly prefix: string;
  readonly waitSeconds: number;
  readonly pollMs: number;
  say(line: string): void;
  sleep(ms: number): Promise<void>;
  /** Users the probe created (cleanup deletes what is still live). */
  readonly created: Map<
    string,
    {
      externalId: string;
      heatPumpIds: string[];
      /** Devices of other kinds, by path: soft-deleted (`PUT {deleted_at}`) by the cleanup. */
      devicePaths?: string[];
      deleted: boolean;
    }
  >;
  user?: ProbeUser;
  /** The probe's own user for the device checks (device-checks.ts), and its vehicle. */
  deviceUser?: ProbeUser;
  vehiclePath?: string;
  /** The token endpoint's answer, for the checks of its fields. */
  tokenAnswer?: RawAnswer;
  /** What `trading.variant` found (trading-checks.ts). */
  tradingVariant?: 'reference' | 'guide' | 'both' | 'neither';
}

export interface Check {
  readonly id: string;
  /** What the bridge assumes, in one line. */
  readonly expected: string;
  /** Checks that must have held first (else this one is skipped: it could not be told apart). */
  readonly requires?: readonly string[];
  /** False for the checks that work without an access token (default: true, skipped without one). */
  readonly needsToken?: boolean;
  run(ctx: ProbeContext): Promise<{ verdict: Verdict; observed: string }>;
}

const holds = (observed: string) => ({ verdict: 'holds' as const, observed });
const diverges = (observed: string) => ({ verdict: 'diverges' as const, observed });
const skipped = (observed: string) => ({ verdict: 'skipped' as const, observed });
const ok = (status: number) => status >= 200 && status < 300;

function remember(ctx: ProbeContext, user: ProbeUser): void {
  ctx.created.set(user.id, { externalId: user.externalId, heatPumpIds: [], deleted: false });
}

export const CHECKS: readonly Check[] = [
  {
    id: 'token.path.trailing-slash',
    expected: 'POST /oauth2/token/ (with its slash, Basic auth, client_credentials) issues a token',
    needsToken: false,
    async run(ctx) {
      const basic = `Basic ${Buffer.from(`${ctx.clientId}:${ctx.clientSecret}`).toString('base64')}`;
      const body = { grant_type: 'client_credentials' };
      const withSlash = await ctx.http.request('POST', '/oauth2/token/', { body, authorization: basic });
      const without = await ctx.http.request('POST', '/oauth2/token', { body, authorization: basic });
      ctx.tokenAnswer = withSlash;
      const token = field(withSlash.json, 'access_token');
      if (typeof token === 'string' && token !== '') ctx.http.bearer = token;
      else {
        const fallback = field(without.json, 'access_token');
        if (typeof fallback === 'string' && fallback !== '') ctx.http.bearer = fallback;
      }
      const observed = `with slash ${withSlash.status}, without ${without.status}`;
      return ok(withSlash.status) && typeof token === 'string' ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'token.expires-in',
    expected: 'the token answer has expires_in, a whole number of seconds (documented: 36000)',
    needsToken: false,
    requires: ['token.path.trailing-slash'],
    async run(ctx) {
      const value = field(ctx.tokenAnswer?.json, 'expires_in');
      const observed = `expires_in ${JSON.stringify(value)}`;
      return typeof value === 'number' && Number.isInteger(value) && value > 0
        ? holds(observed)
        : diverges(observed);
    },
  },
  {
    id: 'auth.invalid-token.401',
    expected: 'a request with an unknown token is answered 401 (the bridge then refreshes its token once)',
    needsToken: false,
    async run(ctx) {
      const answer = await ctx.http.request('GET', ctx.http.org('/users'), {
        authorization: 'Bearer not-a-real-token',
      });
      return answer.status === 401 ? holds(describeAnswer(answer)) : diverges(describeAnswer(answer));
    },
  },
  {
    id: 'errors.not-found.404',
    expected: 'an unknown id is 404 with a JSON body {"detail": string}',
    async run(ctx) {
      const answer = await ctx.http.request('GET', ctx.http.org(`/users/${randomUUID()}`));
      const detail = field(answer.json, 'detail');
      return answer.status === 404 && typeof detail === 'string'
        ? holds(describeAnswer(answer))
        : diverges(describeAnswer(answer));
    },
  },
  {
    id: 'errors.validation.422',
    expected: 'a schema violation is 422 with {"detail": [{"loc": [...], "msg", "type"}]} naming the field',
    async run(ctx) {
      const answer = await ctx.http.request('POST', ctx.http.org('/users'), {
        body: { role: 'user', email: 'not-an-email', external_user_id: `${ctx.prefix}-invalid` },
      });
      const id = field(answer.json, 'id');
      if (ok(answer.status) && typeof id === 'string') {
        remember(ctx, { id, externalId: `${ctx.prefix}-invalid`, email: 'not-an-email' });
      }
      const detail = field(answer.json, 'detail');
      const entry = Array.isArray(detail) ? detail[0] : undefined;
      const loc = field(entry, 'loc');
      const named = Array.isArray(loc) && loc.includes('email');
      return answer.status === 422 && named
        ? holds(`${describeAnswer(answer)}, loc ${JSON.stringify(loc)}`)
        : diverges(describeAnswer(answer));
    },
  },
  {
    id: 'users.create.country-field',
    expected:
      'a user created with "country" answers it in "country" (the reference spelling, not the guide\'s country_iso2)',
    async run(ctx) {
      const externalId = `${ctx.prefix}-user`;
      const email = `${ctx.prefix}@example.com`;
      const answer = await ctx.http.request('POST', ctx.http.org('/users'), {
        body: { role: 'user', email, external_user_id: externalId, country: 'AT' },
      });
      const id = field(answer.json, 'id');
      if (!ok(answer.status) || typeof id !== 'string') return diverges(`create ${describeAnswer(answer)}`);
      ctx.user = { id, externalId, email };
      remember(ctx, ctx.user);
      ctx.say(`created user ${id} (external_user_id ${externalId})`);
      const viaIso2 = await ctx.http.request('PUT', ctx.http.org(`/users/${id}`), {
        body: { country_iso2: 'DE' },
      });
      const observed = `country after "country": ${JSON.stringify(field(answer.json, 'country'))}; after "country_iso2": ${
        ok(viaIso2.status) ? JSON.stringify(field(viaIso2.json, 'country')) : `refused ${viaIso2.status}`
      }`;
      return field(answer.json, 'country') === 'AT' ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'users.create.duplicate-email.409',
    expected: 'a second user with an e-mail already used in the organisation is refused with 409',
    requires: ['users.create.country-field'],
    async run(ctx) {
      const user = ctx.user as ProbeUser;
      const answer = await ctx.http.request('POST', ctx.http.org('/users'), {
        body: { role: 'user', email: user.email, external_user_id: `${ctx.prefix}-duplicate` },
      });
      const id = field(answer.json, 'id');
      if (ok(answer.status) && typeof id === 'string')
        remember(ctx, { id, externalId: `${ctx.prefix}-duplicate`, email: user.email });
      return answer.status === 409 ? holds(describeAnswer(answer)) : diverges(describeAnswer(answer));
    },
  },
  {
    id: 'api.path.trailing-slash',
    expected: 'API paths have no trailing slash: the slashed form is not answered like the plain one',
    requires: ['users.create.country-field'],
    async run(ctx) {
      const user = ctx.user as ProbeUser;
      const plain = await ctx.http.request('GET', ctx.http.org(`/users/${user.id}`));
      const slashed = await ctx.http.request('GET', ctx.http.org(`/users/${user.id}/`));
      const observed = `plain ${plain.status}, slashed ${slashed.status}`;
      return ok(plain.status) && !ok(slashed.status) ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'heat-pumps.soft-delete.put',
    expected:
      'PUT {"deleted_at"} removes a heat pump: 404 on reads, back with include_deleted=true, gone from the list',
    requires: ['users.create.country-field'],
    async run(ctx) {
      const user = ctx.user as ProbeUser;
      const base = ctx.http.org(`/users/${user.id}/heat-pumps`);
      const created = await ctx.http.request('POST', base, { body: {} });
      const id = field(created.json, 'id');
      if (!ok(created.status) || typeof id !== 'string')
        return diverges(`create an empty heat pump: ${describeAnswer(created)}`);
      ctx.created.get(user.id)?.heatPumpIds.push(id);
      const put = await ctx.http.request('PUT', `${base}/${id}`, {
        body: { deleted_at: new Date().toISOString() },
      });
      const read = await ctx.http.request('GET', `${base}/${id}`);
      const withDeleted = await ctx.http.request('GET', `${base}/${id}?include_deleted=true`);
      const list = await ctx.http.request('GET', base);
      const listed = Array.isArray(list.json) && list.json.some((hp) => field(hp, 'id') === id);
      const deletedAt = field(withDeleted.json, 'deleted_at');
      const observed = `PUT ${put.status}; read ${read.status}; include_deleted ${withDeleted.status} (deleted_at ${deletedAt ? 'set' : 'null'}); listed ${listed}`;
      return ok(put.status) && read.status === 404 && ok(withDeleted.status) && deletedAt && !listed
        ? holds(observed)
        : diverges(observed);
    },
  },
  {
    id: 'onboarding.object-id.filled',
    expected: "an onboarding session's object_id names the device once the Connect UI was completed",
    requires: ['users.create.country-field'],
    async run(ctx) {
      if (ctx.waitSeconds <= 0)
        return skipped('needs a person to complete the Connect UI: rerun with --wait-seconds 600');
      const user = ctx.user as ProbeUser;
      const created = await ctx.http.request('POST', 'api:/device-onboarding', {
        body: {
          user_id: user.id,
          language: 'en',
          price_zone_default: 'AT',
          success_url: 'https://example.com/podero-conformance/success',
          cancel_url: 'https://example.com/podero-conformance/cancel',
        },
      });
      const sessionId = field(created.json, 'id');
      const url = field(created.json, 'authentication_url');
      if (!ok(created.status) || typeof sessionId !== 'string')
        return diverges(`create a session: ${describeAnswer(created)}`);
      ctx.say(`complete the Connect UI within ${ctx.waitSeconds} s: ${String(url)}`);
      const until = Date.now() + ctx.waitSeconds * 1000;
      while (Date.now() < until) {
        const session = await ctx.http.request('GET', `api:/device-onboarding/${sessionId}`);
        const objectId = field(session.json, 'object_id');
        if (typeof objectId === 'string' && objectId !== '') {
          ctx.created.get(user.id)?.heatPumpIds.push(objectId);
          return holds(`object_id set (${objectId})`);
        }
        const list = await ctx.http.request('GET', ctx.http.org(`/users/${user.id}/heat-pumps`));
        const connected = Array.isArray(list.json)
          ? list.json
              .filter((hp) => field(hp, 'is_authenticated') === true)
              .map((hp) => String(field(hp, 'id')))
          : [];
        if (connected.length > 0) {
          ctx.created.get(user.id)?.heatPumpIds.push(...connected);
          // The session may have been completed between the two reads: read it once more.
          const again = await ctx.http.request('GET', `api:/device-onboarding/${sessionId}`);
          const filled = field(again.json, 'object_id');
          if (typeof filled === 'string' && filled !== '') return holds(`object_id set (${filled})`);
          return diverges(
            `a device connected (${connected.join(', ')}) but object_id is ${JSON.stringify(filled)}`,
          );
        }
        await ctx.sleep(ctx.pollMs);
      }
      return skipped(`nobody completed the Connect UI within ${ctx.waitSeconds} s`);
    },
  },
  {
    id: 'users.delete.exists',
    expected: 'DELETE /org/{org_id}/users/{user_id} removes a user (2xx), after which it reads 404',
    requires: ['users.create.country-field'],
    async run(ctx) {
      const user = ctx.user as ProbeUser;
      for (const heatPumpId of ctx.created.get(user.id)?.heatPumpIds ?? []) {
        await ctx.http.request('PUT', ctx.http.org(`/users/${user.id}/heat-pumps/${heatPumpId}`), {
          body: { deleted_at: new Date().toISOString() },
        });
      }
      const removed = await ctx.http.request('DELETE', ctx.http.org(`/users/${user.id}`));
      const read = await ctx.http.request('GET', ctx.http.org(`/users/${user.id}`));
      const entry = ctx.created.get(user.id);
      if (entry && ok(removed.status)) entry.deleted = true;
      const observed = `DELETE ${removed.status}, then GET ${read.status}`;
      return ok(removed.status) && read.status === 404 ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'users.by-external-id.include-deleted',
    expected: 'a deleted user is 404 by external id, and found with include_deleted=true',
    requires: ['users.delete.exists'],
    async run(ctx) {
      const user = ctx.user as ProbeUser;
      const path = ctx.http.org(`/users/by-ext-id/${encodeURIComponent(user.externalId)}`);
      const plain = await ctx.http.request('GET', path);
      const included = await ctx.http.request('GET', `${path}?include_deleted=true`);
      const observed = `plain ${plain.status}, include_deleted ${included.status}`;
      return plain.status === 404 && ok(included.status) && field(included.json, 'id') === user.id
        ? holds(observed)
        : diverges(observed);
    },
  },
  {
    id: 'users.list.include-deleted',
    expected: 'the users list leaves a deleted user out, and lists it with include_deleted=true',
    requires: ['users.delete.exists'],
    async run(ctx) {
      const user = ctx.user as ProbeUser;
      const has = (json: unknown) => Array.isArray(json) && json.some((u) => field(u, 'id') === user.id);
      const plain = await ctx.http.request('GET', ctx.http.org('/users'));
      const included = await ctx.http.request('GET', ctx.http.org('/users?include_deleted=true'));
      const observed = `listed without: ${has(plain.json)}, with include_deleted: ${has(included.json)}`;
      return ok(plain.status) && !has(plain.json) && has(included.json)
        ? holds(observed)
        : diverges(observed);
    },
  },
  {
    id: 'rate-limit.headers',
    expected: 'answers carry no rate-limit headers: the bridge paces itself by 429 and Retry-After alone',
    needsToken: false,
    async run(ctx) {
      const seen = [...ctx.http.rateLimitHeadersSeen];
      return seen.length === 0
        ? holds('none on any answer of this run')
        : diverges(`seen: ${seen.join(', ')}`);
    },
  },
];
