import { describe, expect, it } from 'vitest';
import { plotBuckets, plotReadings, pointsIn } from '../readings';
import { KIND_CHARTS } from './charts';
import { DEVICE_KIND_NAMES } from './kinds';

const chart = (kind: keyof typeof KIND_CHARTS, id: string) => {
  const spec = KIND_CHARTS[kind].find((c) => c.id === id);
  if (spec === undefined) throw new Error(`no chart ${id}`);
  return spec;
};
const reading = (at: string, values: Record<string, number | string | boolean | null>) => ({
  state_at: at,
  recorded_at: at,
  source: 'sync' as const,
  values,
});

describe('each kind’s plots from its readings', () => {
  it('plots an inverter’s grid power as export and import, each a positive amount on its side', () => {
    const data = plotReadings(
      [
        reading('2026-12-01T10:00:00Z', {
          current_solar_production_w: 4000,
          household_consumption_w: 900,
          current_power_to_grid_w: 3100,
        }),
        reading('2026-12-01T20:00:00Z', {
          current_solar_production_w: 0,
          household_consumption_w: 1200,
          current_power_to_grid_w: -1200,
        }),
      ],
      chart('inverter', 'energy-flows'),
    );
    expect(data.slice(1)).toEqual([
      [4000, 0],
      [900, 1200],
      [3100, 0],
      [0, 1200],
    ]);
  });

  it('plots an electric vehicle’s plugged-in flag as 1 and 0, and leaves it out of buckets (no average of it)', () => {
    const plugged = chart('electric_vehicle', 'plugged-in');
    const data = plotReadings(
      [
        reading('2026-12-01T10:00:00Z', { is_plugged_in: true }),
        reading('2026-12-01T11:00:00Z', { is_plugged_in: false }),
        reading('2026-12-01T12:00:00Z', { is_plugged_in: 'unknown' }),
      ],
      plugged,
    );
    expect(data[1]).toEqual([1, 0, null]);
    expect(pointsIn(data)).toBe(2);
    const buckets = plotBuckets(
      [
        {
          start: '2026-12-01T10:00:00Z',
          end: '2026-12-01T10:15:00Z',
          count: 2,
          values: { is_plugged_in: { avg: 0.5, min: 0, max: 1 } },
        },
      ],
      plugged,
    );
    expect(buckets[1]).toEqual([null]);
  });

  it('plots a bucket’s signed average on its side only', () => {
    const data = plotBuckets(
      [
        {
          start: '2026-12-01T10:00:00Z',
          end: '2026-12-01T11:00:00Z',
          count: 4,
          values: { current_power_to_grid_w: { avg: -300, min: -800, max: 200 } },
        },
      ],
      chart('inverter', 'energy-flows'),
    );
    expect(data.slice(3)).toEqual([[0], [300]]);
  });

  it('gives every kind at least one chart, each with a unique id within its kind', () => {
    for (const kind of DEVICE_KIND_NAMES) {
      const ids = KIND_CHARTS[kind].map((c) => c.id);
      expect(ids.length, kind).toBeGreaterThan(0);
      expect(new Set(ids).size, kind).toBe(ids.length);
    }
  });
});
