import { describe, expect, it } from 'vitest';
import { deviceFiguresOf, deviceKinds } from '../domain/devices/kinds';
import { SYNC_FIGURES, type SyncFigures } from '../domain/sync-figures';
import { addFiguresUpdate, figuresItem, figuresOfItem, zeroFiguresUpdate } from './sync-figures';

/** The first kind's device figure: the engine's tests name no kind. */
const device = deviceKinds[0].figure;
const figures: SyncFigures = {
  users: 12,
  ...deviceFiguresOf(),
  [device]: 20,
  readings_written: 18,
  failures: 2,
};

describe('the sync figures as item attributes', () => {
  it('read back as written, whatever else the item holds', () => {
    const item = { pk: 'SYNC#x', sk: 'RUN#1', run_id: 'r1', ...figuresItem(figures), expires_at: 1 };
    expect(item).toMatchObject({ users: 12, [device]: 20, readings_written: 18, failures: 2 });
    expect(figuresOfItem(item)).toStrictEqual(figures);
  });

  it("write exactly the figures, not a summary's other fields", () => {
    const summary = { ...figures, snapshots_written: 7, batch_write_calls: 3, run_id: 'r1' };
    expect(Object.keys(figuresItem(summary)).sort()).toEqual([...SYNC_FIGURES].sort());
  });

  it('read a figure an item lacks (a pass begun before its kind existed) as 0', () => {
    expect(figuresOfItem({ users: 4, readings_written: 1 })).toStrictEqual({
      users: 4,
      ...deviceFiguresOf(),
      readings_written: 1,
      failures: 0,
    });
  });

  it('refuse a figure that is not a count', () => {
    expect(() => figuresOfItem({ users: -1 })).toThrow();
    expect(() => figuresOfItem({ [device]: '3' })).toThrow();
  });
});

describe('the sum of the figures in an update', () => {
  it('adds every figure once, under its own attribute name and value', () => {
    const update = addFiguresUpdate(figures);
    const clauses = update.add.split(', ').map((clause) => clause.split(' '));
    expect(clauses).toHaveLength(SYNC_FIGURES.length);
    const added = Object.fromEntries(
      clauses.map(([name = '', value = '']) => [update.names[name], update.values[value]]),
    );
    expect(added).toStrictEqual(figures);
  });

  it('begins every figure at 0 under the same names', () => {
    const zero = zeroFiguresUpdate();
    const set = Object.fromEntries(
      zero.set.split(', ').map((clause) => {
        const [name = '', value = ''] = clause.split(' = ');
        return [zero.names[name], zero.values[value]];
      }),
    );
    expect(set).toStrictEqual({ users: 0, ...deviceFiguresOf(), readings_written: 0, failures: 0 });
    expect(zero.names).toEqual(addFiguresUpdate(figures).names);
  });
});
