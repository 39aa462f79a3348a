/**
 * The statement routes against dynalite and the simulator: readings the sync stored, Podero's H8 baseline, a
 * contract created through the API, priced and covered; access, CSV and the months without a statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../../test-support/device-world';
import type { Statement } from '../../../statements/service';

let world: HeatPumpWorld;
let alice: OnboardedTestUser;
let bob: OnboardedTestUser;

const PRICE = 0.3;
const SYNC_PASSES = 12;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  [alice, bob] = (await world.onboard(2, 1, 'statement')) as [OnboardedTestUser, OnboardedTestUser];
  const contract = await world.api(
    apiEvent('createEnergyContract', {
      params: { external_user_id: alice.externalUserId },
      body: {
        energy_contract_type: 'monthly',
        energy_prices: [{ price: PRICE, timestamp: '2026-01-01T00:00:00Z' }],
        currency_energy_price: 'EUR',
      },
    }),
  );
  expect(contract.statusCode).toBe(201);
  // A sync pass every 15 minutes for three hours: a reading in each quarter-hour.
  for (let pass = 0; pass < SYNC_PASSES; pass++) {
    await world.sync({ source: 'schedule' }, world.syncContext());
    world.advance(900);
  }
}, 240_000);
afterAll(async () => {
  await world?.close();
});

const get = (
  month: string,
  options: {
    claims?: ReturnType<typeof adminClaims>;
    query?: Record<string, string>;
    user?: OnboardedTestUser;
    headers?: Record<string, string>;
  } = {},
) =>
  world.api(
    apiEvent('getStatement', {
      params: { external_user_id: (options.user ?? alice).externalUserId, month },
      query: options.query ?? {},
      claims: options.claims ?? adminClaims(),
      headers: options.headers ?? {},
    }),
  );

describe('GET /users/{id}/statements/{month}', () => {
  it('shows the month so far: consumption from the readings, baseline from Podero, both priced, with coverage', async () => {
    const answer = await get('2026-06');
    expect(answer.statusCode).toBe(200);
    const statement = bodyOf<Statement>(answer);
    expect(statement).toMatchObject({
      external_user_id: alice.externalUserId,
      month: '2026-06',
      time_zone: 'UTC',
      from: '2026-06-01T00:00:00.000Z',
      to: '2026-07-01T00:00:00.000Z',
      status: 'provisional',
    });
    expect(statement.devices).toHaveLength(1);
    const [pump] = statement.devices;
    if (!pump) throw new Error('no device');
    expect(pump).toMatchObject({ type: 'heat_pump', device_id: alice.deviceIds[0], currency: 'EUR' });
    expect(pump.contract_id).toEqual(expect.any(String));
    // A reading per sync pass, one pass per quarter-hour: 12 of June's 2,880 quarter-hours.
    expect(pump.consumption.coverage).toEqual({
      expected_quarter_hours: 2880,
      covered_quarter_hours: SYNC_PASSES,
      ratio: Math.round((SYNC_PASSES / 2880) * 10_000) / 10_000,
    });
    expect(pump.consumption.kwh).toBeGreaterThan(0);
    // Podero's series covers the month up to now (15:00): 60 quarter-hours.
    expect(pump.baseline.coverage.covered_quarter_hours).toBe(60);
    expect(pump.baseline.kwh).toBeGreaterThan(0);
    // The fixed price: cost is the energy × 0.30 (to the cent, the kWh shown being rounded to whole Wh).
    expect(
      Math.abs((pump.cost.amount_minor ?? Number.NaN) - (pump.consumption.kwh ?? 0) * PRICE * 100),
    ).toBeLessThan(1);
    expect(pump.saving_energy.coverage.covered_quarter_hours).toBe(SYNC_PASSES);
    expect(pump.saving.amount_minor).toEqual(expect.any(Number));
    expect(pump.notes).toEqual([]);
    expect(statement.total.consumption.kwh).toBe(pump.consumption.kwh);
    expect(statement.total.saving.amount_minor).toBe(pump.saving.amount_minor);
    expect(statement.total.currency).toBe('EUR');
  });

  it('answers CSV by Accept or format=csv: a row per device and a total row', async () => {
    for (const options of [{ headers: { accept: 'text/csv' } }, { query: { format: 'csv' } }]) {
      const answer = await get('2026-06', options);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers?.['content-type']).toBe('text/csv; charset=utf-8');
      const lines = String(answer.body).trim().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toContain('consumption_kwh,consumption_coverage');
      expect(lines[1]).toContain(`heat_pump,${alice.deviceIds[0]}`);
      expect(lines[2]).toContain('2026-06,UTC,provisional,total');
    }
  });

  it('is the user’s own or an admin’s: another user’s token is refused', async () => {
    expect((await get('2026-06', { claims: userClaims(alice.externalUserId) })).statusCode).toBe(200);
    expect((await get('2026-06', { claims: userClaims(bob.externalUserId) })).statusCode).toBe(403);
  });

  it('shows a device without a contract as unpriced, not free', async () => {
    const statement = bodyOf<Statement>(await get('2026-06', { user: bob }));
    expect(statement.devices[0]?.cost.amount_minor).toBeNull();
    expect(statement.devices[0]?.notes).toContain('no_energy_contract');
    expect(statement.total.cost.amount_minor).toBeNull();
  });

  it('refuses months without a statement and malformed months or zones, naming the field', async () => {
    for (const [month, why] of [
      ['2026-07', 'has not begun'],
      ['2026-05', 'before the user was onboarded'],
    ] as const) {
      const answer = await get(month);
      expect(answer.statusCode).toBe(400);
      const body = bodyOf<{ error: { code: string; message: string; details: { field: string }[] } }>(answer);
      expect(body.error.code).toBe('validation_error');
      expect(body.error.message).toContain(why);
      expect(body.error.details.map((detail) => detail.field)).toEqual(['path.month']);
    }
    expect((await get('2026-13')).statusCode).toBe(400);
    const zone = await get('2026-06', { query: { time_zone: 'Mars/Olympus' } });
    expect(zone.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(zone))).toContain('query.time_zone');
  });

  it('takes the customer’s zone: June in Vienna starts at 22:00 UTC the day before', async () => {
    const statement = bodyOf<Statement>(await get('2026-06', { query: { time_zone: 'Europe/Vienna' } }));
    expect(statement.from).toBe('2026-05-31T22:00:00.000Z');
    expect(statement.devices[0]?.consumption.coverage.expected_quarter_hours).toBe(2880);
  });
});

describe('GET /users/{id}/statements', () => {
  it('lists the months from onboarding to now', async () => {
    const answer = await world.api(
      apiEvent('listStatements', {
        params: { external_user_id: alice.externalUserId },
        claims: adminClaims(),
      }),
    );
    expect(answer.statusCode).toBe(200);
    expect(bodyOf(answer)).toEqual({
      items: [
        {
          month: '2026-06',
          from: '2026-06-01T00:00:00.000Z',
          to: '2026-07-01T00:00:00.000Z',
          status: 'provisional',
        },
      ],
      next_cursor: null,
    });
  });
});

describe('a device offboarded during the month', () => {
  it('keeps its place, labelled removed with its readings erased, every figure missing, in JSON and CSV', async () => {
    const deviceId = bob.deviceIds[0];
    if (!deviceId) throw new Error('bob has no device');
    const before = bodyOf<Statement>(await get('2026-06', { user: bob }));
    expect(before.devices[0]?.consumption.kwh).toEqual(expect.any(Number));
    const offboarded = await world.api(
      apiEvent('deleteHeatPump', {
        params: { external_user_id: bob.externalUserId, heat_pump_id: deviceId },
        claims: adminClaims(),
      }),
    );
    expect(offboarded.statusCode).toBeLessThan(300);

    const statement = bodyOf<Statement>(await get('2026-06', { user: bob }));
    expect(statement.devices).toHaveLength(1);
    const [gone] = statement.devices;
    expect(gone).toMatchObject({
      device_id: deviceId,
      removed: { by: 'offboarding', readings: 'erased', at: expect.any(String) },
      consumption: { kwh: null, unavailable: 'readings_erased' },
      cost: { amount_minor: null, unavailable: 'readings_erased' },
      saving: { amount_minor: null, unavailable: 'readings_erased' },
      notes: ['removed', 'readings_erased'],
    });
    // Expected up to its removal: fewer quarter-hours than the month's 2,880.
    expect(gone?.consumption.coverage.expected_quarter_hours).toBeLessThan(30 * 96);
    expect(statement.total.consumption).toMatchObject({ kwh: null, unavailable: 'readings_erased' });

    const csv = await get('2026-06', { user: bob, query: { format: 'csv' } });
    const [header, row] = String(csv.body).trim().split('\r\n');
    const columns = header?.split(',') ?? [];
    const cells = row?.split(',') ?? [];
    expect(cells[columns.indexOf('removed_by')]).toBe('offboarding');
    expect(cells[columns.indexOf('readings')]).toBe('erased');
    expect(cells[columns.indexOf('consumption_unavailable')]).toBe('readings_erased');
  });
});
