import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Aws, DockerImage, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ARTIFACT_MODE, CONSOLE_ROOT, PACKED_ROOT, prebuiltConsoleDir } from '../artifacts';
import type { PoderoBridgeSettings } from '../props';

export { CONSOLE_ROOT };

export interface ConsoleSiteProps {
  readonly console: PoderoBridgeSettings['console'];
  /** The console's app client at the issuer (a token when the bridge's own user pool created it). */
  readonly clientId: string;
  /** The issuer the API's JWT authorizer trusts: the console signs in there (may be a token). */
  readonly issuer: string;
  /** The issuer's origin, for the CSP (a token's origin cannot be parsed from it at synth time). */
  readonly issuerOrigin: string;
  /** Origins the sign-in talks to besides the issuer's: `console.authOrigins` and the user pool's domain. */
  readonly authOrigins: readonly string[];
  /** The API's base URL (a token): the console's only data origin. */
  readonly apiUrl: string;
  readonly stage: string;
}

/**
 * The operator console in AWS: the built files in a private, encrypted, TLS-only bucket that only this
 * distribution reads (origin access control), served over HTTPS only with security headers, `config.json`
 * written per stage at deploy time (no URL, client id or secret in the bundle; there is no secret at all:
 * the console is a public client using PKCE).
 */
export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeaders: cloudfront.ResponseHeadersPolicy;
  /** `https://<domain>`: the one browser origin the API's CORS allows for the console. */
  readonly origin: string;
  readonly deployments: readonly s3deploy.BucketDeployment[];
  /** Served on `console.domain` with its certificate (else on the *.cloudfront.net name). */
  readonly hasCustomDomain: boolean;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    // Both buckets outlive the stack whatever the stage's removal policy: a bucket that still holds objects
    // cannot be deleted by CloudFormation (the stack's deletion would fail), and emptying it on delete needs a
    // custom resource with delete rights on it. The files are rebuilt by any deploy; the logs are audit records.

    // CloudFront's standard logs need ACLs on their bucket (object writer); it takes the site bucket's access logs too.
    this.logBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'files/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const domain = props.console.domain;
    this.hasCustomDomain = domain !== undefined;
    // The API's CORS names this site's origin. On a custom domain that is a plain name, so the CSP can name the
    // API exactly; on the *.cloudfront.net name the origin is the distribution's own attribute, and naming the
    // API in the distribution's headers would make the two depend on each other: the CSP allows the region's
    // API Gateway hosts instead (the console still calls only its config.json's api_url).
    const apiOrigin = domain
      ? Fn.join('', ['https://', Fn.select(2, Fn.split('/', props.apiUrl))])
      : `https://*.execute-api.${Aws.REGION}.amazonaws.com`;
    const connect = ["'self'", apiOrigin, props.issuerOrigin, ...props.authOrigins];
    this.responseHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `podero-bridge ${props.stage} console: CSP, HSTS, no framing, no sniffing, no referrer`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            `connect-src ${connect.join(' ')}`,
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
          ].join('; '),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `podero-bridge ${props.stage} operator console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeaders,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(domain
        ? {
            domainNames: [domain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.origin = domain ? `https://${domain.name}` : `https://${this.distribution.distributionDomainName}`;

    const built = consoleAsset();
    const config = s3deploy.Source.jsonData('config.json', {
      stage: props.stage,
      api_url: props.apiUrl,
      auth: {
        mode: 'oidc',
        issuer: props.issuer,
        client_id: props.clientId,
        scopes: props.console.scopes,
      },
      customer_links: {
        onboarding_success_url: props.console.customerLinks.onboardingSuccessUrl,
        onboarding_cancel_url: props.console.customerLinks.onboardingCancelUrl,
        reauthentication_success_url: props.console.customerLinks.reauthenticationSuccessUrl,
        reauthentication_cancel_url: props.console.customerLinks.reauthenticationCancelUrl,
      },
    });
    // Hashed assets are cached for good; index.html and config.json are asked again each visit, so a deploy shows
    // at once. No pruning: a tab still on the old index.html keeps finding its assets.
    const assets = new s3deploy.BucketDeployment(this, 'Assets', {
      destinationBucket: this.bucket,
      sources: [built],
      exclude: ['index.html'],
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.days(365)),
        s3deploy.CacheControl.immutable(),
      ],
      prune: false,
      memoryLimit: 256,
    });
    const entry = new s3deploy.BucketDeployment(this, 'Entry', {
      destinationBucket: this.bucket,
      sources: [built, config],
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      prune: false,
      memoryLimit: 256,
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/config.json'],
    });
    entry.node.addDependency(assets);
    this.deployments = [assets, entry];
  }
}

/**
 * The console's build as an asset: `cdk synth` runs the console's own Vite (as NodejsFunction runs esbuild),
 * into the asset's output directory; synths that skip bundling (the infra tests) skip it too.
 */
function consoleAsset(): s3deploy.ISource {
  // The published package carries the console built when it was packed (artifacts.ts).
  if (ARTIFACT_MODE === 'packed') return s3deploy.Source.asset(prebuiltConsoleDir(PACKED_ROOT));
  return s3deploy.Source.asset(CONSOLE_ROOT, {
    exclude: ['node_modules', 'dist', 'dist.*', '*.test.ts', '*.test.tsx'],
    bundling: {
      // Docker is the fallback CDK requires a bundling to name; the local build below is what runs.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim'),
      command: ['sh', '-c', 'echo "build the console locally (pnpm install) and synth again" && exit 1'],
      local: {
        tryBundle(outputDir) {
          return buildConsoleInto(outputDir);
        },
      },
    },
  });
}

/**
 * Builds the console with its own Vite into `outputDir` (source mode: at synth time; scripts/build.ts: at pack
 * time). A production build whatever NODE_ENV the caller runs with (vitest sets `test`, which gives Preact's
 * development JSX with this machine's source paths in it).
 */
export function buildConsoleInto(outputDir: string): boolean {
  const vitePackage = createRequire(path.join(CONSOLE_ROOT, 'package.json')).resolve('vite/package.json');
  const result = spawnSync(
    process.execPath,
    [
      path.join(path.dirname(vitePackage), 'bin', 'vite.js'),
      'build',
      CONSOLE_ROOT,
      '--outDir',
      outputDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
  return result.status === 0;
}
