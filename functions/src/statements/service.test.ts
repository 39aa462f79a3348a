/**
 * The statement service over its removal records and Podero's charging sessions (fakes for the stores and
 * Podero): which removed devices a month names, how, and the JSON and CSV answers, hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { electricVehicleKind } from '../domain/devices/electric-vehicle';
import type { DeviceKind } from '../domain/devices/kinds';
import type { DeviceSnapshot } from '../domain/devices/state';
import { wallboxKind } from '../domain/devices/wallbox';
import { QUARTER_HOUR_MS } from '../domain/readings/coverage';
import { statementCsv } from '../lambdas/api/routes/statements';
import type { DeviceRemovalRecord } from '../storage/device-removals';
import type { UserDeviceState } from '../storage/device-snapshots';
import type { Reading, ReadingsStore } from '../storage/readings';
import type { UserRecord } from '../storage/users';
import { statementSchema } from './schemas';
import { StatementService } from './service';

const NOW = Date.parse('2025-02-10T00:00:00Z');

/** One reading at the start of every quarter-hour of [from, to), `field` at `watts`. */
function readingsOf(deviceId: string, field: string, from: string, to: string, watts: number): Reading[] {
  const readings: Reading[] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += QUARTER_HOUR_MS) {
    const stateAt = new Date(ms).toISOString();
    readings.push({ deviceId, stateAt, recordedAt: stateAt, values: { [field]: watts }, expiresAt: 0 });
  }
  return readings;
}

function fakeReadings(all: readonly Reading[]): Pick<ReadingsStore, 'list'> {
  return {
    list: async (deviceId, range) => ({
      readings: all.filter(
        (reading) =>
          reading.deviceId === deviceId &&
          reading.stateAt >= (range.from ?? '') &&
          reading.stateAt < (range.to ?? '9999'),
      ),
      nextCursor: null,
    }),
  } as Pick<ReadingsStore, 'list'>;
}

const snapshot = (deviceId: string) => ({ deviceId, device: { id: deviceId } }) as unknown as DeviceSnapshot;
const stateOf = (...ids: string[]): UserDeviceState => ({
  marker: null,
  snapshots: new Map(ids.map((id) => [id, snapshot(id)])),
});

const removal = (
  deviceId: string,
  at: string,
  readings: 'kept' | 'erased',
  span: [string | null, string | null] = [null, null],
): DeviceRemovalRecord => ({
  kind: 'wallbox',
  deviceId,
  at,
  by: readings === 'erased' ? 'offboarding' : 'podero',
  readings,
  buildingId: null,
  firstReadingAt: span[0],
  lastReadingAt: span[1],
});

function service(sessions: unknown[]) {
  const removals = [
    // Removed at Podero on 11 January 10:07 with readings from the 10th: January names it.
    removal('wb-kept', '2025-01-11T10:07:00.000Z', 'kept'),
    // Offboarded on the 21st, its readings (2–20 January) erased: named, every figure missing.
    removal('wb-erased', '2025-01-21T00:00:00.000Z', 'erased', [
      '2025-01-02T00:00:00.000Z',
      '2025-01-20T23:45:00.000Z',
    ]),
    // Offboarded in January, its readings all in December: not January's.
    removal('wb-december', '2025-01-03T00:00:00.000Z', 'erased', [
      '2024-12-01T00:00:00.000Z',
      '2024-12-30T00:00:00.000Z',
    ]),
    // Removed before January began.
    removal('wb-before', '2024-12-20T00:00:00.000Z', 'kept'),
    // Removed in January without a reading in it.
    removal('wb-silent', '2025-01-15T00:00:00.000Z', 'kept'),
  ];
  const readings = [
    // 11,000 W from the 10th 00:00 to the removal's quarter-hour (10:15 on the 11th): 137 quarter-hours of
    // 2,750 Wh = 376.75 kWh, at 0.30: 113.025 → 11,303 ct.
    ...readingsOf('wb-kept', 'current_power_w', '2025-01-10T00:00:00Z', '2025-01-11T10:15:00Z', 11_000),
    ...readingsOf('wb-before', 'current_power_w', '2024-12-01T00:00:00Z', '2024-12-02T00:00:00Z', 1000),
    // 7,400 W for two hours on the 5th: 14.8 kWh, 444 ct.
    ...readingsOf('ev-1', 'current_charging_power_w', '2025-01-05T18:00:00Z', '2025-01-05T20:00:00Z', 7400),
  ];
  const kinds = [electricVehicleKind, wallboxKind].map((kind) => ({
    kind: kind as DeviceKind,
    readings: fakeReadings(readings),
  }));
  const podero = {
    energyContracts: {
      list: async () => [
        {
          id: 'c-1',
          energy_contract_type: 'monthly',
          currency_energy_price: 'EUR',
          energy_prices: [{ price: 0.3, timestamp: '2024-01-01T00:00:00Z' }],
        },
      ],
    },
    electricVehicles: { sessions: { all: async () => sessions } },
  };
  return new StatementService({
    podero,
    kinds,
    loadDevices: async () => ({
      user: { created_at: '2024-11-01T00:00:00Z', podero_user_id: 'p-1' } as UserRecord,
      states: [stateOf('ev-1'), stateOf()],
    }),
    removals: { list: async () => removals },
    now: () => NOW,
  });
}

const SESSIONS = [
  {
    id: 's1',
    plug_in_time: '2025-01-05T17:50:00Z',
    unplug_time: '2025-01-06T07:00:00Z',
    actual_cost_eur: 2.345,
    actual_savings_eur: 1.2345,
  },
  {
    id: 's2',
    plug_in_time: '2025-01-20T18:00:00Z',
    unplug_time: null,
    actual_cost_eur: 3.1,
    actual_savings_eur: 0.0045,
  },
];

describe('a month with removed devices and a vehicle with a baseline', () => {
  it('names the current vehicle, then each removed device that had readings in the month', async () => {
    const statement = await service(SESSIONS).get('ann', '2025-01', 'UTC');
    expect(statementSchema.parse(statement)).toEqual(statement);
    expect(statement.devices.map((device) => [device.device_id, device.removed?.readings ?? null])).toEqual([
      ['ev-1', null],
      ['wb-erased', 'erased'],
      ['wb-kept', 'kept'],
    ]);
  });

  it('covers the kept one up to its removal, and the erased one with every figure missing', async () => {
    const statement = await service(SESSIONS).get('ann', '2025-01', 'UTC');
    const kept = statement.devices.find((device) => device.device_id === 'wb-kept');
    expect(kept?.removed).toEqual({ at: '2025-01-11T10:07:00.000Z', by: 'podero', readings: 'kept' });
    expect(kept?.consumption).toMatchObject({ kwh: 376.75, unavailable: null });
    expect(kept?.consumption.coverage).toEqual({
      expected_quarter_hours: 1001,
      covered_quarter_hours: 137,
      ratio: 0.1369,
    });
    expect(kept?.cost.amount_minor).toBe(11_303);
    expect(kept?.saving).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_series' });
    const erased = statement.devices.find((device) => device.device_id === 'wb-erased');
    expect(erased?.cost).toMatchObject({ amount_minor: null, unavailable: 'readings_erased' });
    expect(erased?.consumption.coverage.expected_quarter_hours).toBe(20 * 96);
  });

  it("prices the vehicle's baseline and saving from its sessions, and adds the totals: cost 444 + 11,303", async () => {
    const statement = await service(SESSIONS).get('ann', '2025-01', 'UTC');
    const ev = statement.devices[0];
    expect(ev).toMatchObject({
      baseline_source: 'charging_sessions',
      baseline_cost: { amount_minor: 668, unavailable: null },
      saving: { amount_minor: 124, unavailable: null },
      cost: { amount_minor: 444, unavailable: null },
    });
    expect(statement.total.cost.amount_minor).toBe(11_747);
    expect(statement.total.saving.amount_minor).toBe(124);
    expect(statement.total.consumption.kwh).toBe(391.55);
  });

  it('answers the same in CSV: one row per device with its removal and each missing figure’s reason', async () => {
    const statement = await service(SESSIONS).get('ann', '2025-01', 'UTC');
    const [header, ...rows] = statementCsv(statement).trimEnd().split('\r\n');
    const columns = header?.split(',') ?? [];
    const cell = (row: string | undefined, column: string) => row?.split(',')[columns.indexOf(column)];
    const [ev, erased, kept, total] = rows;
    expect(rows).toHaveLength(4);
    expect(cell(ev, 'baseline_source')).toBe('charging_sessions');
    expect(cell(ev, 'baseline_cost_minor')).toBe('668');
    expect(cell(ev, 'saving_minor')).toBe('124');
    expect(cell(ev, 'baseline_unavailable')).toBe('no_baseline_series');
    expect(cell(erased, 'removed_by')).toBe('offboarding');
    expect(cell(erased, 'readings')).toBe('erased');
    expect(cell(erased, 'cost_minor')).toBe('');
    expect(cell(erased, 'cost_unavailable')).toBe('readings_erased');
    expect(cell(kept, 'removed_at')).toBe('2025-01-11T10:07:00.000Z');
    expect(cell(kept, 'cost_minor')).toBe('11303');
    expect(cell(kept, 'consumption_kwh')).toBe('376.75');
    expect(cell(total, 'type')).toBe('total');
    expect(cell(total, 'cost_minor')).toBe('11747');
  });
});

describe('a vehicle without a baseline', () => {
  it('shows its baseline cost and saving missing (no session), never 0, in JSON and CSV', async () => {
    const statement = await service([]).get('ann', '2025-01', 'UTC');
    const ev = statement.devices[0];
    expect(ev?.baseline_cost).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_data' });
    expect(ev?.saving).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_data' });
    expect(ev?.notes).toEqual(['no_baseline_series', 'no_baseline_data']);
    // No device has a money saving: the total is missing too, not 0.
    expect(statement.total.saving).toMatchObject({ amount_minor: null, unavailable: 'no_device_figure' });
    const [header, evRow] = statementCsv(statement).split('\r\n');
    const columns = header?.split(',') ?? [];
    expect(evRow?.split(',')[columns.indexOf('saving_minor')]).toBe('');
    expect(evRow?.split(',')[columns.indexOf('saving_unavailable')]).toBe('no_baseline_data');
  });
});
