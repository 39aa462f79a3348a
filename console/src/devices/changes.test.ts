import { describe, expect, it } from 'vitest';
import { changeExplanation, changeFieldRows, controlLabel, fieldLabel, fieldValueText } from './changes';

const inUtc = (iso: string) => `at ${iso}`;

describe('a tracked change in words', () => {
  it('names requested fields readably: known names, `is_` dropped, abbreviations written out', () => {
    expect(fieldLabel('is_smart_optimization_active')).toBe('Smart optimisation');
    expect(fieldLabel('is_space_heating_enabled')).toBe('Space heating enabled');
    expect(fieldLabel('minimum_temperature_limit')).toBe('Minimum temperature limit');
    expect(fieldLabel('solar_power_rating_kw')).toBe('Solar power rating kW');
    expect(fieldLabel('battery_capacity_kwh')).toBe('Battery capacity kWh');
    expect(fieldLabel('is')).toBe('Is');
    expect(fieldLabel('__')).toBe('__');
  });

  it('writes values as yes/no, times in the console format, null as cleared, anything else as JSON', () => {
    expect(fieldValueText(true)).toBe('yes');
    expect(fieldValueText(false)).toBe('no');
    expect(fieldValueText(21.5)).toBe('21.5');
    expect(fieldValueText('Max')).toBe('Max');
    expect(fieldValueText(null)).toBe('cleared');
    expect(fieldValueText('2026-07-12T11:04:00.000Z')).toBe('2026-07-12 11:04 UTC');
    // A bare day is no time to convert.
    expect(fieldValueText('2026-07-12')).toBe('2026-07-12');
    expect(fieldValueText({ monday: '07:00' })).toBe('{"monday":"07:00"}');
  });

  it("lists the fields in the request's order", () => {
    expect(
      changeFieldRows(
        { optimization_level: 'Max', pause_power_until: '2026-07-12T12:00:00Z', is_away_mode_enabled: false },
        inUtc,
      ),
    ).toEqual([
      ['Optimisation level', 'Max'],
      ['Paused until', 'at 2026-07-12T12:00:00Z'],
      ['Away mode enabled', 'no'],
    ]);
    expect(changeFieldRows({ boost: 'started' })).toEqual([['Boost', 'started']]);
  });

  it('names the control that requested it', () => {
    expect(controlLabel('settings')).toBe('Settings');
    expect(controlLabel('boost')).toBe('Boost');
    expect(controlLabel('charge_policy')).toBe('Charge policy');
  });

  it('says why a change failed or was superseded, and when a pending one fails; nothing for a confirmed one', () => {
    const deadline_at = '2026-07-12T11:34:00.000Z';
    expect(changeExplanation({ status: 'confirmed', reason: null, deadline_at }, inUtc)).toBeUndefined();
    expect(changeExplanation({ status: 'pending', reason: null, deadline_at }, inUtc)).toBe(
      `Not seen applied yet; fails if still not seen by at ${deadline_at}.`,
    );
    expect(changeExplanation({ status: 'failed', reason: 'timeout', deadline_at }, inUtc)).toBe(
      `The device did not show it by its deadline, at ${deadline_at}.`,
    );
    expect(changeExplanation({ status: 'failed', reason: 'refused_later', deadline_at }, inUtc)).toBe(
      'Failed: refused_later.',
    );
    expect(changeExplanation({ status: 'failed', reason: null, deadline_at }, inUtc)).toBe(
      'The API gave no reason.',
    );
    expect(
      changeExplanation({ status: 'superseded', reason: 'chg_0000000000000000000b', deadline_at }, inUtc),
    ).toBe('Change chg_0000000000000000000b, newer, requested one of its fields before it settled.');
  });
});
