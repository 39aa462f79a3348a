import { randomUUID } from 'node:crypto';
import { errorBodySchema } from '@podero-bridge/functions';
import {
  ADMIN_SCOPE,
  accessRule,
  gatewayScopesFor,
  type RouteDeclaration,
  routeDeclarations,
} from '@podero-bridge/functions/declarations';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  generateSigningKey,
  type LocalStack,
  type SigningKey,
} from '@podero-bridge/local';
import { marketDay } from '@podero-bridge/podero-client';
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { fillPath } from '../support/fill-path';
import { apiCall, connectHeatPump, onboardUser } from '../support/flows';
import { startTestStack, type TestStack } from '../support/local-stack';
import { rawRequest } from '../support/raw-http';
import { dumpTables } from '../support/tables';

/**
 * Who gets in, through the whole local stack: the gateway's JWT authorizer (401 for every kind of bad
 * token on every protected route), the API's access rules from declarations.ts (403 for another user's
 * routes, admin scope for admin routes), and the list of open routes derived from the declarations.
 */
const ALICE = 'alice-1';
const BOB = 'bob-1';

let stack: LocalStack;
let testStack: TestStack;
let db: TestStack['db'];
let adminToken: string;
let bob: { sessionId: string; deviceId: string };
/** Two registered webhooks: one the admin routes read and change, one that DELETE removes. */
let webhook: string;
let webhookToDelete: string;

beforeAll(async () => {
  testStack = await startTestStack();
  ({ stack, db } = testStack);
  adminToken = await stack.mintToken({ admin: true });
  await onboardUser(stack.apiUrl, adminToken, ALICE);
  await onboardUser(stack.apiUrl, adminToken, BOB);
  bob = await connectHeatPump(stack.apiUrl, adminToken, BOB);
  const register = async () =>
    (
      (
        await apiCall(stack.apiUrl, adminToken, 'POST', '/webhooks', {
          url: 'http://127.0.0.1:9/hooks',
          // Subscribed to an event this suite never causes: no delivery (and no retry record written in
          // the background) lands inside a "nothing written" comparison.
          events: ['sync.completed'],
        })
      ).json as { id: string }
    ).id;
  webhook = await register();
  webhookToDelete = await register();
  // The setup's change events are published (and leave the outbox) before any "nothing written" check.
  await stack.drainOutbox();
});
afterAll(async () => {
  await testStack?.close();
});

/** A concrete request for a declared route about `user`, with a valid body where the route takes one. */
/** A contract id no user has: the admin routes' refusals come before it is looked up. */
const NO_SUCH_CONTRACT = '00000000-0000-4000-8000-00000000c0de';
/** A change id no device has (the shape the change routes accept). */
const NO_SUCH_CHANGE = 'chg_00000000000000000000';
/** A delivery day whose upload deadline is far ahead of the stack's (real) clock. */
const TRADING_DAY = '2030-06-15';

function requestFor(route: RouteDeclaration, user: string): { path: string; body?: unknown } {
  const range = '?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z';
  const queries: Partial<Record<string, string>> = {
    getHeatPumpSavings: range,
    getElectricVehicleSavings: range,
    getInverterSavings: range,
    getOrganisationSavings: range,
    listElectricVehicleSessions: '?from=2026-01-01&to=2026-02-01',
  };
  const path = `${fillPath(route.path, {
    external_user_id: user,
    heat_pump_id: bob.deviceId,
    // The other kinds' routes: the access rule answers before any device is looked up.
    electric_vehicle_id: bob.deviceId,
    wallbox_id: bob.deviceId,
    inverter_id: bob.deviceId,
    session_id: bob.sessionId,
    contract_id: NO_SUCH_CONTRACT,
    price_zone: 'AT',
    delivery_day: TRADING_DAY,
    webhook_id: route.operationId === 'deleteWebhook' ? webhookToDelete : webhook,
    // The webhook operations' refusals come before the attempt or the event is looked up.
    delivery_id: 'bm8tc3VjaC1hdHRlbXB0',
    event_id: 'evt_000000000000000000000000',
    // A well-formed month and change id: the access rule answers before either is looked up.
    month: new Date().toISOString().slice(0, 7),
    change_id: NO_SUCH_CHANGE,
  })}${queries[route.operationId] ?? ''}`;
  const bodies: Partial<Record<string, unknown>> = {
    createUser: { external_user_id: user, email: `${user}@example.com` },
    updateUser: { first_name: 'Mallory' },
    createBuilding: { name: 'Not yours' },
    createOnboardingSession: {
      language: 'en',
      price_zone_default: 'AT',
      success_url: 'https://partner.example/done',
      cancel_url: 'https://partner.example/cancel',
    },
    updateHeatPump: { optimization_level: 'Max' },
    updateElectricVehicleChargePolicy: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
        d,
        { charge_percentage: 80, charge_deadline: '07:00' },
      ]),
    ),
    updateChargingConfig: { mode: 'spot' },
    updateElectricVehicle: { minimum_charge_limit: 70 },
    updateWallbox: { is_smart_optimization_active: true },
    updateInverter: { min_battery_charge: 20 },
    ...Object.fromEntries(
      ['HeatPump', 'ElectricVehicle', 'Wallbox', 'Inverter'].map((kind) => [
        `start${kind}Reauthentication`,
        { success_url: 'https://partner.example/ok', cancel_url: 'https://partner.example/cancel' },
      ]),
    ),
    createEnergyContract: {
      energy_contract_type: 'yearly',
      energy_prices: [{ price: 0.2, timestamp: '2026-01-01T00:00:00Z' }],
    },
    updateEnergyContract: { supplier: 'Not yours' },
    putTradingPrices: {
      prices: marketDay(TRADING_DAY).quarterHours.map((start) => ({ start, price_eur_mwh: 50 })),
    },
    confirmTradingDay: { accepted: true },
    createWebhook: { url: 'http://127.0.0.1:9/hooks' },
    updateWebhook: { description: 'changed' },
  };
  const body = bodies[route.operationId];
  return body === undefined ? { path } : { path, body };
}

const publicRoutes = routeDeclarations.filter((r) => r.access === 'public');
const protectedRoutes = routeDeclarations.filter((r) => r.access !== 'public');
/** Routes only an operator may call (a role, no end-user path): the gateway checks the role's scopes too. */
const operatorRoutes = routeDeclarations.filter((r) => accessRule(r.access)?.owner === false);
const writeRoutes = protectedRoutes.filter((r) => r.method !== 'GET');
const gatewayUnauthorized = z.strictObject({ message: z.literal('Unauthorized') });
const gatewayForbidden = z.strictObject({ message: z.literal('Forbidden') });

/** Routes with gateway scopes are refused by the gateway (`{"message":"Forbidden"}`), the rest by the handler. */
function expectForbiddenBy(route: RouteDeclaration, json: unknown): void {
  if (gatewayScopesFor(route.access) !== undefined) gatewayForbidden.parse(json);
  else expect(errorBodySchema.parse(json).error.code).toBe('forbidden');
}

describe('open routes', () => {
  it('are exactly health, the OpenAPI document and the re-authentication callback, and answer without a token', async () => {
    expect(publicRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /health',
      'GET /openapi.json',
      'GET /reauthentication/callback',
    ]);
    for (const route of publicRoutes.filter((r) => r.operationId !== 'completeReauthentication')) {
      const res = await rawRequest(stack.apiUrl, { method: route.method, path: route.path });
      expect(res.status, route.path).toBe(200);
    }
    // The callback is authorised by its single-use token alone: an unknown one is 404, not 401.
    const callback = await rawRequest(stack.apiUrl, {
      method: 'GET',
      path: `/reauthentication/callback?token=${'A'.repeat(43)}&outcome=success&proof=${'B'.repeat(43)}`,
    });
    expect(callback.status).toBe(404);
  });

  it.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s refuses a request without a token (401)',
    async (_key, route) => {
      const { path, body } = requestFor(route, BOB);
      const res = await rawRequest(stack.apiUrl, {
        method: route.method,
        path,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      expect(res.status).toBe(401);
      gatewayUnauthorized.parse(res.json);
    },
  );
});

describe('tokens the authorizer refuses', () => {
  const now = () => Math.floor(Date.now() / 1000);
  let otherKey: SigningKey;

  /** A token like the minter's, signed with `key`; `claims` and `times` override the defaults. */
  async function sign(
    key: SigningKey,
    claims: Record<string, unknown> = {},
    times: { iat?: number; nbf?: number; exp?: number } = {},
    header: { kid?: string; iss?: string; aud?: string } = {},
  ): Promise<string> {
    const iat = times.iat ?? now();
    return new SignJWT({ scope: `${ADMIN_SCOPE} bridge/user`, ...claims })
      .setProtectedHeader({ alg: key.alg, kid: header.kid ?? key.kid, typ: 'JWT' })
      .setIssuer(header.iss ?? DEV_ISSUER)
      .setAudience(header.aud ?? DEV_AUDIENCE)
      .setSubject('local-admin')
      .setIssuedAt(iat)
      .setNotBefore(times.nbf ?? iat)
      .setExpirationTime(times.exp ?? iat + 3600)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  const badTokens: [string, () => Promise<string>][] = [
    ['an empty bearer', async () => 'Bearer '],
    ['a Basic header', async () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['a malformed token', async () => 'Bearer not-a-jwt'],
    ['a token of three garbage parts', async () => 'Bearer aaa.bbb.ccc'],
    [
      'an expired token',
      async () => `Bearer ${await sign(stack.signingKey, {}, { iat: now() - 7200, exp: now() - 3600 })}`,
    ],
    [
      'a token not yet valid',
      async () => `Bearer ${await sign(stack.signingKey, {}, { nbf: now() + 3600, exp: now() + 7200 })}`,
    ],
    [
      'a token without exp',
      async () => {
        const token = await new SignJWT({ scope: ADMIN_SCOPE })
          .setProtectedHeader({ alg: stack.signingKey.alg, kid: stack.signingKey.kid })
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setSubject('local-admin')
          .sign(stack.signingKey.privateKey);
        return `Bearer ${token}`;
      },
    ],
    [
      'a token from another issuer',
      async () => `Bearer ${await sign(stack.signingKey, {}, {}, { iss: 'https://evil.example/' })}`,
    ],
    [
      'a token for another audience',
      async () => `Bearer ${await sign(stack.signingKey, {}, {}, { aud: 'some-other-api' })}`,
    ],
    [
      'an unsigned token (alg: none)',
      async () => {
        const token = new UnsecuredJWT({ scope: ADMIN_SCOPE, sub: 'local-admin' })
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .encode();
        return `Bearer ${token}`;
      },
    ],
    [
      'a token signed with another key (same kid)',
      async () => `Bearer ${await sign(otherKey, {}, {}, { kid: stack.signingKey.kid })}`,
    ],
    ['a token signed with another key (its own kid)', async () => `Bearer ${await sign(otherKey)}`],
    [
      'an HS256 token keyed with the public JWK (algorithm confusion)',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(stack.signingKey.jwks.keys[0]));
        const token = await new SignJWT({ scope: ADMIN_SCOPE })
          .setProtectedHeader({ alg: 'HS256', kid: stack.signingKey.kid })
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setSubject('local-admin')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(secret);
        return `Bearer ${token}`;
      },
    ],
    [
      'a valid user token whose payload was edited to claim admin',
      async () => {
        const [header, payload, signature] = (await stack.mintToken({ sub: ALICE })).split('.');
        const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
          string,
          unknown
        >;
        const forged = base64url.encode(JSON.stringify({ ...claims, scope: ADMIN_SCOPE }));
        return `Bearer ${header}.${forged}.${signature}`;
      },
    ],
  ];

  beforeAll(async () => {
    otherKey = await generateSigningKey();
  });

  it('control: the same construction with the right key, issuer, audience and times is accepted', async () => {
    const res = await apiCall(stack.apiUrl, await sign(stack.signingKey), 'GET', `/users/${BOB}`);
    expect(res.status).toBe(200);
  });

  it.each(badTokens)('%s -> 401 on every protected route, nothing written', async (_label, makeHeader) => {
    const authorization = await makeHeader();
    const before = await dumpTables(db, stack.tableNames);
    const statuses: Record<string, number> = {};
    for (const route of protectedRoutes) {
      const { path, body } = requestFor(route, BOB);
      const res = await rawRequest(stack.apiUrl, {
        method: route.method,
        path,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      statuses[route.operationId] = res.status;
      if (res.status === 401) gatewayUnauthorized.parse(res.json);
    }
    expect(Object.entries(statuses).filter(([, status]) => status !== 401)).toEqual([]);
    expect(await dumpTables(db, stack.tableNames)).toEqual(before);
  });

  it('a correctly signed token without a subject or admin scope -> 401 from the API', async () => {
    const token = await new SignJWT({ scope: 'bridge/user' })
      .setProtectedHeader({ alg: stack.signingKey.alg, kid: stack.signingKey.kid })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(stack.signingKey.privateKey);
    const res = await apiCall(stack.apiUrl, token, 'GET', `/users/${BOB}`);
    expect(res.status).toBe(401);
    expect(errorBodySchema.parse(res.json).error.code).toBe('unauthorized');
  });
});

describe("an end user's token", () => {
  it('is accepted on its own routes (control: the token itself is good)', async () => {
    const token = await stack.mintToken({ sub: ALICE });
    expect((await apiCall(stack.apiUrl, token, 'GET', `/users/${ALICE}`)).status).toBe(200);
    expect((await apiCall(stack.apiUrl, token, 'GET', `/users/${ALICE}/heat-pumps`)).status).toBe(200);
  });

  it.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s about another user -> 403, nothing written, nothing sent to Podero',
    async (_key, route) => {
      const token = await stack.mintToken({ sub: ALICE });
      const before = await dumpTables(db, stack.tableNames);
      const poderoBefore = JSON.stringify(stack.simulator.control.counters().requests);
      const { path, body } = requestFor(route, BOB);
      const res = await apiCall(stack.apiUrl, token, route.method, path, body);
      expect(res.status, res.text.slice(0, 200)).toBe(403);
      expectForbiddenBy(route, res.json);
      // The refusal says nothing about Bob's data.
      expect(res.text).not.toContain(bob.deviceId.slice(0, 8));
      expect(await dumpTables(db, stack.tableNames)).toEqual(before);
      expect(JSON.stringify(stack.simulator.control.counters().requests)).toBe(poderoBefore);
    },
  );
});

describe('scope claims that only look like the admin scope', () => {
  // Cognito allows `,` and `[` `]` in custom scope names: each of these is one scope, not bridge/admin.
  it.each(['bridge/user,bridge/admin', '[bridge/admin]', 'bridge/admin,bridge/user'])(
    'a token whose scope is %j may not DELETE a user (403, user kept)',
    async (scope) => {
      await onboardUser(stack.apiUrl, adminToken, 'dave-1');
      const token = await new SignJWT({ scope })
        .setProtectedHeader({ alg: stack.signingKey.alg, kid: stack.signingKey.kid, typ: 'JWT' })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject('someone-else')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(stack.signingKey.privateKey);
      const refused = await apiCall(stack.apiUrl, token, 'DELETE', '/users/dave-1');
      expect(refused.status).toBe(403);
      // The admin route declares the admin scope, so the gateway itself refuses, as API Gateway does.
      expect(gatewayForbidden.parse(refused.json)).toEqual({ message: 'Forbidden' });
      expect((await apiCall(stack.apiUrl, adminToken, 'GET', '/users/dave-1')).status).toBe(200);
    },
  );
});

describe('scp claims: an array API Gateway flattens to "[a b]", or a string that looks like one', () => {
  const signed = (scp: string | string[]) =>
    new SignJWT({ scp })
      .setProtectedHeader({ alg: stack.signingKey.alg, kid: stack.signingKey.kid, typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject('someone-else')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(stack.signingKey.privateKey);

  it.each(['[bridge/admin]', '[bridge/admin bridge/user]'])(
    'a token whose scp is the string %j is not admin: 403 on another user, on the self-or-admin and the admin routes',
    async (scp) => {
      await onboardUser(stack.apiUrl, adminToken, 'erin-1');
      const token = await signed(scp);
      const own = await apiCall(stack.apiUrl, token, 'GET', '/users/erin-1');
      expect(own.status).toBe(403);
      expect(errorBodySchema.parse(own.json).error.code).toBe('forbidden');
      expect(gatewayForbidden.parse((await apiCall(stack.apiUrl, token, 'GET', '/users')).json)).toEqual({
        message: 'Forbidden',
      });
    },
  );

  it.each([[['bridge/admin']], [['bridge/user', 'bridge/admin']]])(
    'a token whose scp is the array %j (as Okta issues it) is admin on both kinds of route',
    async (scp) => {
      await onboardUser(stack.apiUrl, adminToken, 'erin-1');
      const token = await signed(scp);
      expect((await apiCall(stack.apiUrl, token, 'GET', '/users/erin-1')).status).toBe(200);
      expect((await apiCall(stack.apiUrl, token, 'GET', '/users')).status).toBe(200);
    },
  );
});

// Before the operator-only routes: those send a test event to an endpoint that refuses it, whose retries are
// written in the background, and one of them could land inside the viewer's "nothing written" comparison.
describe('roles: viewer, support, admin', () => {
  it("a viewer's token changes nothing: every write route is refused (403), nothing written, nothing sent to Podero", async () => {
    await stack.drainOutbox();
    const viewer = await stack.mintToken({ role: 'viewer' });
    const before = await dumpTables(db, stack.tableNames);
    const poderoBefore = JSON.stringify(stack.simulator.control.counters().requests);
    const refused: string[] = [];
    for (const route of writeRoutes) {
      const { path, body } = requestFor(route, BOB);
      const res = await apiCall(stack.apiUrl, viewer, route.method, path, body);
      expect(res.status, `${route.operationId}: ${res.text.slice(0, 200)}`).toBe(403);
      expectForbiddenBy(route, res.json);
      refused.push(route.operationId);
    }
    expect(refused).toContain('updateHeatPump');
    expect(refused).toContain('deleteUser');
    expect(await dumpTables(db, stack.tableNames)).toEqual(before);
    expect(JSON.stringify(stack.simulator.control.counters().requests)).toBe(poderoBefore);
    // What it may do: read every customer and the fleet.
    expect((await apiCall(stack.apiUrl, viewer, 'GET', `/users/${BOB}`)).status).toBe(200);
    expect((await apiCall(stack.apiUrl, viewer, 'GET', '/users')).status).toBe(200);
  });

  it('a support token switches optimisation but gets 403 on DELETE /users/{id}', async () => {
    const support = await stack.mintToken({ role: 'support' });
    const switched = await apiCall(
      stack.apiUrl,
      support,
      'PATCH',
      `/users/${BOB}/heat-pumps/${bob.deviceId}`,
      { is_smart_optimization_active: false },
    );
    expect(switched.status, switched.text.slice(0, 200)).toBe(200);
    const offboard = await apiCall(stack.apiUrl, support, 'DELETE', `/users/${BOB}`);
    expect(offboard.status).toBe(403);
    // The gateway refuses it: the route declares the admin scope alone.
    expect(gatewayForbidden.parse(offboard.json)).toEqual({ message: 'Forbidden' });
    expect((await apiCall(stack.apiUrl, support, 'GET', `/users/${BOB}`)).status).toBe(200);
  });
});

describe('operator-only routes', () => {
  it("are the ones declared for a role alone: offboarding, tariffs, the operator's view, the organisation's savings, webhooks and trading", () => {
    expect(operatorRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'DELETE /users/{external_user_id}',
        'DELETE /webhooks/{webhook_id}',
        'GET /audit',
        'GET /users/{external_user_id}/audit',
        'GET /savings',
        'GET /sync/status',
        'GET /fleet/days',
        'GET /history/backfill',
        'GET /users',
        'GET /users/{external_user_id}/energy-contracts',
        'GET /users/{external_user_id}/erasure',
        'GET /users/{external_user_id}/summary',
        'PATCH /users/{external_user_id}/energy-contracts/{contract_id}',
        'POST /users/{external_user_id}/energy-contracts',
        'GET /webhooks',
        'GET /webhooks/{webhook_id}',
        'GET /webhooks/{webhook_id}/deliveries',
        'GET /webhooks/{webhook_id}/deliveries/{delivery_id}',
        'POST /webhooks/{webhook_id}/events/{event_id}/resend',
        'POST /webhooks/{webhook_id}/dead-letters/replay',
        'PATCH /webhooks/{webhook_id}',
        'POST /webhooks',
        'POST /webhooks/{webhook_id}/rotate-secret',
        'POST /webhooks/{webhook_id}/test',
        'PUT /trading/day-ahead/{price_zone}/days/{delivery_day}/prices',
        'GET /trading/day-ahead/{price_zone}/days',
        'GET /trading/day-ahead/{price_zone}/days/{delivery_day}',
        'GET /trading/day-ahead/{price_zone}/days/{delivery_day}/curves.csv',
        'POST /trading/day-ahead/{price_zone}/days/{delivery_day}/confirmation',
      ].sort(),
    );
  });

  it.each(operatorRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s needs an operator role's scope, even for the user it is about",
    async (_key, route) => {
      await onboardUser(stack.apiUrl, adminToken, 'carol-1');
      const own = await stack.mintToken({ sub: 'carol-1' });
      const { path } = requestFor(route, 'carol-1');
      const refused = await apiCall(stack.apiUrl, own, route.method, path);
      expect(refused.status).toBe(403);
      expect(gatewayForbidden.parse(refused.json)).toEqual({ message: 'Forbidden' });
      expect((await apiCall(stack.apiUrl, adminToken, 'GET', '/users/carol-1')).status).toBe(200);

      const { body } = requestFor(route, 'carol-1');
      const allowed = await apiCall(stack.apiUrl, adminToken, route.method, path, body);
      if (route.operationId === 'deleteUser') {
        expect(allowed.status).toBe(204);
        expect((await apiCall(stack.apiUrl, adminToken, 'GET', '/users/carol-1')).status).toBe(404);
      } else {
        // Past the gateway and the handler's access rule: the route itself answers (the contract id
        // of the PATCH is nobody's, hence its 404).
        const expected: Partial<Record<string, number>> = {
          updateEnergyContract: 404,
          deleteWebhook: 204,
          testWebhook: 202,
          rotateWebhookSecret: 200,
          // No such attempt or event (any will do past the access rule); nothing dead-lettered to replay.
          getWebhookDelivery: 404,
          resendWebhookEvent: 404,
          replayWebhookDeadLetters: 200,
          // The forecast is stored by putTradingPrices (declared, so run, before the reads); its curves are
          // not ready, so a decision is out of turn.
          putTradingPrices: 201,
          confirmTradingDay: 409,
        };
        expect(allowed.status, JSON.stringify(allowed.json)).toBe(
          expected[route.operationId] ?? (route.method === 'POST' ? 201 : 200),
        );
      }
    },
  );
});
