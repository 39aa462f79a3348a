import type { ConsoleSite } from '@podero-bridge/cdk/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_CONSOLE_CLIENT_ID, placeholdersIn, StageConfigError } from '../lib/config';
import {
  CUSTOM_CONSOLE_STAGE,
  logicalIdOf,
  propertiesOf,
  resourcesOfType,
  type Synthesized,
  stageConfig,
  synthesize,
} from './support';

let dev: Synthesized;
let custom: Synthesized;
const site = (s: Synthesized): ConsoleSite => {
  if (!s.stack.bridge.consoleSite) throw new Error('no console site');
  return s.stack.bridge.consoleSite;
};
const idOf = (s: Synthesized, construct: { node: { defaultChild?: unknown } }) =>
  logicalIdOf(s.stack, construct);

beforeAll(() => {
  dev = synthesize(stageConfig('dev'));
  custom = synthesize(stageConfig('prod', CUSTOM_CONSOLE_STAGE));
}, 120_000);

describe('console site in AWS', () => {
  it('keeps the files in a private, encrypted, TLS-only bucket that only the distribution may read', () => {
    const bucket = propertiesOf(dev.template, 'AWS::S3::Bucket', idOf(dev, site(dev).bucket));
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    const policies = Object.values(resourcesOfType(dev.template, 'AWS::S3::BucketPolicy')).filter(
      (p) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: idOf(dev, site(dev).bucket) }),
    );
    const statements = policies.flatMap(
      (p) =>
        (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)?.Statement ??
        [],
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: {
        StringEquals: {
          'AWS:SourceArn': expect.anything(),
        },
      },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(idOf(dev, site(dev).distribution));
  });

  it('serves over HTTPS only through origin access control, with the security headers', () => {
    const distribution = propertiesOf(
      dev.template,
      'AWS::CloudFront::Distribution',
      idOf(dev, site(dev).distribution),
    ).DistributionConfig as Record<string, unknown>;
    expect(distribution).toMatchObject({
      DefaultRootObject: 'index.html',
      Enabled: true,
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] },
      Logging: expect.objectContaining({ Prefix: 'cloudfront/' }),
    });
    const [origin] = distribution.Origins as Record<string, unknown>[];
    expect(origin?.OriginAccessControlId).toBeDefined();
    expect(JSON.stringify(origin?.S3OriginConfig)).toContain('"OriginAccessIdentity":""');
    dev.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const headers = propertiesOf(
      dev.template,
      'AWS::CloudFront::ResponseHeadersPolicy',
      idOf(dev, site(dev).responseHeaders),
    ).ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const security = headers.SecurityHeadersConfig;
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY', Override: true });
    expect(security.ContentTypeOptions).toMatchObject({ Override: true });
    expect(security.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'no-referrer' });
    expect(security.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 730 * 86_400,
      IncludeSubdomains: true,
    });
    const csp = JSON.stringify(security.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    // The sign-in's issuer is a connect-src; on the cloudfront.net name the API is the region's execute-api hosts.
    expect(csp).toContain(new URL(dev.config.jwt?.issuer ?? 'https://missing.invalid').origin);
    expect(csp).toContain('execute-api.');
  });

  it('opens the API to the console origin only (plus the configured ones), and outputs the console URL', () => {
    const api = Object.values(resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Api'))[0];
    const origins =
      (api?.Properties?.CorsConfiguration as { AllowOrigins: unknown[] } | undefined)?.AllowOrigins ?? [];
    expect(origins.slice(0, -1)).toEqual(dev.config.cors.allowOrigins);
    expect(JSON.stringify(origins.at(-1))).toContain(idOf(dev, site(dev).distribution));
    expect(JSON.stringify(origins.at(-1))).toContain('DomainName');
    expect(Object.keys(dev.template.findOutputs('ConsoleUrl'))).toEqual(['ConsoleUrl']);
  });

  it('on a custom domain: its certificate by SNI with TLS 1.2 at least, CORS for that name, the API named exactly', () => {
    const distribution = propertiesOf(
      custom.template,
      'AWS::CloudFront::Distribution',
      idOf(custom, site(custom).distribution),
    ).DistributionConfig as Record<string, unknown>;
    expect(distribution.Aliases).toEqual(['console.partner.example']);
    expect(distribution.ViewerCertificate).toEqual({
      AcmCertificateArn: CUSTOM_CONSOLE_STAGE.console.domain.certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    const api = Object.values(resourcesOfType(custom.template, 'AWS::ApiGatewayV2::Api'))[0];
    expect(
      (api?.Properties?.CorsConfiguration as { AllowOrigins: unknown[] } | undefined)?.AllowOrigins,
    ).toEqual(['https://console.partner.example']);
    const csp = JSON.stringify(
      propertiesOf(
        custom.template,
        'AWS::CloudFront::ResponseHeadersPolicy',
        idOf(custom, site(custom).responseHeaders),
      ),
    );
    expect(csp).not.toContain('*.execute-api');
    expect(csp).toContain('https://partner.auth.eu-central-1.amazoncognito.com');
    expect(csp).toContain(idOf(custom, custom.stack.bridge.httpApi.api));
  });

  it('deploys index.html and config.json uncached and invalidated, the hashed assets cached for good (contents: bundle.integ.test.ts)', () => {
    const deployments = Object.values(resourcesOfType(dev.template, 'Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const entry = deployments.find((d) =>
      JSON.stringify(d.Properties?.Include ?? []).includes('config.json'),
    );
    expect(entry?.Properties).toMatchObject({
      Prune: false,
      Exclude: ['*'],
      Include: ['index.html', 'config.json'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/', '/index.html', '/config.json'],
    });
    const assets = deployments.find((d) => d !== entry);
    expect(assets?.Properties).toMatchObject({
      Prune: false,
      Exclude: ['index.html'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    // config.json's deploy-time values: the API URL, and nothing else the synth does not know.
    expect(JSON.stringify(entry?.Properties?.SourceMarkers)).toContain(
      idOf(dev, dev.stack.bridge.httpApi.api),
    );
  });

  it('adds one function, CDK’s BucketDeployment, whose grants reach only the asset bucket, the console bucket and invalidations', () => {
    const ours = new Set(Object.values(dev.stack.bridge.functions).map((fn) => idOf(dev, fn.function)));
    // CDK's bucket-notifications function belongs to the forecast drop (stack.integ.test.ts tests it).
    const others = Object.keys(resourcesOfType(dev.template, 'AWS::Lambda::Function')).filter(
      (id) => !ours.has(id) && !id.startsWith('BucketNotificationsHandler'),
    );
    expect(others).toHaveLength(1);
    expect(others[0]).toMatch(/^CustomCDKBucketDeployment/);
    const role = site(dev).deployments[0]?.handlerRole;
    if (!role) throw new Error('no deployment role');
    const roleId = idOf(dev, role);
    const statements = Object.values(resourcesOfType(dev.template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties?.Roles).includes(roleId))
      .flatMap(
        (p) =>
          (
            p.Properties?.PolicyDocument as
              | { Statement: { Action: unknown; Resource: unknown }[] }
              | undefined
          )?.Statement ?? [],
      );
    const bucketId = idOf(dev, site(dev).bucket);
    for (const statement of statements) {
      const resources = JSON.stringify(statement.Resource);
      const actions = [statement.Action].flat() as string[];
      if (resources === '"*"') {
        expect(actions.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
      } else {
        expect(resources.includes(bucketId) || resources.includes('cdk-hnb659fds-assets'), resources).toBe(
          true,
        );
        for (const action of actions) expect(action.startsWith('s3:'), action).toBe(true);
      }
    }
  });

  it('can be left out, and refuses a console client the API would not accept', () => {
    const headless = synthesize(stageConfig('prod', { console: { enabled: false } }));
    expect(headless.stack.bridge.consoleSite).toBeUndefined();
    expect(Object.keys(resourcesOfType(headless.template, 'AWS::CloudFront::Distribution'))).toEqual([]);
    expect(() => stageConfig('prod', { console: { clientId: 'not-an-audience' } })).toThrow(StageConfigError);
    expect(() => stageConfig('prod', { console: { clientId: 'not-an-audience' } })).toThrow(
      /console\.clientId/,
    );
    expect(dev.config.console.clientId).toBe(PLACEHOLDER_CONSOLE_CLIENT_ID);
    expect(placeholdersIn(dev.config)).toEqual(
      expect.arrayContaining(['console.clientId', 'console.customerLinks']),
    );
    expect(placeholdersIn(custom.config)).not.toContain('console.clientId');
    expect(() => stageConfig('dev', { console: { domain: { name: 'x', certificateArn: 'arn' } } })).toThrow(
      /console\.domain/,
    );
  });
});
