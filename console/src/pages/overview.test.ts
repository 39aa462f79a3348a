import { describe, expect, it } from 'vitest';
import type { Schemas } from '../api/client';
import { addUp } from './overview';

type Counts = [connected: number, reauthentication: number, disconnected: number];

const kindCounts = ([connected, reauthentication_required, disconnected]: Counts) => ({
  count: connected + reauthentication_required + disconnected,
  connection: { connected, reauthentication_required, disconnected },
});

const item = (
  id: string,
  heatPumps: Counts,
  optimization: [number, number],
  failing: boolean,
  others: Partial<Record<'electric_vehicle' | 'wallbox' | 'inverter', Counts>> = {},
): Schemas['UserListItem'] => ({
  external_user_id: id,
  email: `${id}@example.com`,
  first_name: null,
  last_name: null,
  heat_pumps: kindCounts(heatPumps).count,
  connection: kindCounts(heatPumps).connection,
  optimization: { on: optimization[0], off: optimization[1], unknown: 0 },
  sync_failure: failing
    ? { error_code: 'e', message: 'm', attempts: 1, first_failed_at: 'x', last_failed_at: 'x' }
    : null,
  devices: {
    heat_pump: kindCounts(heatPumps),
    electric_vehicle: kindCounts(others.electric_vehicle ?? [0, 0, 0]),
    wallbox: kindCounts(others.wallbox ?? [0, 0, 0]),
    inverter: kindCounts(others.inverter ?? [0, 0, 0]),
  },
  health: { stale: 0, steering_error: 0, not_steerable: 0 },
});

describe('fleet figures', () => {
  it('adds devices by state and optimisation, and counts users whose sync fails', () => {
    const figures = addUp([item('a', [2, 0, 1], [2, 1], false), item('b', [0, 1, 0], [0, 1], true)], false);
    expect(figures).toMatchObject({
      users: 2,
      heatPumps: 4,
      connection: { connected: 2, reauthentication_required: 1, disconnected: 1 },
      optimization: { on: 2, off: 2, unknown: 0 },
      usersWithSyncFailure: 1,
      partial: false,
    });
    expect(addUp([], true)).toMatchObject({ users: 0, partial: true });
  });

  it('adds every kind apart, by connection state, and keeps the heat-pump figures to heat pumps', () => {
    const figures = addUp(
      [
        item('a', [1, 0, 0], [1, 0], false, { electric_vehicle: [1, 1, 0], inverter: [1, 0, 0] }),
        item('b', [0, 0, 0], [0, 0], false, { electric_vehicle: [0, 0, 1], wallbox: [2, 0, 0] }),
      ],
      false,
    );
    expect(figures.devices).toEqual({
      heat_pump: kindCounts([1, 0, 0]),
      electric_vehicle: kindCounts([1, 1, 1]),
      wallbox: kindCounts([2, 0, 0]),
      inverter: kindCounts([1, 0, 0]),
    });
    expect(figures.heatPumps).toBe(1);
    expect(figures.connection).toEqual({ connected: 1, reauthentication_required: 0, disconnected: 0 });
  });
});
