import { secretHandouts } from '@podero-bridge/functions/testing';
import { describe, expect, it } from 'vitest';

describe('secretHandouts', () => {
  const handouts = secretHandouts();
  const matches = (exchange: string) => handouts.some((route) => route.pattern.test(exchange));

  it("names every route that shows a secret once, from the routes' own shownOnce fields", () => {
    expect(matches('POST /webhooks')).toBe(true);
    expect(matches('POST /webhooks/wh_0123456789abcdef01234567/rotate-secret')).toBe(true);
    expect(matches('POST /users/u-1/wallboxes/claim-tokens')).toBe(true);
    for (const resource of ['electric-vehicles', 'wallboxes', 'inverters'])
      expect(matches(`POST /users/u-1/${resource}/d-1/reauthentication`), resource).toBe(true);
    expect(handouts.every((route) => route.shownOnce.length > 0)).toBe(true);
  });

  it('matches one path segment per parameter and nothing else', () => {
    // The heat pump reconnects through its cue, which hands out no secret: its route is not a handout.
    expect(matches('POST /users/u-1/heat-pumps/d-1/reauthentication')).toBe(false);
    expect(matches('GET /users/u-1/wallboxes/claim-tokens')).toBe(false);
    expect(matches('POST /users/u-1/x/wallboxes/claim-tokens')).toBe(false);
    expect(matches('POST /webhooks/extra')).toBe(false);
    expect(matches('GET /webhooks/wh_0123456789abcdef01234567')).toBe(false);
  });
});
