/**
 * Change events and signed webhooks through the whole local stack, over HTTP as a partner would: register a
 * webhook at a receiver on this machine, run the getting-started flow and the sync, and check what arrives
 * (signed as the standardwebhooks library verifies), what EventBridge got, retries, rotation and the URL rules.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectHeatPump, onboardUser } from '../support/flows';
import { startTestStack, type TestStack } from '../support/local-stack';
import { type Received, startReceiver, typeOf } from '../support/webhook-receiver';

let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack();
  admin = await t.stack.mintToken({ admin: true });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface CreatedWebhook {
  id: string;
  secret: string;
  url: string;
  events: string[] | null;
}

async function register(url: string, extra: Record<string, unknown> = {}): Promise<CreatedWebhook> {
  const res = await apiCall(t.stack.apiUrl, admin, 'POST', '/webhooks', { url, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.json as CreatedWebhook;
}

const verify = (secret: string, request: Received) =>
  new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  }) as { type: string; data: Record<string, unknown> };

describe('webhooks in the local stack', () => {
  it('the getting-started flow delivers user.onboarded, onboarding_session.completed and heat_pump.connected, each signed', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await register(receiver.url, { description: 'CRM' });
      expect(hook.secret).toMatch(/^whsec_/);
      const user = 'events-flow-1';
      await onboardUser(t.stack.apiUrl, admin, user);
      const { sessionId, deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      expect((await t.stack.runSchedule('heat-pump-sync')).ok).toBe(true);
      const mine = (r: Received) =>
        (JSON.parse(r.body) as { data: { external_user_id?: string } }).data.external_user_id === user;
      const wanted = ['user.onboarded', 'onboarding_session.completed', 'heat_pump.connected'];
      await receiver.waitFor((all) => wanted.every((type) => all.some((r) => mine(r) && typeOf(r) === type)));

      const byType = new Map(receiver.received.filter(mine).map((r) => [typeOf(r), r]));
      for (const type of wanted) {
        const request = byType.get(type) as Received;
        // The standardwebhooks library accepts the signature: the event is the partner's to trust.
        expect(verify(hook.secret, request).type).toBe(type);
        expect(request.headers['webhook-id']).toMatch(/^evt_[0-9a-f]{24}$/);
        expect(request.headers['content-type']).toBe('application/json');
        expect(() =>
          verify(`whsec_${Buffer.from('not the secret, 24 bytes!').toString('base64')}`, request),
        ).toThrow();
      }
      expect(verify(hook.secret, byType.get('onboarding_session.completed') as Received).data).toEqual({
        external_user_id: user,
        session_id: sessionId,
        heat_pump_id: deviceId,
        // Catalogue v2 added the device and its kind (heat_pump_id stays, for heat pumps).
        device_id: deviceId,
        device_kind: 'heat_pump',
      });
      expect(verify(hook.secret, byType.get('heat_pump.connected') as Received).data).toMatchObject({
        external_user_id: user,
        heat_pump_id: deviceId,
        connection: { state: 'connected' },
      });
      // The same events went to the stage's bus, under the same ids, in the order they were stored.
      const onBus = t.stack
        .events()
        .filter((e) => (e.detail as { data: { external_user_id?: string } }).data.external_user_id === user);
      expect(onBus.map((e) => e.detailType)).toEqual(expect.arrayContaining(wanted));
      for (const event of onBus) {
        const detail = event.detail as { id: string; type: string; version: string };
        expect(event.source).toBe('podero-bridge');
        expect(detail.type).toBe(event.detailType);
        expect(detail.version).toBe('4'); // the catalogue's version: v2 added the other kinds' events, v3 trading.failed, v4 statement.ready
        const delivered = receiver.received.find((r) => r.headers['webhook-id'] === detail.id);
        expect(delivered, detail.type).toBeDefined();
      }
      const ids = onBus.map((e) => e.detailType);
      expect(ids.indexOf('user.onboarded')).toBeLessThan(ids.indexOf('heat_pump.connected'));
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('a receiver that answers 500 gets the same webhook-id again within seconds, and the log shows both attempts', async () => {
    const receiver = await startReceiver((_, index) => (index === 0 ? 500 : 204));
    try {
      const hook = await register(receiver.url, { events: ['heat_pump.connected'] });
      const test = await apiCall(t.stack.apiUrl, admin, 'POST', `/webhooks/${hook.id}/test`);
      expect(test.status, test.text).toBe(202);
      const { event_id: eventId } = test.json as { event_id: string };
      await receiver.waitFor((all) => all.length >= 2, 20_000);
      const [first, second] = receiver.received as [Received, Received];
      expect(first.headers['webhook-id']).toBe(eventId);
      expect(second.headers['webhook-id']).toBe(eventId);
      // The schedule's second attempt comes 5 s after the first failed.
      expect(second.at - first.at).toBeGreaterThanOrEqual(4_000);
      expect(second.at - first.at).toBeLessThan(12_000);
      expect(verify(hook.secret, second).type).toBe('webhook.test');
      const log = await apiCall(t.stack.apiUrl, admin, 'GET', `/webhooks/${hook.id}/deliveries?limit=10`);
      expect(log.status).toBe(200);
      const attempts = (
        log.json as { items: { attempt: number; outcome: string; status_code: number | null }[] }
      ).items;
      expect(attempts.map((a) => [a.attempt, a.outcome, a.status_code])).toEqual([
        [2, 'delivered', 204],
        [1, 'retrying', 500],
      ]);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it("breaking a device's connection and running the sync delivers heat_pump.connection_lost", async () => {
    const receiver = await startReceiver();
    try {
      const hook = await register(receiver.url, {
        events: ['heat_pump.connection_lost', 'heat_pump.connection_restored'],
      });
      const user = 'events-lost-1';
      await onboardUser(t.stack.apiUrl, admin, user);
      const { deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      expect((await t.stack.runSchedule('heat-pump-sync')).ok).toBe(true);
      t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
      expect((await t.stack.runSchedule('heat-pump-sync')).ok).toBe(true);
      await receiver.waitFor((all) => all.some((r) => typeOf(r) === 'heat_pump.connection_lost'));
      const lost = receiver.received.find((r) => typeOf(r) === 'heat_pump.connection_lost') as Received;
      expect(verify(hook.secret, lost).data).toMatchObject({
        external_user_id: user,
        heat_pump_id: deviceId,
        previous_state: 'connected',
        connection: { state: 'reauthentication_required' },
      });
      // Only the subscribed types came: no connected, no sync.completed.
      expect(new Set(receiver.received.map(typeOf))).toEqual(new Set(['heat_pump.connection_lost']));
      t.stack.simulator.control.setConnection(deviceId, { authenticated: true });
      expect((await t.stack.runSchedule('heat-pump-sync')).ok).toBe(true);
      await receiver.waitFor((all) => all.some((r) => typeOf(r) === 'heat_pump.connection_restored'));
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('switching optimisation off, offboarding a device and the user: optimization_changed, heat_pump.deleted, user.offboarded', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await register(receiver.url);
      const user = 'events-changes-1';
      await onboardUser(t.stack.apiUrl, admin, user);
      const { deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      // A first read stores the device (connected, optimisation as the session's default).
      const listed = await apiCall(
        t.stack.apiUrl,
        admin,
        'GET',
        `/users/${user}/heat-pumps?max_age_seconds=0`,
      );
      expect(listed.status).toBe(200);
      const items = (listed.json as { items: { is_smart_optimization_active?: boolean }[] }).items;
      const before = items[0]?.is_smart_optimization_active === true;
      const patched = await apiCall(t.stack.apiUrl, admin, 'PATCH', `/users/${user}/heat-pumps/${deviceId}`, {
        is_smart_optimization_active: !before,
      });
      expect(patched.status, patched.text).toBe(200);
      expect((await apiCall(t.stack.apiUrl, admin, 'DELETE', `/users/${user}`)).status).toBe(204);
      const mine = () =>
        receiver.received.filter(
          (r) =>
            (JSON.parse(r.body) as { data: { external_user_id?: string } }).data.external_user_id === user,
        );
      const wanted = ['heat_pump.optimization_changed', 'heat_pump.deleted', 'user.offboarded'];
      await receiver
        .waitFor(() => wanted.every((type) => mine().some((r) => typeOf(r) === type)))
        .catch((error: unknown) => {
          throw new Error(`${String(error)}: got ${receiver.received.map(typeOf).join(', ')}`);
        });
      const byType = new Map(mine().map((r) => [typeOf(r), verify(hook.secret, r).data]));
      expect(byType.get('heat_pump.optimization_changed')).toEqual({
        external_user_id: user,
        heat_pump_id: deviceId,
        is_smart_optimization_active: !before,
        previous: before,
      });
      expect(byType.get('heat_pump.deleted')).toEqual({ external_user_id: user, heat_pump_id: deviceId });
      expect(byType.get('user.offboarded')).toEqual({ external_user_id: user });
      // Offboarding left nothing of the user behind, the outbox included.
      await t.stack.drainOutbox();
      expect(await t.queryPartition('main', `USER#${user}`)).toEqual([]);
      const order = t.stack
        .events()
        .filter((e) => (e.detail as { data: { external_user_id?: string } }).data.external_user_id === user)
        .map((e) => e.detailType);
      expect(order.indexOf('heat_pump.deleted')).toBeLessThan(order.indexOf('user.offboarded'));
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('offboarding one device delivers heat_pump.deleted once, with the events still pending on it', async () => {
    const receiver = await startReceiver();
    try {
      await register(receiver.url, { events: ['heat_pump.connected', 'heat_pump.deleted'] });
      const user = 'events-device-off-1';
      await onboardUser(t.stack.apiUrl, admin, user);
      const { deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      // Read and removed at once: `connected` is still pending on the snapshot when it goes.
      expect(
        (
          await apiCall(
            t.stack.apiUrl,
            admin,
            'GET',
            `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=0`,
          )
        ).status,
      ).toBe(200);
      expect(
        (await apiCall(t.stack.apiUrl, admin, 'DELETE', `/users/${user}/heat-pumps/${deviceId}`)).status,
      ).toBe(204);
      expect(
        (await apiCall(t.stack.apiUrl, admin, 'DELETE', `/users/${user}/heat-pumps/${deviceId}`)).status,
      ).toBe(204);
      const mine = () =>
        receiver.received.filter(
          (r) => (JSON.parse(r.body) as { data: { heat_pump_id?: string } }).data.heat_pump_id === deviceId,
        );
      await receiver.waitFor(() =>
        ['heat_pump.connected', 'heat_pump.deleted'].every((type) => mine().some((r) => typeOf(r) === type)),
      );
      await t.stack.drainOutbox();
      const deleted = mine().filter((r) => typeOf(r) === 'heat_pump.deleted');
      // The repeated DELETE stored the same event again at most: one id.
      expect(new Set(deleted.map((r) => r.headers['webhook-id'])).size).toBe(1);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('rotating the secret signs with both secrets for a while; the endpoint never shows its secret again', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await register(receiver.url);
      const rotated = await apiCall(t.stack.apiUrl, admin, 'POST', `/webhooks/${hook.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      const { secret: newSecret, previous_secret_expires_at: until } = rotated.json as {
        secret: string;
        previous_secret_expires_at: string;
      };
      expect(newSecret).not.toBe(hook.secret);
      expect(Date.parse(until) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
      const sent = await apiCall(t.stack.apiUrl, admin, 'POST', `/webhooks/${hook.id}/test`);
      const eventId = (sent.json as { event_id: string }).event_id;
      await receiver.waitFor((all) => all.some((r) => r.headers['webhook-id'] === eventId));
      const request = receiver.received.find((r) => r.headers['webhook-id'] === eventId) as Received;
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verify(newSecret, request).type).toBe('webhook.test');
      expect(verify(hook.secret, request).type).toBe('webhook.test');

      const listed = await apiCall(t.stack.apiUrl, admin, 'GET', '/webhooks');
      const got = await apiCall(t.stack.apiUrl, admin, 'GET', `/webhooks/${hook.id}`);
      for (const text of [listed.text, got.text, rotated.text.replace(newSecret, '')]) {
        expect(text).not.toContain(hook.secret);
        expect(text).not.toContain(newSecret);
      }
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('refuses URLs the bridge will not call, naming body.url; PATCH and DELETE work and 404 after', async () => {
    for (const url of [
      'http://partner.example/hooks',
      'https://10.0.0.7/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/hooks',
      'https://user:pw@partner.example/hooks',
      'not a url',
    ]) {
      const res = await apiCall(t.stack.apiUrl, admin, 'POST', '/webhooks', { url });
      expect(res.status, url).toBe(400);
      expect(JSON.stringify(res.json), url).toContain('body.url');
    }
    const hook = await register('http://127.0.0.1:9/hooks');
    const patched = await apiCall(t.stack.apiUrl, admin, 'PATCH', `/webhooks/${hook.id}`, {
      enabled: false,
      events: ['sync.completed'],
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ enabled: false, events: ['sync.completed'] });
    const badPatch = await apiCall(t.stack.apiUrl, admin, 'PATCH', `/webhooks/${hook.id}`, {
      url: 'https://192.168.1.1/x',
    });
    expect(badPatch.status).toBe(400);
    expect((await apiCall(t.stack.apiUrl, admin, 'DELETE', `/webhooks/${hook.id}`)).status).toBe(204);
    expect((await apiCall(t.stack.apiUrl, admin, 'GET', `/webhooks/${hook.id}`)).status).toBe(404);
    expect((await apiCall(t.stack.apiUrl, admin, 'DELETE', `/webhooks/${hook.id}`)).status).toBe(404);
    const user = await t.stack.mintToken({ sub: 'events-flow-1' });
    expect((await apiCall(t.stack.apiUrl, user, 'GET', '/webhooks')).status).toBe(403);
  });
});
