import { readFileSync } from 'node:fs';
import { PoderoBridgeSettingsError, parseBridgeSettings, SECTION_DEFAULTS } from '@podero-bridge/cdk';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DEFAULT_STAGES_FILE } from '../lib/config';

const stagesDefaults = z
  .object({ defaults: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(DEFAULT_STAGES_FILE, 'utf8'))).defaults;

const minimal = {
  stage: 'partner',
  jwt: { issuer: 'https://login.partner.example', audiences: ['podero-bridge'] },
  podero: { baseUrl: 'https://app.podero.com', orgId: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90' },
  console: {
    enabled: false,
    scopes: ['openid', 'bridge/admin'],
    authOrigins: [],
    customerLinks: {
      onboardingSuccessUrl: 'https://app.partner.example/ok',
      onboardingCancelUrl: 'https://app.partner.example/cancel',
      reauthenticationSuccessUrl: 'https://app.partner.example/ok',
      reauthenticationCancelUrl: 'https://app.partner.example/cancel',
    },
  },
};

describe('PoderoBridge props', () => {
  it("defaults every section a partner may leave out to infra/stages.json's defaults", () => {
    for (const [section, value] of Object.entries(SECTION_DEFAULTS)) {
      expect(value, section).toEqual(stagesDefaults[section]);
    }
    const settings = parseBridgeSettings(minimal);
    expect(settings.sync).toEqual({ ...(stagesDefaults.sync as object), deviceKindsRecheckHours: 24 });
    expect(settings.identityProvider).toEqual({ enabled: false });
    expect(settings.removalPolicy).toBe('destroy');
  });

  it('takes the issuer from jwt or from its own identity provider, never both and never neither', () => {
    expect(() => parseBridgeSettings({ ...minimal, identityProvider: { enabled: true } })).toThrow(
      /jwt: must be absent with identityProvider.enabled/,
    );
    const { jwt: _jwt, ...withoutIssuer } = minimal;
    expect(() => parseBridgeSettings(withoutIssuer)).toThrow(/jwt: required unless identityProvider.enabled/);
    expect(
      parseBridgeSettings({ ...withoutIssuer, identityProvider: { enabled: true } }).jwt,
    ).toBeUndefined();
  });

  it('names every bad field, and refuses unknown ones', () => {
    const attempt = () => parseBridgeSettings({ ...minimal, sync: { everyMinutes: 0 }, colour: 'blue' });
    expect(attempt).toThrow(PoderoBridgeSettingsError);
    expect(attempt).toThrow(/sync\.everyMinutes/);
    expect(attempt).toThrow(/colour/);
    expect(() =>
      parseBridgeSettings({ ...minimal, identityProvider: { enabled: true, domainPrefix: 'my-cognito' } }),
    ).toThrow(/identityProvider\.domainPrefix/);
  });
});
