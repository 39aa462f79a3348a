import { describe, expect, it } from 'vitest';
import {
  createOnboardingSessionRequestSchema,
  LANGUAGES,
  PRICE_ZONES,
  poderoBuildingSchema,
  poderoHeatPumpSchema,
  poderoOnboardingSessionCreatedSchema,
  poderoOnboardingSessionSchema,
  poderoUserSchema,
  priceZoneSchema,
  statisticsResponseSchema,
  tokenResponseSchema,
  updateHeatPumpRequestSchema,
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
    expect(poderoOnboardingSessionCreatedSchema.safeParse({ id: 'x' }).success).toBe(false);
    expect(poderoOnboardingSessionSchema.safeParse({}).success).toBe(false);
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

describe('contract corrections (issue: conformance probe)', () => {
  it('heat-pump writes: a switch or an enum refuses null, a limit or a time accepts it', () => {
    expect(updateHeatPumpRequestSchema.safeParse({ is_smart_optimization_active: null }).success).toBe(false);
    expect(updateHeatPumpRequestSchema.safeParse({ optimization_level: null }).success).toBe(false);
    expect(updateHeatPumpRequestSchema.safeParse({ indoor_target_temperature_offset: null }).success).toBe(
      false,
    );
    expect(
      updateHeatPumpRequestSchema.safeParse({
        minimum_temperature_limit: null,
        pause_power_until: null,
        building_id: null,
      }).success,
    ).toBe(true);
    expect(
      updateHeatPumpRequestSchema.safeParse({ device_model: { manufacturer: 'Nibe', model: null } }).success,
    ).toBe(true);
  });

  it('onboarding: building_id may be null; a read after completion may have no authentication_url', () => {
    const body = {
      user_id: '497f6eca-6276-4993-bfeb-53cbbbba6f08',
      language: 'en',
      price_zone_default: 'AT',
      success_url: 'https://p.example/ok',
      cancel_url: 'https://p.example/no',
    };
    expect(createOnboardingSessionRequestSchema.safeParse({ ...body, building_id: null }).success).toBe(true);
    expect(
      poderoOnboardingSessionSchema.safeParse({ id: 's', authentication_url: null, object_id: 'd' }).success,
    ).toBe(true);
    expect(
      poderoOnboardingSessionCreatedSchema.safeParse({ id: 's', authentication_url: null }).success,
    ).toBe(false);
  });
});
