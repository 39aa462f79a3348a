/**
 * Device health through the whole local stack, on the simulated clock (issue 35's done-when): a heat pump the
 * simulator makes stop reporting shows `stale` within its declared threshold, its `reporting_stopped` arrives
 * once at a signed webhook receiver, the fleet filter finds its customer; it resumes; a steering error fails and
 * recovers. The sync's schedule runs on demand, one pass per simulated sync interval.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';
import { type Received, startReceiver, typeOf } from './support/webhook-receiver';

const SYNC_INTERVAL_S = 15 * 60;
/** The heat pump's declared threshold (domain/devices/heat-pump.ts): three sync intervals. */
const STALE_AFTER_INTERVALS = 3;

let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack();
  admin = await t.stack.mintToken({ admin: true });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface Health {
  reporting: { state: string; since: string | null; last_state_at: string | null };
  steering: { state: string; since: string | null };
  steerable: boolean;
  not_steerable_because: string[];
}

async function healthOf(user: string, deviceId: string, maxAge = 3600): Promise<Health> {
  const res = await apiCall(
    t.stack.apiUrl,
    admin,
    'GET',
    `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=${maxAge}`,
  );
  expect(res.status, res.text).toBe(200);
  return (res.json as { heat_pump: { health: Health } }).heat_pump.health;
}

async function syncPass(): Promise<void> {
  t.stack.simulator.control.advanceClock(SYNC_INTERVAL_S);
  expect((await t.stack.runSchedule('heat-pump-sync')).ok).toBe(true);
}

describe('device health in the local stack', () => {
  it('a heat pump that stops reporting is stale within its threshold, announced once; it resumes', async () => {
    const receiver = await startReceiver();
    try {
      const created = await apiCall(t.stack.apiUrl, admin, 'POST', '/webhooks', {
        url: receiver.url,
        events: ['heat_pump.reporting_stopped', 'heat_pump.reporting_resumed'],
      });
      expect(created.status, created.text).toBe(201);
      const hook = created.json as { secret: string };
      const user = 'health-stale-1';
      await onboardUser(t.stack.apiUrl, admin, user);
      const { deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      await syncPass();
      expect(await healthOf(user, deviceId)).toMatchObject({ reporting: { state: 'ok' } });

      // Act: the device stops reporting (authenticated, state frozen); the sync keeps passing.
      t.stack.simulator.control.setDeviceHealth(deviceId, { reporting: 'stopped' });
      let passes = 0;
      let health = await healthOf(user, deviceId);
      while (health.reporting.state !== 'stale' && passes < STALE_AFTER_INTERVALS + 2) {
        await syncPass();
        passes += 1;
        health = await healthOf(user, deviceId);
      }

      // Assess: stale within the threshold plus one interval, since its last state plus the threshold.
      expect(passes).toBeLessThanOrEqual(STALE_AFTER_INTERVALS + 1);
      expect(health).toMatchObject({ reporting: { state: 'stale' }, steerable: false });
      expect(health.not_steerable_because).toContain('not_reporting');
      const lastStateAt = Date.parse(String(health.reporting.last_state_at));
      expect(health.reporting.since).toBe(
        new Date(lastStateAt + STALE_AFTER_INTERVALS * SYNC_INTERVAL_S * 1000).toISOString(),
      );
      // The fleet filter finds the customer.
      const fleet = await apiCall(t.stack.apiUrl, admin, 'GET', '/users?health=stale&limit=200');
      expect(fleet.status, fleet.text).toBe(200);
      const rows = (fleet.json as { items: { external_user_id: string; health: { stale: number } }[] }).items;
      expect(rows.find((row) => row.external_user_id === user)?.health.stale).toBe(1);

      // The event arrives, signed; another pass and a live read do not announce it again.
      await receiver.waitFor((all) => all.some((r) => typeOf(r) === 'heat_pump.reporting_stopped'), 20_000);
      await syncPass();
      await healthOf(user, deviceId, 0);
      t.stack.simulator.control.setDeviceHealth(deviceId, { reporting: 'live' });
      await syncPass();
      await receiver.waitFor((all) => all.some((r) => typeOf(r) === 'heat_pump.reporting_resumed'), 20_000);
      const mine = receiver.received.filter((r) => typeOf(r) === 'heat_pump.reporting_stopped');
      expect(mine).toHaveLength(1);
      const stopped = new Webhook(hook.secret).verify((mine[0] as Received).body, {
        'webhook-id': String(mine[0]?.headers['webhook-id']),
        'webhook-timestamp': String(mine[0]?.headers['webhook-timestamp']),
        'webhook-signature': String(mine[0]?.headers['webhook-signature']),
      }) as { data: Record<string, unknown> };
      expect(stopped.data).toMatchObject({
        external_user_id: user,
        heat_pump_id: deviceId,
        previous_state: 'ok',
        reporting: { state: 'stale', since: health.reporting.since },
      });
      expect(await healthOf(user, deviceId)).toMatchObject({ reporting: { state: 'ok' } });
    } finally {
      await receiver.close();
    }
  }, 180_000);

  it('a steering error fails the device and its recovery restores it, each announced once', async () => {
    const receiver = await startReceiver();
    try {
      const created = await apiCall(t.stack.apiUrl, admin, 'POST', '/webhooks', {
        url: receiver.url,
        events: ['heat_pump.steering_failed', 'heat_pump.steering_recovered'],
      });
      expect(created.status, created.text).toBe(201);
      const user = 'health-steering-1';
      await onboardUser(t.stack.apiUrl, admin, user);
      const { deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      await syncPass();
      t.stack.simulator.control.setDeviceHealth(deviceId, { steeringStatus: 'error' });
      await syncPass();
      const failed = await healthOf(user, deviceId);
      expect(failed).toMatchObject({ steering: { state: 'error' }, steerable: false });
      expect(failed.not_steerable_because).toContain('steering_not_ok');
      const fleet = await apiCall(t.stack.apiUrl, admin, 'GET', '/users?health=steering_error&limit=200');
      expect(
        (fleet.json as { items: { external_user_id: string }[] }).items.map((row) => row.external_user_id),
      ).toContain(user);
      t.stack.simulator.control.setDeviceHealth(deviceId, { steeringStatus: null });
      await syncPass();
      await receiver.waitFor((all) => all.some((r) => typeOf(r) === 'heat_pump.steering_recovered'), 20_000);
      expect(receiver.received.map(typeOf)).toEqual([
        'heat_pump.steering_failed',
        'heat_pump.steering_recovered',
      ]);
    } finally {
      await receiver.close();
    }
  }, 180_000);
});
