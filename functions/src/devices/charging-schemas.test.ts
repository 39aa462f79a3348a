import { describe, expect, it } from 'vitest';
import {
  chargePolicyAnswerOf,
  chargePolicyBodySchema,
  chargingConfigAnswerOf,
  chargingSessionViewOf,
  sessionsQuerySchema,
} from './charging-schemas';

const day = { charge_percentage: 80, charge_deadline: '07:00' };
const week = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };

describe('the charge policy body', () => {
  it('takes all seven days with a timezone', () => {
    expect(chargePolicyBodySchema.parse({ ...week, timezone: 'Europe/Vienna' }).mon).toEqual(day);
  });

  it.each([
    ['a day left out', { ...week, sun: undefined }, 'sun'],
    ['a percentage above 100', { ...week, mon: { ...day, charge_percentage: 101 } }, 'mon'],
    ['a fractional percentage', { ...week, tue: { ...day, charge_percentage: 50.5 } }, 'tue'],
    ['a deadline that is not HH:MM', { ...week, wed: { ...day, charge_deadline: '7:00' } }, 'wed'],
    ['a deadline past midnight', { ...week, thu: { ...day, charge_deadline: '24:00' } }, 'thu'],
    ['an unknown field', { ...week, holiday: day }, ''],
    ['a timezone with spaces', { ...week, timezone: 'Central European' }, 'timezone'],
  ])('refuses %s, naming the field', (_, body, field) => {
    const result = chargePolicyBodySchema.safeParse(body);
    expect(result.success).toBe(false);
    if (field) expect(result.error?.issues.some((i) => i.path[0] === field)).toBe(true);
  });
});

describe('the sessions query', () => {
  it('needs from and to, in order, at most 366 days apart', () => {
    expect(sessionsQuerySchema.parse({ from: '2026-01-01', to: '2026-01-31' }).limit).toBe(50);
    expect(sessionsQuerySchema.safeParse({ from: '2026-01-01' }).success).toBe(false);
    expect(sessionsQuerySchema.safeParse({ from: '2026-02-01', to: '2026-01-01' }).success).toBe(false);
    expect(sessionsQuerySchema.safeParse({ from: '2025-01-01', to: '2026-12-31' }).success).toBe(false);
    expect(
      sessionsQuerySchema.safeParse({ from: '2026-01-01', to: '2026-01-02', limit: '201' }).success,
    ).toBe(false);
  });
});

describe('answers are allow-listed', () => {
  it('keeps only the documented session fields, and an outcome only when it is a code', () => {
    const view = chargingSessionViewOf({
      id: 's1',
      plug_in_time: '2026-01-01T18:00:00Z',
      energy_charged_kwh: 12.5,
      session_outcome: 'not_at_home',
      owner: { email: 'x@example.com' },
    } as never);
    expect(view).toMatchObject({ id: 's1', energy_charged_kwh: 12.5, session_outcome: 'not_at_home' });
    expect(view.unplug_time).toBeNull();
    expect(JSON.stringify(view)).not.toContain('example.com');
    expect(
      chargingSessionViewOf({ id: 's2', session_outcome: 'Car left <3' } as never).session_outcome,
    ).toBeNull();
  });

  it('answers a policy’s days and timezone, and null for days Podero left out', () => {
    const answer = chargePolicyAnswerOf('ev-1', {
      data: { mon: day, timezone: 'UTC', secret: 'x' },
    } as never);
    expect(answer).toMatchObject({ electric_vehicle_id: 'ev-1', mon: day, tue: null, timezone: 'UTC' });
    expect(Object.keys(answer)).not.toContain('secret');
  });

  it('tells a mode Podero added since as unknown, and keeps only known modes and reason codes', () => {
    expect(
      chargingConfigAnswerOf({
        mode: 'intraday' as never,
        available_modes: ['none', 'spot', 'bogus'],
        unavailability_reasons: { hems: ['no_inverter', 'Free text!'], bogus: ['x'] },
        updated_at: '2026-01-01T00:00:00Z',
      }),
    ).toEqual({
      mode: 'unknown',
      available_modes: ['none', 'spot'],
      unavailability_reasons: { hems: ['no_inverter'] },
      updated_at: '2026-01-01T00:00:00Z',
    });
    expect(chargingConfigAnswerOf({})).toEqual({
      mode: null,
      available_modes: null,
      unavailability_reasons: null,
      updated_at: null,
    });
  });
});
