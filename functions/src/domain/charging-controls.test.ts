import { BoostRefusedError } from '@podero-bridge/podero-client';
import { describe, expect, it } from 'vitest';
import {
  BoostRefusal,
  boostOutcomeOf,
  boostRefusalOf,
  decodeSessionsCursor,
  encodeSessionsCursor,
  InvalidSessionsCursorError,
  nextSessionsCursor,
} from './charging-controls';

const refused = (reason?: string, state?: string) =>
  new BoostRefusedError('409', {
    status: 409,
    method: 'POST',
    path: '/x/boost',
    ...(reason === undefined ? {} : { reason }),
    ...(state === undefined ? {} : { state }),
  });

describe('boostOutcomeOf', () => {
  it('starts a boost for a plugged-in vehicle or a wallbox with a car, and arms it otherwise', () => {
    expect(boostOutcomeOf({ id: 'a', is_plugged_in: true })).toBe('started');
    expect(boostOutcomeOf({ id: 'a', is_plugged_in: false })).toBe('armed');
    expect(boostOutcomeOf({ id: 'a' })).toBe('armed');
    expect(boostOutcomeOf({ id: 'w', mode: 'PLUGGED_IN' })).toBe('started');
    expect(boostOutcomeOf({ id: 'w', mode: 'CHARGING' })).toBe('started');
    expect(boostOutcomeOf({ id: 'w', mode: 'READY' })).toBe('armed');
  });
});

describe('BoostRefusal', () => {
  it('passes on a documented reason and state as the answer’s attributes', () => {
    const refusal = boostRefusalOf('electric vehicle', refused('already_charging', 'ongoing'));
    expect(refusal).toBeInstanceOf(BoostRefusal);
    expect(refusal?.kind).toBe('conflict');
    expect(refusal?.code).toBe('boost_refused');
    expect(refusal?.attributes).toEqual({ reason: 'already_charging', state: 'ongoing' });
  });

  it('tells a reason or state Podero added since as unknown, never Podero’s own words', () => {
    const refusal = boostRefusalOf('wallbox', refused('Something <b>new</b>', 'warming_up'));
    expect(refusal?.attributes).toEqual({ reason: 'unknown', state: 'unknown' });
    expect(boostRefusalOf('wallbox', refused())?.attributes).toEqual({ reason: 'unknown', state: 'unknown' });
  });

  it('is no refusal for any other error', () => {
    expect(boostRefusalOf('wallbox', new Error('boom'))).toBeUndefined();
  });
});

describe('the sessions cursor', () => {
  const range = { deviceId: 'ev-1', from: '2026-01-01', to: '2026-01-31' };

  it('round-trips its offset for the same vehicle and range', () => {
    expect(decodeSessionsCursor(encodeSessionsCursor({ ...range, offset: 50 }), range)).toBe(50);
  });

  it('is refused for another vehicle, another range, or anything not ours', () => {
    const cursor = encodeSessionsCursor({ ...range, offset: 50 });
    expect(() => decodeSessionsCursor(cursor, { ...range, deviceId: 'ev-2' })).toThrow(
      InvalidSessionsCursorError,
    );
    expect(() => decodeSessionsCursor(cursor, { ...range, to: '2026-02-01' })).toThrow(
      InvalidSessionsCursorError,
    );
    expect(() => decodeSessionsCursor('not a cursor!', range)).toThrow(InvalidSessionsCursorError);
    const negative = Buffer.from(
      JSON.stringify({ v: 1, ev: 'ev-1', f: range.from, t: range.to, o: -1 }),
    ).toString('base64url');
    expect(() => decodeSessionsCursor(negative, range)).toThrow(InvalidSessionsCursorError);
  });

  it('ends when a page reaches the total or comes back empty', () => {
    const position = { ...range, offset: 0 };
    const next = nextSessionsCursor(position, 50, 120);
    expect(next && decodeSessionsCursor(next, range)).toBe(50);
    expect(nextSessionsCursor({ ...range, offset: 100 }, 20, 120)).toBeNull();
    expect(nextSessionsCursor(position, 0, 120)).toBeNull();
  });
});
