import { describe, expect, it } from 'vitest';
import { deviceFiguresOf, deviceKinds } from './devices/kinds';
import { pickSyncFigures, SYNC_FIGURES, syncFiguresOf, syncFiguresShape } from './sync-figures';

describe('the sync figures', () => {
  it("names users, every kind's device count, readings and failures, in that order", () => {
    expect(SYNC_FIGURES).toEqual([
      'users',
      ...deviceKinds.map((kind) => kind.figure),
      'readings_written',
      'failures',
    ]);
    expect(SYNC_FIGURES).toContain('heat_pumps');
  });

  it('starts at zero, or at what the caller reads for each figure', () => {
    expect(syncFiguresOf()).toEqual({ users: 0, ...deviceFiguresOf(), readings_written: 0, failures: 0 });
    expect(syncFiguresOf((figure) => figure.length)).toEqual({
      users: 5,
      heat_pumps: 10,
      electric_vehicles: 17,
      wallboxes: 9,
      inverters: 9,
      readings_written: 16,
      failures: 8,
    });
  });

  it("picks exactly the figures out of a run's summary, leaving its own fields behind", () => {
    const summary = {
      run_id: 'r1',
      users: 3,
      ...deviceFiguresOf(),
      heat_pumps: 6,
      readings_written: 4,
      snapshots_written: 9,
      failures: 1,
      batch_write_calls: 2,
    };
    expect(pickSyncFigures(summary)).toStrictEqual({
      users: 3,
      ...deviceFiguresOf(),
      heat_pumps: 6,
      readings_written: 4,
      failures: 1,
    });
  });

  it('gives every figure the schema, in the order of the names', () => {
    const schema = { count: true };
    const shape = syncFiguresShape(schema);
    expect(Object.keys(shape)).toEqual([...SYNC_FIGURES]);
    expect(Object.values(shape).every((s) => s === schema)).toBe(true);
  });
});
