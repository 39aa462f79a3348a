import { describe, expect, it } from 'vitest';
import {
  LANGUAGES,
  PRICE_ZONES,
  poderoBuildingSchema,
  poderoHeatPumpSchema,
  poderoOnboardingSessionSchema,
  poderoUserSchema,
  priceZoneSchema,
  statisticsResponseSchema,
  tokenResponseSchema,
} from './schemas';
import {
  appendixAHeatPumps,
  buildingExample,
  gettingStartedUser,
  onboardingSessionExample,
  referenceHeatPump,
  referenceUser,
  statisticsExample,
  tokenExample,
} from './test-support/fixtures';

describe('response schemas accept the contract examples', () => {
  it.each([
    ['the reference user', poderoUserSchema, referenceUser],
    ['the getting-started user (location_last_updated, no counters)', poderoUserSchema, gettingStartedUser],
    [
      'a user with an integer zip code (the guide)',
      poderoUserSchema,
      { ...gettingStartedUser, zip_code: 1010 },
    ],
    ['the building', poderoBuildingSchema, buildingExample],
    ['the onboarding session', poderoOnboardingSessionSchema, onboardingSessionExample],
    ['the reference heat pump', poderoHeatPumpSchema, referenceHeatPump],
    ["Appendix A's heat pump", poderoHeatPumpSchema, appendixAHeatPumps[0]],
    ['a heat pump with only an id', poderoHeatPumpSchema, { id: 'hp-1' }],
    ['the statistics', statisticsResponseSchema, statisticsExample],
    ['the token response', tokenResponseSchema, tokenExample],
  ] as const)('parses %s unchanged', (_name, schema, example) => {
    expect(schema.parse(example)).toEqual(example);
  });

  it('still requires what a caller cannot do without', () => {
    expect(poderoHeatPumpSchema.safeParse({ operational_mode: 'heating' }).success).toBe(false);
    expect(poderoOnboardingSessionSchema.safeParse({ id: 'x' }).success).toBe(false);
    expect(tokenResponseSchema.safeParse({ expires_in: 10 }).success).toBe(false);
  });
});

describe('enum value lists', () => {
  it('exports the documented price zones and languages for reuse', () => {
    expect(PRICE_ZONES).toContain('DE_LU');
    expect(PRICE_ZONES).not.toContain('DE');
    expect(PRICE_ZONES).toHaveLength(21);
    expect(LANGUAGES).toEqual(['sv', 'de', 'en', 'hu', 'it', 'et', 'pl', 'ro']);
    expect(priceZoneSchema.safeParse('DE').success).toBe(false);
  });
});
