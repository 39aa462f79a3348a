import { describe, expect, it } from 'vitest';
import { addUp } from './overview';

const item = (
  id: string,
  connection: [number, number, number],
  optimization: [number, number],
  failing: boolean,
) => ({
  external_user_id: id,
  email: `${id}@example.com`,
  first_name: null,
  last_name: null,
  heat_pumps: connection[0] + connection[1] + connection[2],
  connection: {
    connected: connection[0],
    reauthentication_required: connection[1],
    disconnected: connection[2],
  },
  optimization: { on: optimization[0], off: optimization[1], unknown: 0 },
  sync_failure: failing
    ? { error_code: 'e', message: 'm', attempts: 1, first_failed_at: 'x', last_failed_at: 'x' }
    : null,
});

describe('fleet figures', () => {
  it('adds devices by state and optimisation, and counts users whose sync fails', () => {
    const figures = addUp([item('a', [2, 0, 1], [2, 1], false), item('b', [0, 1, 0], [0, 1], true)], false);
    expect(figures).toEqual({
      users: 2,
      heatPumps: 4,
      connection: { connected: 2, reauthentication_required: 1, disconnected: 1 },
      optimization: { on: 2, off: 2, unknown: 0 },
      usersWithSyncFailure: 1,
      partial: false,
    });
    expect(addUp([], true)).toMatchObject({ users: 0, partial: true });
  });
});
