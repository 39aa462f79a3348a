import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf } from '../../test-support/api-event';
import { startTestEnvironment, type TestEnvironment } from '../../test-support/environment';
import { createRecordingMetrics } from '../platform/observability';
import type { ApiHandler } from './app';

const P = '/api/partners/v2.0';

/** Every route that calls Podero: a Podero failure is a 502/503 and leaves our table as it was. */
describe('Podero failures on each Podero-calling route', () => {
  let env: TestEnvironment;
  let handler: ApiHandler;
  let userId: string;
  let sessionId: string;
  const items = async () =>
    (
      await env.aws.db.send(
        new QueryCommand({
          TableName: env.aws.tableNames.main,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `USER#${userId}` },
        }),
      )
    ).Items ?? [];

  beforeAll(async () => {
    env = await startTestEnvironment();
    handler = env.createApiHandler();
    userId = 'upstream-victim';
    expect(
      (
        await handler(
          apiEvent('createUser', { body: { external_user_id: userId, email: 'victim@example.com' } }),
        )
      ).statusCode,
    ).toBe(201);
    const session = await handler(
      apiEvent('createOnboardingSession', {
        params: { external_user_id: userId },
        body: {
          language: 'en',
          price_zone_default: 'AT',
          success_url: 'https://partner.example/ok',
          cancel_url: 'https://partner.example/cancel',
        },
      }),
    );
    sessionId = bodyOf<{ id: string }>(session).id;
  });
  afterAll(async () => env.close());
  beforeEach(() => env.sim.control.clearFaults());

  const params = () => ({ external_user_id: userId });
  const cases = [
    [
      'updateUser',
      `PUT ${P}/org/{org_id}/users/{user_id}`,
      () => apiEvent('updateUser', { params: params(), body: { last_name: 'Z' } }),
    ],
    [
      'deleteUser',
      `DELETE ${P}/org/{org_id}/users/{user_id}`,
      () => apiEvent('deleteUser', { params: params() }),
    ],
    [
      'createBuilding',
      `POST ${P}/org/{org_id}/users/{user_id}/buildings`,
      () => apiEvent('createBuilding', { params: params(), body: { name: 'Barn' } }),
    ],
    [
      'createOnboardingSession',
      `POST ${P}/device-onboarding`,
      () =>
        apiEvent('createOnboardingSession', {
          params: params(),
          body: {
            language: 'en',
            price_zone_default: 'AT',
            success_url: 'https://a.example/',
            cancel_url: 'https://b.example/',
          },
        }),
    ],
    [
      'getOnboardingSession',
      `GET ${P}/device-onboarding/{onboarding_session_id}`,
      () => apiEvent('getOnboardingSession', { params: { ...params(), session_id: sessionId } }),
    ],
  ] as const;

  it.each(cases)('%s: Podero 500 -> 502 upstream_error, nothing written', async (_op, route, event) => {
    const before = await items();
    env.sim.control.setFaults([{ route, status: 500 }]);
    const res = await handler(event());
    expect(res.statusCode).toBe(502);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'upstream_error' } });
    expect(res.body).not.toContain('Internal'); // Podero's own words never reach the caller
    expect(await items()).toEqual(before);
  });

  it.each(cases)('%s: Podero 429 -> 503 with Retry-After, nothing written', async (_op, route, event) => {
    const before = await items();
    env.sim.control.setFaults([{ route, status: 429, retry_after_seconds: 30 }]);
    const res = await handler(event());
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('30');
    expect(await items()).toEqual(before);
  });

  it("counts Podero's failures as their own metrics, apart from the API's (Podero down vs the bridge broken)", async () => {
    const metrics = createRecordingMetrics();
    const counted = env.createApiHandler({ metrics });
    env.sim.control.setFaults([{ route: `GET ${P}/org/{org_id}/users/{user_id}/heat-pumps`, status: 503 }]);
    const res = await counted(
      apiEvent('listHeatPumps', { params: params(), query: { max_age_seconds: '0' } }),
    );
    expect(res.statusCode).toBe(502);
    // The totals (no dimension of their own), and the same per client operation.
    const sum = (name: string, operation?: string) =>
      metrics.recorded
        .filter((m) => m.name === name && m.dimensions?.operation === operation)
        .reduce((a, m) => a + m.value, 0);
    // The api retries twice (API_PODERO_RETRY): three attempts, each a Podero 5xx.
    expect(sum('PoderoServerErrors')).toBe(3);
    expect(sum('PoderoServerErrors', 'heatPumps.list')).toBe(3);
    expect(sum('PoderoRequests')).toBeGreaterThanOrEqual(3);
    expect(sum('PoderoTimeouts')).toBe(0);
    expect(
      metrics.recorded.filter((m) => m.name === 'PoderoLatency' && !m.dimensions).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('a dropped connection on a read is a 502 upstream_unavailable', async () => {
    env.sim.control.setFaults([
      { route: `GET ${P}/device-onboarding/{onboarding_session_id}`, drop_connection: true },
    ]);
    const res = await handler(
      apiEvent('getOnboardingSession', { params: { ...params(), session_id: sessionId } }),
    );
    expect(res.statusCode).toBe(502);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'upstream_unavailable' } });
  });
});
