import { DEVICE_CATALOG } from '@podero-bridge/podero-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../test-support/api-event';
import { startTestEnvironment, type TestEnvironment } from '../../test-support/environment';
import type { ApiHandler } from './app';
import { isAllowedRedirectUrl } from './routes/onboarding';

const ONBOARDING_CREATE = 'POST /api/partners/v2.0/device-onboarding';
const BUILDINGS_CREATE = 'POST /api/partners/v2.0/org/{org_id}/users/{user_id}/buildings';

describe('redirect URL rules', () => {
  it.each([
    'https://partner.example/done',
    'http://localhost:3000/cb?x=1',
    'myapp://onboarding/done',
    'com.partner.app://callback',
  ])('accepts %s', (url) => expect(isAllowedRedirectUrl(url)).toBe(true));

  it.each([
    'javascript://%0Aalert(1)',
    'JavaScript://x',
    'javascript:alert(1)',
    'data://text/html,hi',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript://msgbox',
    '/relative/path',
    '//evil.example/x',
    'https://',
    'https://user:pass@evil.example/',
    'https://ok.example/\nSet-Cookie:x',
    ' https://ok.example/',
  ])('refuses %j', (url) => expect(isAllowedRedirectUrl(url)).toBe(false));
});

describe('buildings and onboarding sessions against dynalite and the simulator', () => {
  let env: TestEnvironment;
  let handler: ApiHandler;
  let n = 0;
  const onboardUser = async () => {
    const id = `home-owner-${++n}`;
    const res = await handler(
      apiEvent('createUser', { body: { external_user_id: id, email: `${id}@example.com` } }),
    );
    expect(res.statusCode).toBe(201);
    return id;
  };
  const sessionBody = (extra: Record<string, unknown> = {}) => ({
    language: 'de',
    price_zone_default: 'DE_LU',
    success_url: 'https://partner.example/done',
    cancel_url: 'myapp://onboarding/cancelled',
    ...extra,
  });
  const counter = (key: string) => env.sim.control.counters().requests[key]?.['200'] ?? 0;

  beforeAll(async () => {
    env = await startTestEnvironment();
    handler = env.createApiHandler();
  });
  afterAll(async () => env.close());
  beforeEach(() => env.sim.control.clearFaults());

  it('creates buildings (201) and lists them (200), for the user themself', async () => {
    const id = await onboardUser();
    const created = await handler(
      apiEvent('createBuilding', {
        params: { external_user_id: id },
        body: { name: 'Main House', property_type: 'Detached', num_occupants: 3 },
        claims: userClaims(id),
      }),
    );
    expect(created.statusCode).toBe(201);
    const building = bodyOf(created);
    expect(building).toMatchObject({ name: 'Main House', property_type: 'Detached', num_occupants: 3 });
    expect(building.id).toMatch(/^[0-9a-f-]{36}$/);

    await handler(apiEvent('createBuilding', { params: { external_user_id: id }, body: { name: 'Cabin' } }));
    const list = await handler(
      apiEvent('listBuildings', { params: { external_user_id: id }, claims: userClaims(id) }),
    );
    expect(list.statusCode).toBe(200);
    expect(bodyOf<{ items: { name: string }[] }>(list).items.map((b) => b.name)).toEqual([
      'Main House',
      'Cabin',
    ]);
  });

  it('refuses bad building bodies with 400 naming the field, and unknown users with 404', async () => {
    const id = await onboardUser();
    const before = counter(BUILDINGS_CREATE);
    const badEnum = await handler(
      apiEvent('createBuilding', {
        params: { external_user_id: id },
        body: { name: 'X', property_type: 'Castle' },
      }),
    );
    expect(badEnum.statusCode).toBe(400);
    expect(bodyOf(badEnum)).toMatchObject({ error: { details: [{ field: 'body.property_type' }] } });
    const noName = await handler(apiEvent('createBuilding', { params: { external_user_id: id }, body: {} }));
    expect(bodyOf(noName)).toMatchObject({ error: { details: [{ field: 'body.name' }] } });
    const unknown = await handler(
      apiEvent('createBuilding', { params: { external_user_id: id }, body: { name: 'X', pool: true } }),
    );
    expect(unknown.statusCode).toBe(400);
    expect(counter(BUILDINGS_CREATE)).toBe(before);

    const noUser = await handler(apiEvent('listBuildings', { params: { external_user_id: 'nobody-here' } }));
    expect(noUser.statusCode).toBe(404);
    const otherUser = await handler(
      apiEvent('listBuildings', { params: { external_user_id: id }, claims: userClaims('x') }),
    );
    expect(otherUser.statusCode).toBe(403);
  });

  it('opens an onboarding session, and reports pending then completed with the device id after the Connect UI', async () => {
    const id = await onboardUser();
    const building = bodyOf(
      await handler(apiEvent('createBuilding', { params: { external_user_id: id }, body: { name: 'Home' } })),
    );
    const created = await handler(
      apiEvent('createOnboardingSession', {
        params: { external_user_id: id },
        body: sessionBody({ building_id: building.id, is_smart_optimization_active_default: true }),
        claims: userClaims(id),
      }),
    );
    expect(created.statusCode).toBe(201);
    const session = bodyOf<{ id: string; authentication_url: string; expiration_date: string }>(created);
    expect(Object.keys(session).sort()).toEqual(['authentication_url', 'expiration_date', 'id']);
    expect(session.authentication_url).toContain(session.id);

    const get = () =>
      handler(
        apiEvent('getOnboardingSession', {
          params: { external_user_id: id, session_id: session.id },
          claims: userClaims(id),
        }),
      );
    const pending = await get();
    expect(pending.statusCode).toBe(200);
    expect(bodyOf(pending)).toMatchObject({ id: session.id, state: 'pending', device_id: null });

    // The end user completes the Connect UI (plain HTTP form post, as a browser would).
    const device = DEVICE_CATALOG[0];
    if (!device) throw new Error('empty device catalog');
    const form = new URLSearchParams({
      onboarding_session_id: session.id,
      manufacturer: device.manufacturer,
      model: device.model,
      username: 'owner',
      password: 'secret',
      action: 'connect',
    });
    const connect = await fetch(`${env.sim.baseUrl}/connect`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(connect.status).toBe(303);
    expect(connect.headers.get('location')).toBe('https://partner.example/done');

    const completed = bodyOf(await get());
    expect(completed).toMatchObject({ state: 'completed', building_id: building.id });
    expect(completed.device_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports an unfinished session as expired after its expiration date', async () => {
    const id = await onboardUser();
    const session = bodyOf<{ id: string }>(
      await handler(
        apiEvent('createOnboardingSession', { params: { external_user_id: id }, body: sessionBody() }),
      ),
    );
    const later = env.createApiHandler({ now: () => new Date(Date.now() + 3 * 86_400_000) });
    const res = await later(
      apiEvent('getOnboardingSession', { params: { external_user_id: id, session_id: session.id } }),
    );
    expect(bodyOf(res)).toMatchObject({ state: 'expired', device_id: null });
  });

  it('validates enums, URLs and building ids before calling Podero', async () => {
    const id = await onboardUser();
    const before = counter(ONBOARDING_CREATE);
    const cases: [Record<string, unknown>, string][] = [
      [sessionBody({ language: 'fr' }), 'body.language'],
      [sessionBody({ price_zone_default: 'DE' }), 'body.price_zone_default'],
      [sessionBody({ success_url: 'javascript:alert(1)' }), 'body.success_url'],
      [sessionBody({ cancel_url: 'data:text/html,x' }), 'body.cancel_url'],
      [sessionBody({ success_url: '/relative' }), 'body.success_url'],
      [sessionBody({ building_id: 'not-a-uuid' }), 'body.building_id'],
      [sessionBody({ building_id: '8c6efd5a-36d2-4c3d-83a8-b7c9f39242cd' }), 'body.building_id'],
      [sessionBody({ user_id: '8c6efd5a-36d2-4c3d-83a8-b7c9f39242cd' }), 'body.user_id'],
    ];
    for (const [body, field] of cases) {
      const res = await handler(
        apiEvent('createOnboardingSession', { params: { external_user_id: id }, body }),
      );
      expect(res.statusCode, field).toBe(400);
      expect(
        bodyOf<{ error: { details: { field: string }[] } }>(res).error.details.map((d) => d.field),
      ).toContain(field);
    }
    expect(counter(ONBOARDING_CREATE)).toBe(before);
  });

  it('404s a session id that is not this user’s, and 400s one that is not a uuid', async () => {
    const a = await onboardUser();
    const b = await onboardUser();
    const session = bodyOf<{ id: string }>(
      await handler(
        apiEvent('createOnboardingSession', { params: { external_user_id: a }, body: sessionBody() }),
      ),
    );
    const wrongOwner = await handler(
      apiEvent('getOnboardingSession', {
        params: { external_user_id: b, session_id: session.id },
        claims: userClaims(b),
      }),
    );
    expect(wrongOwner.statusCode).toBe(404);
    const badId = await handler(
      apiEvent('getOnboardingSession', {
        params: { external_user_id: a, session_id: 'abc' },
        claims: adminClaims(),
      }),
    );
    expect(badId.statusCode).toBe(400);
    expect(bodyOf(badId)).toMatchObject({ error: { details: [{ field: 'path.session_id' }] } });
  });

  it('maps a Podero rate limit on session creation to 503 with Retry-After and stores nothing', async () => {
    const id = await onboardUser();
    env.sim.control.setFaults([{ route: ONBOARDING_CREATE, status: 429, retry_after_seconds: 3 }]);
    const res = await handler(
      apiEvent('createOnboardingSession', { params: { external_user_id: id }, body: sessionBody() }),
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('3');
  });
});
