import { describe, expect, it } from 'vitest';
import { endpointTakes } from './subscriptions';

const everything = { enabled: true, events: null };
const onlyDeletions = { enabled: true, events: ['heat_pump.deleted'] };

describe('which endpoint takes which event', () => {
  it('follows the filter, null taking every type, in the relay and the delivery alike', () => {
    for (const delivery of ['fanned-out', 'addressed'] as const) {
      expect(endpointTakes(everything, 'user.offboarded', delivery)).toBe(true);
      expect(endpointTakes(onlyDeletions, 'heat_pump.deleted', delivery)).toBe(true);
      expect(endpointTakes(onlyDeletions, 'user.offboarded', delivery)).toBe(false);
    }
  });

  it('never fans a test event out, and delivers it to the endpoint it was queued for whatever its filter', () => {
    expect(endpointTakes(everything, 'webhook.test', 'fanned-out')).toBe(false);
    expect(endpointTakes(onlyDeletions, 'webhook.test', 'addressed')).toBe(true);
  });

  it('gives a disabled endpoint nothing, not even its own test event', () => {
    const disabled = { enabled: false, events: null };
    expect(endpointTakes(disabled, 'user.offboarded', 'fanned-out')).toBe(false);
    expect(endpointTakes(disabled, 'webhook.test', 'addressed')).toBe(false);
  });
});
