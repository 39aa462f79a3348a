import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { BRIDGE_DEFAULTS, PoderoBridgeSettingsError, parseBridgeSettings } from '@podero-bridge/cdk/internal';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DEFAULT_STAGES_FILE, resolveStageConfig } from '../lib/config';

const stagesFile = z
  .object({
    defaults: z.record(z.string(), z.unknown()),
    stages: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .parse(JSON.parse(readFileSync(DEFAULT_STAGES_FILE, 'utf8')));

/** Every leaf of `value` with its dotted path (arrays are leaves: a stage replaces them whole). */
function leavesOf(value: unknown, prefix = ''): [string, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => leavesOf(inner, prefix ? `${prefix}.${key}` : key));
}

const productDefaults = new Map(leavesOf(BRIDGE_DEFAULTS));

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
  it("defaults every field a partner leaves out to the product's defaults, field by field", () => {
    const settings = parseBridgeSettings(minimal);
    for (const [section, value] of Object.entries(BRIDGE_DEFAULTS)) {
      expect(settings[section as keyof typeof settings], section).toEqual(value);
    }
    expect(settings.identityProvider).toEqual({ enabled: false });
    const sized = parseBridgeSettings({ ...minimal, sync: { workers: 8 }, throttling: { rateLimit: 200 } });
    expect(sized.sync).toEqual({ ...BRIDGE_DEFAULTS.sync, workers: 8 });
    expect(sized.throttling).toEqual({ ...BRIDGE_DEFAULTS.throttling, rateLimit: 200 });
  });

  it("infra/stages.json sets only what a stage changes: no value there restates the construct's default", () => {
    const restated = Object.entries({ defaults: stagesFile.defaults, ...stagesFile.stages }).flatMap(
      ([where, settings]) =>
        leavesOf(settings)
          .filter(
            ([field, value]) =>
              productDefaults.has(field) && isDeepStrictEqual(value, productDefaults.get(field)),
          )
          .map(([field]) => `${where}: ${field}`),
    );
    expect(restated).toEqual([]);
  });

  it("resolves the repository's stages to the product's defaults but for what each stage sets", () => {
    const resolve = (stage: string) =>
      resolveStageConfig({ stage, stagesFile: JSON.parse(readFileSync(DEFAULT_STAGES_FILE, 'utf8')) });
    expect(resolve('dev').sync).toEqual(BRIDGE_DEFAULTS.sync);
    expect(resolve('dev').throttling).toEqual(BRIDGE_DEFAULTS.throttling);
    expect(resolve('prod').sync).toEqual({ ...BRIDGE_DEFAULTS.sync, workers: 8, rateLimitPerSecond: 200 });
    expect(resolve('prod').removalPolicy).toBe('retain');
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
