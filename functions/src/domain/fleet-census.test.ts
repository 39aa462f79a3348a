import { describe, expect, it } from 'vitest';
import { addCensus, censusOf, emptyCensus } from './fleet-census';

describe('censusOf', () => {
  it('counts devices per connection state: authenticated, a re-authentication action, or neither', () => {
    // Prepare
    const devices = [
      { id: 'a', is_authenticated: true },
      { id: 'b', is_authenticated: false, actions: [{ code: 'reauthenticate', resolution_link: null }] },
      { id: 'c', is_authenticated: false },
      { id: 'd', is_authenticated: true },
    ];
    // Act
    const census = censusOf(devices);
    // Assess
    expect(census.connection).toEqual({ connected: 2, reauthentication_required: 1, disconnected: 1 });
    expect(census.stale).toBeNull();
  });
});

describe('addCensus', () => {
  it('adds per state, and keeps stale unknown until a part has judged it', () => {
    const total = emptyCensus();
    addCensus(total, {
      connection: { connected: 3, reauthentication_required: 1, disconnected: 0 },
      stale: null,
    });
    expect(total.stale).toBeNull();
    addCensus(total, {
      connection: { connected: 2, reauthentication_required: 0, disconnected: 4 },
      stale: 1,
    });
    addCensus(total, {
      connection: { connected: 0, reauthentication_required: 0, disconnected: 0 },
      stale: 2,
    });
    expect(total).toEqual({
      connection: { connected: 5, reauthentication_required: 1, disconnected: 4 },
      stale: 3,
    });
  });
});
