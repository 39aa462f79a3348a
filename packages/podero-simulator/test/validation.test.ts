import { describe, expect, it } from 'vitest';
import { parseOr422, SimHttpError } from '../src/errors';
import {
  buildingBodySchema,
  createOnboardingBodySchema,
  createUserBodySchema,
  updateHeatPumpBodySchema,
} from '../src/wire';

function detailOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SimHttpError);
    const httpError = error as SimHttpError;
    expect(httpError.status).toBe(422);
    return (httpError.body as { detail: unknown }).detail;
  }
  throw new Error('expected a 422');
}

const session = {
  user_id: '497f6eca-6276-4993-bfeb-53cbbbba6f08',
  language: 'de',
  price_zone_default: 'DE_LU',
  success_url: 'https://www.success.com',
  cancel_url: 'https://www.error.com',
};

describe('request validation (django-ninja 422 shapes)', () => {
  it('rejects the guide example price zone "DE", naming the field', () => {
    const detail = detailOf(() =>
      parseOr422(createOnboardingBodySchema, { ...session, price_zone_default: 'DE' }, ['body']),
    );
    expect(detail).toEqual([
      { type: 'enum', loc: ['body', 'price_zone_default'], msg: expect.stringContaining("'DE_LU'") },
    ]);
  });

  it('reports every missing required field as `missing` with "Field required"', () => {
    const detail = detailOf(() => parseOr422(createUserBodySchema, {}, ['body']));
    expect(detail).toEqual([
      { type: 'missing', loc: ['body', 'role'], msg: 'Field required' },
      { type: 'missing', loc: ['body', 'email'], msg: 'Field required' },
    ]);
  });

  it('reports a missing body as a missing `body`', () => {
    expect(detailOf(() => parseOr422(createUserBodySchema, undefined, ['body']))).toEqual([
      { type: 'missing', loc: ['body'], msg: 'Field required' },
    ]);
  });

  it('rejects wrong types, over-long strings and bad e-mail addresses', () => {
    const detail = detailOf(() =>
      parseOr422(buildingBodySchema, { name: 'x'.repeat(101), num_occupants: 'three', photovoltaic: 'yes' }, [
        'body',
      ]),
    );
    expect(detail).toEqual([
      { type: 'string_too_long', loc: ['body', 'name'], msg: 'String should have at most 100 characters' },
      { type: 'number_type', loc: ['body', 'num_occupants'], msg: 'Input should be a valid number' },
      { type: 'boolean_type', loc: ['body', 'photovoltaic'], msg: 'Input should be a valid boolean' },
    ]);
    expect(
      detailOf(() => parseOr422(createUserBodySchema, { role: 'user', email: 'nope' }, ['body'])),
    ).toEqual([{ type: 'value_error', loc: ['body', 'email'], msg: 'value is not a valid email address' }]);
  });

  it('rejects read-only and unknown heat-pump fields, one entry each', () => {
    const detail = detailOf(() =>
      parseOr422(updateHeatPumpBodySchema, { current_power_consumption_w: 10, colour: 'red' }, ['body']),
    );
    expect(detail).toEqual([
      {
        type: 'extra_forbidden',
        loc: ['body', 'current_power_consumption_w'],
        msg: 'Field is read-only and cannot be written',
      },
      { type: 'extra_forbidden', loc: ['body', 'colour'], msg: 'Extra inputs are not permitted' },
    ]);
  });

  it('accepts a valid partial heat-pump update and keeps only what was sent', () => {
    expect(
      parseOr422(updateHeatPumpBodySchema, { optimization_level: 'Max', pause_power_until: null }, ['body']),
    ).toEqual({
      optimization_level: 'Max',
      pause_power_until: null,
    });
  });
});
