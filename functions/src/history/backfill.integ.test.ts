import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import { silentLogger } from '../../test-support/environment';
import { loadHistoryBackfillConfig } from '../config';
import { ENV } from '../declarations';
import type { electricVehicleKind } from '../domain/devices/electric-vehicle';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { inverterKind } from '../domain/devices/inverter';
import { QUARTER_HOUR_MS, readingCoverage } from '../domain/readings/coverage';
import { createHistoryBackfillDeps } from '../lambdas/historyBackfill/deps';
import { createRecordingMetrics } from '../platform/observability';
import { ReadingsStore } from '../storage/readings';
import { UserStore } from '../storage/users';

/** The backfill against dynalite and the simulator: gaps filled, retention respected, a 429 storm, reruns. */
const H8 = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}/data';
const I6 = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/inverters/{inverter_id}/data';
const SYNC_EVERY_S = 900;

let world: HeatPumpWorld;
let users: OnboardedTestUser[];
let inverterId: string;
let vehicleId: string;
let firstSyncAt: number;

function backfill(
  options: { rateLimitPerSecond?: number; retentionDays?: number; lookbackDays?: number } = {},
) {
  const config = loadHistoryBackfillConfig(
    world.aws.world.environment('historyBackfill', {
      [ENV.syncRateLimitPerSecond]: String(options.rateLimitPerSecond ?? 0),
      [ENV.poderoDataRetentionDays]: String(options.retentionDays ?? 90),
      [ENV.backfillLookbackDays]: String(options.lookbackDays ?? 7),
    }),
  );
  const deps = createHistoryBackfillDeps(config, {
    logger: silentLogger('history-backfill'),
    metrics: createRecordingMetrics(),
    refresher: world.refresher,
    now: () => world.clock.now,
    // The rate budget's seconds are wall-clock seconds: its waits are real.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { deps, run: () => deps.backfill.run(() => 300_000) };
}

const readingsOf = (kind: typeof heatPumpKind | typeof inverterKind | typeof electricVehicleKind) =>
  new ReadingsStore(world.aws.db, world.aws.tableNames.readings, kind.storage);

async function coverageOf(kind: typeof heatPumpKind | typeof inverterKind, deviceId: string, toMs: number) {
  const from = new Date(Math.ceil(firstSyncAt / QUARTER_HOUR_MS) * QUARTER_HOUR_MS).toISOString();
  const to = new Date(toMs).toISOString();
  const times = await readingsOf(kind).times(deviceId, { from, to });
  return {
    coverage: readingCoverage(
      times.map((t) => t.at),
      from,
      to,
    ),
    times,
  };
}

async function syncPasses(count: number, missed = 0) {
  for (let pass = 0; pass < count; pass++) {
    if (pass >= missed) await world.sync({ source: 'schedule' }, world.syncContext());
    world.advance(SYNC_EVERY_S);
  }
}

beforeAll(async () => {
  world = await startHeatPumpWorld();
  users = await world.onboard(2, 1, 'backfill');
  const owner = users[0] as OnboardedTestUser;
  inverterId = world.sim.control.addDevice(owner.poderoUserId, { kind: 'inverter' }).id;
  vehicleId = world.sim.control.addDevice(owner.poderoUserId, { kind: 'electric_vehicle' }).id;
  // As an onboarding session of each kind would: the sync asks Podero about the kinds the user has.
  await new UserStore(world.aws.db, world.aws.tableNames.main).recordDeviceKinds(
    owner.externalUserId,
    ['heat_pump', 'inverter', 'electric_vehicle'],
    new Date(world.clock.now).toISOString(),
  );
  firstSyncAt = world.clock.now;
  // Four passes, three missed (the sync stopped while Podero's clock moved on), four more.
  await syncPasses(4);
  await syncPasses(3, 3);
  await syncPasses(4);
  // The settle time: the backfill leaves the last half hour to the sync.
  world.advance(1800);
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('the history backfill', () => {
  it('fills the quarter-hours of three missed sync passes from /data, marked backfill, and says what it cannot fill', async () => {
    const heatPump = users[0]?.deviceIds[0] ?? '';
    const other = users[1]?.deviceIds[0] ?? '';
    const end = Math.floor((world.clock.now - 1800_000) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    const before = await coverageOf(heatPumpKind, heatPump, end);
    expect(before.coverage.covered).toBeLessThan(before.coverage.expected);
    expect(before.coverage.gaps.length).toBeGreaterThan(0);
    expect(await readingsOf(inverterKind).earliest(inverterId)).toBeDefined();
    // Podero itself lacks one quarter-hour of the other user's heat pump (an outage at the device).
    const outage = before.coverage.gaps[0] as { from: string; to: string };
    const outageEnd = new Date(Date.parse(outage.from) + QUARTER_HOUR_MS).toISOString();
    const gapsRoute = await fetch(`${world.sim.baseUrl}/__sim/devices/${other}/data-gaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: outage.from, to: outageEnd }),
    });
    expect(gapsRoute.status).toBe(200);

    const { run } = backfill();
    const summary = await run();
    expect(summary).toMatchObject({ ending: 'pass_complete', pass: 1 });
    expect(summary.filled).toBeGreaterThan(0);

    const after = await coverageOf(heatPumpKind, heatPump, end);
    expect(after.coverage.ratio).toBe(1);
    const filled = after.times.filter((t) => t.source === 'backfill');
    expect(filled.length).toBe(before.coverage.expected - before.coverage.covered);
    const sample = await readingsOf(heatPumpKind).list(heatPump, { from: filled[0]?.at ?? '' }, 1);
    expect(sample.readings[0]).toMatchObject({ source: 'backfill' });
    expect(Object.keys(sample.readings[0]?.values ?? {}).sort()).toEqual([
      'current_power_consumption_w',
      'dhw_temperature',
      'inlet_temperature',
    ]);
    expect((await coverageOf(inverterKind, inverterId, end)).coverage.ratio).toBe(1);

    // Where Podero had no data, the gap stays and is recorded; the EV's gaps cannot be filled at all.
    const otherAfter = await coverageOf(heatPumpKind, other, end);
    expect(otherAfter.coverage.gaps).toEqual([{ from: outage.from, to: outageEnd }]);
    const { deps } = backfill();
    expect(await deps.state.getDevice('heat_pump', other)).toMatchObject({
      unfillable: [{ from: outage.from, to: outageEnd, reason: 'no_data_at_podero' }],
      unfillableQuarters: 1,
    });
    const vehicle = await deps.state.getDevice('electric_vehicle', vehicleId);
    expect(vehicle?.unfillable.map((gap) => gap.reason)).toContain('no_series');

    // The readings route's coverage shows it per UTC day, with the backfill's record.
    const owner = users[0] as OnboardedTestUser;
    const from = new Date(Math.ceil(firstSyncAt / QUARTER_HOUR_MS) * QUARTER_HOUR_MS).toISOString();
    const coverageAnswer = await world.api(
      apiEvent('getHeatPumpReadingCoverage', {
        params: { external_user_id: owner.externalUserId, heat_pump_id: heatPump },
        query: { from, to: new Date(end).toISOString() },
        claims: userClaims(owner.externalUserId),
      }),
    );
    expect(coverageAnswer.statusCode).toBe(200);
    const coverage = bodyOf<{
      total: { ratio: number; expected: number };
      days: { backfilled: number; gaps: unknown[] }[];
      backfill: { available: boolean; filled_quarters: number };
    }>(coverageAnswer);
    expect(coverage.total).toMatchObject({ ratio: 1, expected: before.coverage.expected });
    expect(coverage.days.reduce((sum, day) => sum + day.backfilled, 0)).toBe(filled.length);
    expect(coverage.backfill).toMatchObject({ available: true, filled_quarters: filled.length });
    const vehicleCoverage = await world.api(
      apiEvent('getElectricVehicleReadingCoverage', {
        params: { external_user_id: owner.externalUserId, electric_vehicle_id: vehicleId },
        claims: userClaims(owner.externalUserId),
      }),
    );
    expect(bodyOf(vehicleCoverage)).toMatchObject({
      backfill: { available: false, reason: expect.any(String) },
    });

    // The operator sees the run and every device's record.
    const status = await world.api(apiEvent('getBackfillStatus', { claims: adminClaims() }));
    expect(status.statusCode).toBe(200);
    expect(bodyOf(status)).toMatchObject({
      run: { pass: 1, last_run_ending: 'pass_complete', in_pass_after_user: null },
      devices: expect.arrayContaining([
        expect.objectContaining({ device_id: other, unfillable_quarters: 1 }),
        expect.objectContaining({ device_id: vehicleId, kind: 'electric_vehicle' }),
      ]),
    });
  });

  it('reruns idempotently: nothing asked again, nothing stored twice', async () => {
    const requests = world.requests(H8) + world.requests(I6);
    const heatPump = users[0]?.deviceIds[0] ?? '';
    const count = async () =>
      (
        await world.aws.db.send(
          new QueryCommand({
            TableName: world.aws.tableNames.readings,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `HEATPUMP#${heatPump}` },
            Select: 'COUNT',
          }),
        )
      ).Count;
    const stored = await count();
    const summary = await backfill().run();
    expect(summary).toMatchObject({ ending: 'pass_complete', requests: 0, filled: 0 });
    expect(world.requests(H8) + world.requests(I6)).toBe(requests);
    expect(await count()).toBe(stored);
  });

  it('under a 429 storm sends one request per run, pauses the shared budget, and resumes afterwards', async () => {
    // Three more missed passes on every device.
    await syncPasses(3, 3);
    world.advance(1800);
    world.sim.control.setFaults([
      { route: H8, status: 429, retry_after_seconds: 1 },
      { route: I6, status: 429, retry_after_seconds: 1 },
    ]);
    const requests = world.requests(H8) + world.requests(I6);
    const { run } = backfill({ rateLimitPerSecond: 5 });
    const stormy = await run();
    expect(stormy).toMatchObject({ ending: 'rate_limited', requests: 1, filled: 0 });
    const again = await run();
    expect(again).toMatchObject({ ending: 'rate_limited', requests: 1 });
    expect(world.requests(H8) + world.requests(I6)).toBe(requests + 2);
    const budget = await world.aws.db.send(
      new GetCommand({ TableName: world.aws.tableNames.main, Key: { pk: 'RATE#podero', sk: 'BUDGET' } }),
    );
    expect(budget.Item?.paused_until).toEqual(expect.any(Number));

    world.sim.control.clearFaults();
    const calm = await run();
    expect(calm.ending).toBe('pass_complete');
    expect(calm.filled).toBeGreaterThan(0);
    const end = Math.floor((world.clock.now - 1800_000) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    expect((await coverageOf(heatPumpKind, users[0]?.deviceIds[0] ?? '', end)).coverage.ratio).toBe(1);
  }, 60_000);

  it('asks nothing older than Podero retention and records those gaps as beyond it', async () => {
    const heatPump = users[1]?.deviceIds[0] ?? '';
    // A reading from four days ago: the history the bridge expects starts there.
    const old = new Date(
      Math.floor((world.clock.now - 4 * 86_400_000) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS,
    ).toISOString();
    await world.aws.db.send(
      new PutCommand({
        TableName: world.aws.tableNames.readings,
        Item: {
          pk: `HEATPUMP#${heatPump}`,
          sk: old,
          heat_pump_id: heatPump,
          state_at: old,
          recorded_at: old,
          values: { current_power_consumption_w: 500 },
          expires_at: Math.floor(world.clock.now / 1000) + 86_400,
        },
      }),
    );
    const { deps } = backfill({ retentionDays: 2, lookbackDays: 7 });
    // Its record starts over from the old reading.
    await deps.state.putDevice({
      ...((await deps.state.getDevice('heat_pump', heatPump)) ?? {
        kind: 'heat_pump',
        deviceId: heatPump,
        externalUserId: users[1]?.externalUserId ?? '',
        filledQuarters: 0,
        unfillableQuarters: 0,
        unfillable: [],
        updatedAt: old,
      }),
      checkedThrough: null,
    });
    const before = world.requests(H8);
    const summary = await deps.backfill.run(() => 300_000);
    expect(summary.ending).toBe('pass_complete');
    const record = await deps.state.getDevice('heat_pump', heatPump);
    const beyond = record?.unfillable.filter((gap) => gap.reason === 'beyond_retention') ?? [];
    expect(beyond).toHaveLength(1);
    const cutoff = world.clock.now - 2 * 86_400_000;
    expect(Date.parse(beyond[0]?.to ?? '')).toBeGreaterThanOrEqual(cutoff);
    expect(Date.parse(beyond[0]?.to ?? '')).toBeLessThan(cutoff + QUARTER_HOUR_MS);
    // The days inside the retention were asked for (one request per UTC day), the older ones never.
    const asked = world.requests(H8) - before;
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(asked).toBeLessThanOrEqual(4);
    const times = await readingsOf(heatPumpKind).times(heatPump, {
      from: old,
      to: new Date(cutoff - QUARTER_HOUR_MS).toISOString(),
    });
    expect(times.filter((t) => t.source === 'backfill')).toEqual([]);

    // The simulator keeps the same retention when told: older ranges have no data (400), or nulls with fill-missing.
    const retention = await fetch(`${world.sim.baseUrl}/__sim/data-history`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ retention_days: 2 }),
    });
    expect(retention.status).toBe(200);
    const poderoUserId = users[1]?.poderoUserId ?? '';
    const range = { from_datetime: old, to_datetime: new Date(Date.parse(old) + 3_600_000).toISOString() };
    await expect(world.apiDeps.podero.heatPumps.data(poderoUserId, heatPump, range)).rejects.toMatchObject({
      status: 400,
    });
    const nulls = await world.apiDeps.podero.heatPumps.data(poderoUserId, heatPump, {
      ...range,
      fillMissing: true,
    });
    expect(nulls.data).toHaveLength(4);
    expect(nulls.data.every((point) => point.estimated_consumption === null)).toBe(true);
  }, 60_000);
});
