import { storedDeviceJsonOfItem } from '@podero-bridge/functions/testing';
import {
  createRecordingReporter,
  DEMO_DEVICE_EVENTS,
  type DemoResult,
  DemoStepError,
  GUIDE_HEAT_PUMP_FIELDS,
  GUIDE_KEY_HEAT_PUMP_FIELDS,
  runDemo,
} from '@podero-bridge/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/local-stack';

/**
 * Done-when of issue 7: the whole local stack in-process on free ports, the getting-started flow end
 * to end over HTTP (`runDemo`, the same function `pnpm demo` runs), the data checked at each step
 * and in DynamoDB.
 */
describe('pnpm demo flow against the in-process local stack', () => {
  let t: TestStack;
  let result: DemoResult;
  const reporter = createRecordingReporter();
  const externalUserId = 'demo-e2e-user';

  beforeAll(async () => {
    t = await startTestStack();
    result = await runDemo({
      apiUrl: t.stack.apiUrl,
      mintToken: t.stack.mintToken,
      reporter,
      externalUserId,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('passes every step, in the order of the getting-started guide, then the device lifecycle', () => {
    const stepLines = reporter.lines.filter((line) => line.startsWith('['));
    expect(stepLines.every((line) => line.includes('✔'))).toBe(true);
    expect(stepLines.map((line) => line.replace(/^\[\d+\/\d+\] ✔ /, '').replace(/ — .*$/, ''))).toEqual([
      'Local stack is up',
      'Token refresh runs (client credentials → token secret)',
      'Webhook registered (a receiver on 127.0.0.1 that verifies every signature)',
      'User created',
      'User updated',
      'Building added',
      'Onboarding session opened',
      'Connect UI completed in the browser (form post, 303 to success_url)',
      "User's heat pumps listed (live from Podero)",
      'An electric vehicle, its wallbox and a solar inverter with a battery connected (Connect UI)',
      'Sync runs (heat-pump-sync schedule)',
      'Every device of the home listed, with its own figures',
      'Readings appear',
      'Savings shown (what optimisation saved, per week of the last 4)',
      'EV comes home and is plugged in (simulator), seen by the sync',
      'EV boosted (POST .../boost → started)',
      'EV boosted again while it charges → 409 boost_refused, reason already_charging',
      'Charging configuration changed and read back (PUT, GET .../charging-config)',
      'EV charges, completes and is unplugged (simulator clock and controls), each seen by the sync',
      'Manufacturer connection lost (simulator control route)',
      'Sync records it (cached read shows reauthentication_required)',
      'Re-authentication started (no cue secret reaches the app)',
      'Signed in again in the browser (form post, bridge callback, 303 to success_url)',
      'Connected again (live read)',
      'Change events of every kind received by the webhook, signatures verified',
    ]);
  });

  it('created and updated the user, with the Podero id it got', () => {
    expect(result.user).toMatchObject({
      external_user_id: externalUserId,
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(result.user.podero_user_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('completed the Connect UI like a browser: 303 to success_url, session completed with the new device', () => {
    expect(result.session.authentication_url).toContain(
      `${t.stack.simulatorUrl}/connect?onboarding_session_id=`,
    );
    expect(result.connectRedirect).toBe(`${t.stack.apiUrl}/__local/onboarding/success`);
    expect(result.completedSession).toMatchObject({ state: 'completed', device_id: result.heatPumps[0]?.id });
  });

  it("listed the user's heat pump with the guide's fields, authenticated and in the demo's building", () => {
    expect(result.heatPumps).toHaveLength(1);
    const [device] = result.heatPumps;
    expect(device).toMatchObject({
      is_authenticated: true,
      is_smart_optimization_active: true,
      building: result.building.id,
    });
    for (const field of GUIDE_KEY_HEAT_PUMP_FIELDS) expect(device).toHaveProperty(field);
    // Every guide field the response has is printed under the step.
    const printed = reporter.lines
      .filter((line) => line.startsWith('      '))
      .map((line) => line.trim().split(/\s+/)[0]);
    for (const field of GUIDE_HEAT_PUMP_FIELDS) {
      if (device !== undefined && field in device) expect(printed).toContain(field);
    }
    expect(reporter.lines.some((line) => /^\s+is_authenticated\s+true$/.test(line))).toBe(true);
  });

  it('synced the heat pump and served its reading through the API', () => {
    expect(result.syncRun).toMatchObject({
      status: 'completed',
      shards: 1,
      users: 1,
      heat_pumps: 1,
      electric_vehicles: 1,
      wallboxes: 1,
      inverters: 1,
      failures: 0,
    });
    // One reading per device of the mixed home, each served by its kind's readings route.
    expect(result.syncRun.readings_written).toBe(4);
    expect(result.readings).toHaveLength(1);
    expect(result.readingsByKind).toEqual({ heat_pump: 1, electric_vehicle: 1, wallbox: 1, inverter: 1 });
  });

  it('boosted the plugged-in EV, and showed the second boost refused as documented (409 already_charging)', () => {
    expect(result.boost).toEqual({
      outcome: 'started',
      refusal: { status: 409, code: 'boost_refused', reason: 'already_charging', state: 'requested' },
    });
  });

  it('changed the charging configuration and read it back', () => {
    expect(result.chargingConfig).toMatchObject({ put: 'hems_and_spot', readBack: 'hems_and_spot' });
    expect(result.chargingConfig.availableModes).toContain('hems_and_spot');
  });

  it("received every kind's events at the signed receiver: the EV's plug, charge and boost, the wallbox's, the inverter's", () => {
    const types = result.webhookEvents.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining([...DEMO_DEVICE_EVENTS]));
    for (const [before, after] of [
      ['electric_vehicle.plugged_in', 'electric_vehicle.unplugged'],
      ['electric_vehicle.boost_started', 'electric_vehicle.boost_ended'],
      ['electric_vehicle.connected', 'electric_vehicle.plugged_in'],
    ] as const) {
      expect(types.indexOf(before), `${before} before ${after}`).toBeLessThan(types.lastIndexOf(after));
    }
  });

  it('showed what optimisation saved the connected heat pump, per week', () => {
    expect(result.savings.buckets).toBeGreaterThanOrEqual(4);
    expect(result.savings.total).toBeGreaterThan(0);
    expect(result.savings.units).toMatchObject({ savings: 'EUR' });
    expect(reporter.lines.some((line) => /\d+\.\d{2} EUR saved over \d+ bucket/.test(line))).toBe(true);
  });

  it('onboarded a mixed home: an EV and an inverter beside the heat pump, each listed with its type', () => {
    expect(result.otherDevices.map((device) => device.kind)).toEqual([
      'electric_vehicle',
      'wallbox',
      'inverter',
    ]);
    const types = new Map(result.devices.map((device) => [device.id, device.type]));
    expect(types.get(result.heatPumps[0]?.id ?? '')).toBe('heat_pump');
    for (const device of result.otherDevices) expect(types.get(device.id)).toBe(device.kind);
  });

  it('walked the device lifecycle: the sync saw the lost connection, re-authentication restored it', () => {
    expect(result.connectionLost).toMatchObject({ state: 'reauthentication_required' });
    expect(result.connectionLost.since).not.toBeNull();
    expect(result.connectionRestored).toMatchObject({ state: 'connected', action_needed: false });
    const done = reporter.lines.filter((line) => line.includes('✔'));
    expect(done).toHaveLength(25);
    expect(done.at(-1)).toContain('Change events of every kind received');
  });

  it("received the user's change events at its webhook, each signature verified, one id per change", () => {
    const types = result.webhookEvents.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'user.onboarded',
        'onboarding_session.completed',
        'heat_pump.connected',
        'heat_pump.connection_lost',
        'heat_pump.connection_restored',
      ]),
    );
    expect(types.indexOf('heat_pump.connection_lost')).toBeLessThan(
      types.indexOf('heat_pump.connection_restored'),
    );
    // Delivery is at least once (README: deduplicate on the id), so what a receiver keeps is one id per
    // transition: every wanted type arrived under exactly one id, and a repeat is the same event again.
    const typeOfId = new Map<string, string>();
    for (const event of result.webhookEvents) {
      expect(typeOfId.get(event.id) ?? event.type, `id ${event.id}`).toBe(event.type);
      typeOfId.set(event.id, event.type);
    }
    for (const type of [
      'heat_pump.connected',
      'heat_pump.connection_lost',
      'heat_pump.connection_restored',
    ]) {
      expect(
        [...typeOfId.values()].filter((t) => t === type),
        type,
      ).toHaveLength(1);
    }
  });

  it('stored the user, building, onboarding session, snapshot and list marker in the main table', async () => {
    const items = await t.queryPartition('main', `USER#${externalUserId}`);
    const bySk = new Map(items.map((item) => [String(item.sk), item]));
    const deviceId = result.heatPumps[0]?.id;
    expect(bySk.get('PROFILE')).toMatchObject({
      status: 'active',
      gsi1pk: 'USERS',
      gsi1sk: externalUserId,
      podero_user_id: result.user.podero_user_id,
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: `${externalUserId}@example.com`,
    });
    expect(bySk.get(`BUILDING#${result.building.id}`)).toMatchObject({ building_id: result.building.id });
    expect(bySk.get(`ONBOARDING#${result.session.id}`)).toMatchObject({
      state: 'completed',
      device_id: deviceId,
    });
    const snapshot = bySk.get(`HEATPUMP#${deviceId}`);
    expect(snapshot).toMatchObject({ heat_pump_id: deviceId, external_user_id: externalUserId });
    // The stored projection, compressed (storage/snapshot-json.ts).
    expect(storedDeviceJsonOfItem(snapshot?.heat_pump_json)).toMatchObject({
      id: deviceId,
      is_authenticated: true,
    });
    expect(bySk.get('HEATPUMPS')).toMatchObject({ heat_pump_ids: [deviceId] });
  });

  it('stored the readings with a TTL in the readings table, matching what the API returned', async () => {
    const deviceId = result.heatPumps[0]?.id;
    const readings = await t.queryPartition('readings', `HEATPUMP#${deviceId}`);
    // The charging steps sync again (and move the clock a minute), so later readings may follow those served.
    expect(readings.map((r) => r.state_at)).toEqual(
      expect.arrayContaining(result.readings.map((r) => r.state_at)),
    );
    for (const reading of readings) {
      expect(reading.sk).toBe(reading.state_at);
      expect(typeof reading.expires_at).toBe('number');
      expect(Number(reading.expires_at)).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
    }
  });

  it('fetched exactly one Podero token for the whole flow (the first refresh at start)', async () => {
    const counters = await t.stack.simulator.control.counters();
    expect(counters.token_issuances).toBe(1);
  });
});

describe('a failing demo step', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stops at the step that failed and names it', async () => {
    const route = t.stack.simulator.routeKeys.find(
      (key) => key.startsWith('POST ') && key.endsWith('/users'),
    );
    expect(route).toBeDefined();
    await t.stack.simulator.control.setFaults([{ route: route ?? '', status: 500 }]);
    const reporter = createRecordingReporter();
    const failure = await runDemo({ apiUrl: t.stack.apiUrl, mintToken: t.stack.mintToken, reporter }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DemoStepError);
    expect((failure as DemoStepError).step).toBe('User created');
    expect(reporter.lines.at(-1)).toMatch(/^\[4\/25\] ✖ User created: POST \/users answered 502/);
    expect(reporter.lines.filter((line) => line.includes('✔'))).toHaveLength(3);
  });
});

describe('pnpm demo trading: two day-ahead trading days on the simulated clock', () => {
  let t: TestStack;
  let result: DemoResult;
  const reporter = createRecordingReporter();

  beforeAll(async () => {
    t = await startTestStack();
    result = await runDemo({
      apiUrl: t.stack.apiUrl,
      mintToken: t.stack.mintToken,
      reporter,
      parts: ['trading'],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('walks the shared first steps, then the trading steps only', () => {
    const stepLines = reporter.lines.filter((line) => line.startsWith('['));
    expect(stepLines).toHaveLength(10);
    expect(stepLines.every((line) => line.includes('✔'))).toBe(true);
    expect(stepLines[3]).toContain('Simulated clock set to 07:00 Berlin');
    expect(stepLines.at(-1)).toContain('the day ends missed → trading.missed');
  });

  it('put a forecast in, stored the curves with their delta, confirmed the day, each step signed at the receiver', () => {
    const trading = result.trading;
    expect(trading?.confirmed).toMatchObject({ state: 'confirmed' });
    expect(trading?.confirmed.events).toEqual([
      'trading.prices_uploaded',
      'trading.curves_ready',
      'trading.confirmation_due',
      'trading.confirmed',
    ]);
    // 92, 96 or 100 quarter-hours (the clock-change days), and the CSV has one line more (its header).
    expect([92, 96, 100]).toContain(trading?.curves.points);
    expect(trading?.curves.csvLines).toBe((trading?.curves.points ?? 0) + 1);
    expect(typeof trading?.curves.deltaWh).toBe('number');
  });

  it('ended the unconfirmed second day missed past its deadline, with trading.missed at the receiver', () => {
    expect(result.trading?.missed).toMatchObject({ state: 'missed' });
    expect(result.trading?.missed.events).toEqual([
      'trading.prices_uploaded',
      'trading.curves_ready',
      'trading.confirmation_due',
      'trading.missed',
    ]);
    expect((result.trading?.missed.deliveryDay ?? '') > (result.trading?.confirmed.deliveryDay ?? '')).toBe(
      true,
    );
  });

  it('moved the bridge with the simulator: the days were decided ahead of the wall clock', () => {
    expect(t.stack.simulator.control.now().getTime() - Date.now()).toBeGreaterThan(12 * 3_600_000);
  });
});
