import { describe, expect, it } from 'vitest';
import { settingsIssues, updateHeatPumpSettingsSchema } from '../domain/devices/heat-pump-controls';
import { readingsQuerySchema } from './schemas';

const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('settingsIssues (cross-field rules on the merged heat pump)', () => {
  const current = {
    minimum_temperature_limit: 19,
    maximum_temperature_limit: 23,
    is_away_mode_enabled: false,
    away_mode_start: null,
    away_mode_end: null,
  };

  it('accepts a change that keeps minimum <= maximum', () => {
    expect(settingsIssues({ minimum_temperature_limit: 23 }, current, NOW)).toEqual([]);
  });

  it('names the changed field when the merged minimum exceeds the maximum', () => {
    expect(settingsIssues({ maximum_temperature_limit: 18 }, current, NOW)).toEqual([
      { path: ['maximum_temperature_limit'], message: expect.stringContaining('must not exceed') },
    ]);
  });

  it('does not check a rule whose fields the body leaves alone', () => {
    const inconsistent = { ...current, minimum_temperature_limit: 25 };
    expect(settingsIssues({ optimization_level: 'Low' }, inconsistent, NOW)).toEqual([]);
  });

  it('requires both away times when away mode is enabled, and start before end', () => {
    expect(settingsIssues({ is_away_mode_enabled: true }, current, NOW)).toEqual([
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
        NOW,
      ),
    ).toEqual([]);
    expect(
      settingsIssues(
        { away_mode_end: '2026-06-30T00:00:00+02:00' },
        { ...current, away_mode_start: '2026-06-30T00:00:00Z' },
        NOW,
      ),
    ).toEqual([{ path: ['away_mode_end'], message: expect.stringContaining('earlier') }]);
  });

  it('takes a pause only until a time still to come; null resumes', () => {
    expect(settingsIssues({ pause_power_until: '2026-06-01T13:00:00Z' }, current, NOW)).toEqual([]);
    expect(settingsIssues({ pause_power_until: null }, current, NOW)).toEqual([]);
    for (const past of ['2026-06-01T12:00:00Z', '2026-06-01T13:59:00+02:00']) {
      expect(settingsIssues({ pause_power_until: past }, current, NOW)).toEqual([
        { path: ['pause_power_until'], message: expect.stringContaining('future') },
      ]);
    }
  });

  it("keeps the hot-water setpoint at or above the device's own minimum", () => {
    const device = { ...current, minimum_dhw_temperature_limit: 45 };
    expect(settingsIssues({ dhw_standard_temperature: 45 }, device, NOW)).toEqual([]);
    expect(settingsIssues({ dhw_standard_temperature: 44.5 }, device, NOW)).toEqual([
      { path: ['dhw_standard_temperature'], message: expect.stringContaining('(45)') },
    ]);
    // A device that reports no minimum is held to the schema's bounds only.
    expect(settingsIssues({ dhw_standard_temperature: 35 }, current, NOW)).toEqual([]);
  });
});

describe('updateHeatPumpSettingsSchema (every documented control)', () => {
  it('accepts each control alone and refuses values outside its bounds or enum', () => {
    const accepted = [
      { pause_power_until: '2026-06-02T00:00:00Z' },
      { pause_power_until: null },
      { indoor_target_temperature_offset: -1.5 },
      { dhw_standard_temperature: 50 },
      { is_space_heating_enabled: false },
      { is_hot_water_heating_enabled: true },
      { is_pool_heating_enabled: false },
      { is_space_cooling_enabled: true },
      { price_zone: 'DE_LU' },
    ];
    for (const body of accepted)
      expect(updateHeatPumpSettingsSchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
    const refused: [Record<string, unknown>, string][] = [
      [{ indoor_target_temperature_offset: 15 }, 'indoor_target_temperature_offset'],
      [{ dhw_standard_temperature: 80 }, 'dhw_standard_temperature'],
      [{ dhw_standard_temperature: 20 }, 'dhw_standard_temperature'],
      [{ price_zone: 'XX' }, 'price_zone'],
      [{ is_pool_heating_enabled: 'yes' }, 'is_pool_heating_enabled'],
      [{ pause_power_until: 'tomorrow' }, 'pause_power_until'],
      [{ lifecycle_state: 'active' }, ''],
    ];
    for (const [body, field] of refused) {
      const result = updateHeatPumpSettingsSchema.safeParse(body);
      expect(result.success, JSON.stringify(body)).toBe(false);
      expect(
        result.error?.issues.map((i) => i.path.join('.') || (i as { keys?: string[] }).keys?.join('') || ''),
      ).toContain(field || 'lifecycle_state');
    }
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

  it('normalises readings bounds to UTC ISO and applies the default limit and order', () => {
    const parsed = readingsQuerySchema.parse({ from: '2026-01-01T01:00:00+01:00' });
    expect(parsed).toEqual({ from: '2026-01-01T00:00:00.000Z', limit: 100, order: 'asc' });
  });
});
