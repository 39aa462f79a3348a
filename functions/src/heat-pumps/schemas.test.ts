import { describe, expect, it } from 'vitest';
import { readingsQuerySchema, settingsIssues, updateHeatPumpSettingsSchema } from './schemas';

describe('settingsIssues (cross-field rules on the merged heat pump)', () => {
  const current = {
    minimum_temperature_limit: 19,
    maximum_temperature_limit: 23,
    is_away_mode_enabled: false,
    away_mode_start: null,
    away_mode_end: null,
  };

  it('accepts a change that keeps minimum <= maximum', () => {
    expect(settingsIssues({ minimum_temperature_limit: 23 }, current)).toEqual([]);
  });

  it('names the changed field when the merged minimum exceeds the maximum', () => {
    expect(settingsIssues({ maximum_temperature_limit: 18 }, current)).toEqual([
      { path: ['maximum_temperature_limit'], message: expect.stringContaining('must not exceed') },
    ]);
  });

  it('does not check a rule whose fields the body leaves alone', () => {
    const inconsistent = { ...current, minimum_temperature_limit: 25 };
    expect(settingsIssues({ optimization_level: 'Low' }, inconsistent)).toEqual([]);
  });

  it('requires both away times when away mode is enabled, and start before end', () => {
    expect(settingsIssues({ is_away_mode_enabled: true }, current)).toEqual([
      { path: ['is_away_mode_enabled'], message: expect.stringContaining('needs both') },
    ]);
    expect(
      settingsIssues(
        {
          is_away_mode_enabled: true,
          away_mode_start: '2026-07-01T00:00:00Z',
          away_mode_end: '2026-07-02T00:00:00Z',
        },
        current,
      ),
    ).toEqual([]);
    expect(
      settingsIssues(
        { away_mode_end: '2026-06-30T00:00:00+02:00' },
        { ...current, away_mode_start: '2026-06-30T00:00:00Z' },
      ),
    ).toEqual([{ path: ['away_mode_end'], message: expect.stringContaining('earlier') }]);
  });
});

describe('request schemas', () => {
  it('refuses an empty settings body and unknown fields', () => {
    expect(updateHeatPumpSettingsSchema.safeParse({}).success).toBe(false);
    expect(updateHeatPumpSettingsSchema.safeParse({ optimization_level: 'Mid', comment: 'x' }).success).toBe(
      false,
    );
    expect(updateHeatPumpSettingsSchema.safeParse({ optimization_level: 'Mid' }).success).toBe(true);
  });

  it('normalises readings bounds to UTC ISO and applies the default limit', () => {
    const parsed = readingsQuerySchema.parse({ from: '2026-01-01T01:00:00+01:00' });
    expect(parsed).toEqual({ from: '2026-01-01T00:00:00.000Z', limit: 100 });
  });
});
