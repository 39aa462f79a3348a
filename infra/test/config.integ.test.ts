import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STAGES_FILE,
  deepMerge,
  loadStageConfig,
  PLACEHOLDER_JWT_ISSUER,
  placeholdersIn,
  resolveStageConfig,
  returnUrlOriginsOf,
  StageConfigError,
} from '../lib/config';
import { logicalIdOf, resourcesOfType, stageConfig, synthesize } from './support';

const stagesFile = JSON.parse(readFileSync(DEFAULT_STAGES_FILE, 'utf8')) as unknown;

describe('stage config', () => {
  it('resolves dev offline with no account: env-agnostic, placeholder issuer, destroyable data', () => {
    const dev = stageConfig('dev');
    expect(dev).toMatchObject({
      stage: 'dev',
      jwt: { issuer: PLACEHOLDER_JWT_ISSUER },
      removalPolicy: 'destroy',
      credentialsSecret: { mode: 'create' },
    });
    expect(dev.account).toBeUndefined();
    expect(dev.region).toBeUndefined();
    expect(placeholdersIn(dev)).toEqual([
      'jwt.issuer',
      'podero.orgId',
      'console.clientId',
      'console.customerLinks',
    ]);
  });

  it('layers defaults, the stage entry and -c stageConfig overrides, deep-merging objects', () => {
    const prod = resolveStageConfig({
      stage: 'prod',
      stagesFile,
      overrides: JSON.stringify({
        jwt: { issuer: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_abc' },
        podero: { orgId: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90' },
      }),
    });
    expect(prod.removalPolicy).toBe('retain');
    expect(prod.podero).toEqual({
      baseUrl: 'https://app.podero.com',
      orgId: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90',
    });
    // Audiences come from the defaults: only the issuer was overridden.
    expect(prod.jwt?.audiences).toEqual(['podero-bridge']);
    // Only the console's client and links are left to set.
    expect(placeholdersIn(prod)).toEqual(['console.clientId', 'console.customerLinks']);
  });

  it('uses the defaults for a stage that the file does not list', () => {
    const staging = stageConfig('staging');
    expect(staging.stage).toBe('staging');
    expect(staging.removalPolicy).toBe('destroy');
  });

  it('reads stage, stagesFile and stageConfig from the CDK context', () => {
    const app = new App({
      context: { stage: 'prod', stageConfig: { sync: { everyMinutes: 5, concurrency: 2 } } },
    });
    const config = loadStageConfig(app.node);
    expect(config.stage).toBe('prod');
    expect(config.sync).toEqual({
      everyMinutes: 5,
      concurrency: 2,
      safetyMarginSeconds: 60,
      workers: 8,
      shardSize: 1000,
      rateLimitPerSecond: 200,
      // Not in the stage file: the default (a user's device kinds rechecked once a day).
      deviceKindsRecheckHours: 24,
    });
  });

  it.each([
    [{ jwt: { issuer: 'http://insecure.example/issuer' } }, 'jwt.issuer'],
    [{ jwt: { audiences: [] } }, 'jwt.audiences'],
    [{ podero: { orgId: 'acme' } }, 'podero.orgId'],
    [{ sync: { everyMinutes: 0 } }, 'sync.everyMinutes'],
    [{ logRetentionDays: 10 }, 'logRetentionDays'],
    [{ removalPolicy: 'snapshot' }, 'removalPolicy'],
    [{ credentialsSecret: { mode: 'import' } }, 'credentialsSecret.arn'],
    [{ credentialsSecret: { mode: 'import', arn: 'podero-credentials' } }, 'credentialsSecret.arn'],
    [{ account: '12345' }, 'account'],
    [{ cors: { allowOrigins: ['http://evil.example'] } }, 'cors.allowOrigins'],
    [{ returnUrls: { allowOrigins: ['http://app.partner.example'] } }, 'returnUrls.allowOrigins'],
    [{ returnUrls: { allowOrigins: ['https://app.partner.example/done'] } }, 'returnUrls.allowOrigins'],
    [{ returnUrls: { allowOrigins: ['*'] } }, 'returnUrls.allowOrigins'],
    [{ alarms: { email: 'ops@x.test', topicArn: 'arn:aws:sns:eu-central-1:123456789012:t' } }, 'alarms'],
    // Credentials never travel through the config: unknown keys are rejected, not ignored.
    [{ credentialsSecret: { mode: 'create', client_secret: 'oops' } }, 'credentialsSecret'],
    [{ throttling: { rateLimit: 10, burstLimit: 10, extra: 1 } }, 'throttling'],
  ])('rejects %j naming %s', (overrides, field) => {
    expect(() => stageConfig('dev', overrides)).toThrow(StageConfigError);
    expect(() => stageConfig('dev', overrides)).toThrow(new RegExp(`- ${field.replace('.', '\\.')}`));
  });

  it("gives the api function the stage's return URL origins, the console's links among them, and no loopback", () => {
    const config = stageConfig('dev', {
      returnUrls: { allowOrigins: ['https://app.partner.example', 'https://shop.partner.example'] },
    });
    // The shipped console links (app.example.invalid) are the console's return pages: added once.
    expect(returnUrlOriginsOf(config)).toEqual([
      'https://app.partner.example',
      'https://shop.partner.example',
      'https://app.example.invalid',
    ]);
    expect(returnUrlOriginsOf({ ...config, console: { ...config.console, enabled: false } })).toEqual([
      'https://app.partner.example',
      'https://shop.partner.example',
    ]);
    const { stack, template } = synthesize(config);
    const api = resourcesOfType(template, 'AWS::Lambda::Function')[
      logicalIdOf(stack, stack.bridge.functions.api.function)
    ];
    expect(api?.Properties?.Environment).toMatchObject({
      Variables: {
        RETURN_URL_ORIGINS:
          'https://app.partner.example,https://shop.partner.example,https://app.example.invalid',
        RETURN_URL_ALLOW_LOOPBACK: 'false',
      },
    });
  });

  it('rejects a stageConfig override that is not a JSON object', () => {
    expect(() => resolveStageConfig({ stage: 'dev', stagesFile, overrides: '{not json' })).toThrow(
      /stageConfig" must be a JSON object/,
    );
    expect(() => resolveStageConfig({ stage: 'dev', stagesFile, overrides: '[1]' })).toThrow(
      StageConfigError,
    );
  });

  it('rejects a stage name that cannot be part of a stack name', () => {
    expect(() => stageConfig('Prod_1')).toThrow(/- stage:/);
  });

  it('refuses a refresh margin shorter than the token-refresh interval (a token could expire unchecked)', () => {
    expect(() => synthesize(stageConfig('dev', { token: { refreshMarginSeconds: 1800 } }))).toThrow(
      /refreshMarginSeconds \(1800\) must exceed the token-refresh interval \(3600 s\)/,
    );
  });

  it('deep-merges objects and replaces arrays', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
  });

  it('warns at synth time while a placeholder is configured', () => {
    const { stack } = synthesize(stageConfig('dev'));
    const warnings = stack.bridge.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning')
      .map((entry) => String(entry.data));
    expect(warnings.some((w) => w.includes('jwt.issuer is a placeholder'))).toBe(true);
    const real = synthesize(
      stageConfig('dev', {
        jwt: { issuer: 'https://login.partner.test', audiences: ['podero-bridge', 'console-app'] },
        podero: { orgId: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90' },
        console: {
          clientId: 'console-app',
          customerLinks: {
            onboardingSuccessUrl: 'https://app.partner.test/ok',
            onboardingCancelUrl: 'https://app.partner.test/cancel',
            reauthenticationSuccessUrl: 'https://app.partner.test/ok',
            reauthenticationCancelUrl: 'https://app.partner.test/cancel',
          },
        },
      }),
    );
    expect(real.stack.bridge.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning')).toEqual([]);
  });
});
