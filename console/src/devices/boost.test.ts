import { describe, expect, it } from 'vitest';
import { ApiError, expectData } from '../api/client';
import { boostRefusalText } from './boost';

const answer = (status: number, body: unknown) =>
  Promise.resolve({ error: body, response: new Response(null, { status }) });

describe('a refused boost', () => {
  it('carries the API’s reason and state, and the page says them in words', async () => {
    const refused = await expectData(
      answer(409, {
        error: {
          code: 'boost_refused',
          message: 'Podero refused to boost the electric vehicle: fully_charged',
          reason: 'fully_charged',
          state: 'unavailable',
          request_id: 'r-1',
        },
      }),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).attributes).toEqual({ reason: 'fully_charged', state: 'unavailable' });
    expect(boostRefusalText(refused)).toBe(
      'Boost refused (fully_charged): it is at its charge target; boost state unavailable.',
    );
  });

  it('is not any other error, even a 409', async () => {
    const busy = await expectData(answer(409, { error: { code: 'conflict', message: 'busy' } })).catch(
      (error: unknown) => error,
    );
    expect(boostRefusalText(busy)).toBeUndefined();
    expect(boostRefusalText(new Error('network'))).toBeUndefined();
  });

  it('names a reason it does not know as Podero’s newer one', () => {
    const error = new ApiError(409, 'boost_refused', 'refused', [], { reason: 'solar_only' });
    expect(boostRefusalText(error)).toBe(
      'Boost refused (solar_only): Podero gave a reason the bridge does not know yet.',
    );
  });
});
