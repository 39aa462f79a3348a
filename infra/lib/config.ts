/**
 * Per-stage configuration of the CDK app, validated with zod.
 *
 * Where values come from, later wins:
 *   1. `defaults` in the stages file (`infra/stages.json` unless `-c stagesFile=PATH`),
 *   2. `stages.<name>` in that file (`-c stage=NAME`, default `dev`; an unknown name uses the defaults),
 *   3. `-c stageConfig='{"jwt":{"issuer":"https://..."}}'`: a JSON object merged on top, for one-off overrides.
 *
 * Objects merge deeply; arrays and scalars replace. The result is parsed by `stageConfigSchema`, so a typo or
 * a wrong type fails `cdk synth` with the path of the offending field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';

/** The issuer that ships in `infra/stages.json`: synthesizes offline, authenticates nobody. Replace it. */
export const PLACEHOLDER_JWT_ISSUER = 'https://example.invalid/issuer';
/** Placeholder organisation id: replace with the `org_id` Podero gave you. */
export const PLACEHOLDER_ORG_ID = '00000000-0000-0000-0000-000000000000';

/** The console's app client until one is set: synthesizes, signs nobody in. */
export const PLACEHOLDER_CONSOLE_CLIENT_ID = 'REPLACE-console-client-id';

const validRetentionDays = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

const httpsUrl = z.url({ protocol: /^https$/ });

const credentialsSecretSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    /** The stack creates the secret with a placeholder value; you put the real credentials in after deploy. */
    mode: z.literal('create'),
  }),
  z.strictObject({
    /** An existing secret holding `{client_id, client_secret, org_id, base_url?}`. */
    mode: z.literal('import'),
    arn: z
      .string()
      .regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager ARN'),
    /** Set when the imported secret is encrypted with a customer-managed KMS key: token-refresh gets kms:Decrypt. */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/.+$/, 'must be a KMS key ARN')
      .optional(),
  }),
]);

export const stageConfigSchema = z
  .strictObject({
    /** Stage name; part of the stack name (`PoderoBridge-<stage>`). */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,20}$/, 'lower-case letters, digits and dashes, 1-21 characters'),
    /** Omit both for an environment-agnostic stack (synthesizes with no AWS account, deploys to the CLI's). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1')
      .optional(),
    jwt: z.strictObject({
      /** OIDC issuer URL; API Gateway fetches `<issuer>/.well-known/openid-configuration`. */
      issuer: httpsUrl,
      /** Accepted `aud` (or `client_id`) values; at least one. */
      audiences: z.array(z.string().min(1)).min(1),
    }),
    podero: z.strictObject({
      /** Podero host, e.g. https://app.podero.com (production) or https://sandbox-app.podero.com. */
      baseUrl: httpsUrl,
      /** The organisation UUID Podero gave you (the functions address `/org/{org_id}/...`). */
      orgId: z.uuid(),
    }),
    sync: z.strictObject({
      /** Interval of the heat-pump-sync schedule (overrides the declared default). */
      everyMinutes: z.int().min(1).max(1440),
      /** Users synced in parallel by one sync run. */
      concurrency: z.int().min(1).max(50),
      /** A run stops starting users when less than this remains of its timeout (room to save the cursor). */
      safetyMarginSeconds: z.int().min(1).max(600),
      /**
       * W: heat-pump-sync-worker instances at once (the event source mapping's maximumConcurrency; AWS allows
       * 2..1000). A fleet of one shard still runs on one worker.
       */
      workers: z.int().min(2).max(1000),
      /** The most users in one shard of a fleet pass. */
      shardSize: z.int().min(1).max(100_000),
      /**
       * Podero requests per second for the whole stage, shared by every worker (0: none). Podero documents no
       * limit: set one after talking to your account manager, below what they allow, leaving room for the API.
       */
      rateLimitPerSecond: z.int().min(0).max(100_000),
      /**
       * Every this many hours the sync asks Podero about every device kind of a user (in between only about
       * the kinds the user has: a kind is found when an onboarding session connects it, or at this recheck).
       */
      deviceKindsRecheckHours: z.int().min(1).max(2160).default(24),
    }),
    token: z.strictObject({
      /** token-refresh fetches a new token when less than this much of its lifetime remains. */
      refreshMarginSeconds: z.int().min(60),
      /** How long a function may serve the token secret from its in-memory cache. */
      cacheMaxAgeSeconds: z.int().min(1).max(3600),
    }),
    readings: z.strictObject({
      /** Readings expire (DynamoDB TTL) this many days after their timestamp. */
      retentionDays: z.int().min(1).max(3650),
    }),
    events: z.strictObject({
      /** Days the event bus's archive keeps change events for replay (EventBridge archives: 0 = forever, not allowed here). */
      archiveRetentionDays: z.int().min(1).max(3650),
    }),
    alarms: z
      .strictObject({
        /** E-mail address subscribed to a topic the stack creates (confirm the subscription mail). */
        email: z.email().optional(),
        /** Or an existing SNS topic to notify instead of creating one. */
        topicArn: z
          .string()
          .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:.+$/, 'must be an SNS topic ARN')
          .optional(),
      })
      .refine((a) => !(a.email && a.topicArn), 'set alarms.email or alarms.topicArn, not both'),
    credentialsSecret: credentialsSecretSchema,
    cors: z.strictObject({
      /** Browser origins allowed to call the API; empty disables CORS (server-to-server use). */
      allowOrigins: z.array(z.union([z.literal('*'), httpsUrl, z.url({ hostname: /^localhost$/ })])),
    }),
    returnUrls: z.strictObject({
      /**
       * Origins the API may send an end user's browser back to (a re-authentication's `success_url` and
       * `cancel_url`; any other is refused with 400). The console's customer links are added to these.
       */
      allowOrigins: z.array(
        httpsUrl.refine(
          (v) => URL.canParse(v) && new URL(v).origin === v,
          'must be an origin: https://host[:port], lower case, no path or trailing slash',
        ),
      ),
    }),
    /**
     * The operator console (console/): its files in a private S3 bucket behind CloudFront, sign-in with the
     * authorization code flow and PKCE at `jwt.issuer`, and the API's CORS opened to its origin. infra/README.md.
     */
    console: z.strictObject({
      enabled: z.boolean(),
      /** The issuer's public app client for the console (Cognito: an app client without a secret); one of `jwt.audiences`. */
      clientId: z.string().min(1).max(256),
      /** Scopes the console asks for; its token must carry `bridge/admin` for the operator routes. */
      scopes: z.array(z.string().min(1)).min(1),
      /**
       * Origins the sign-in talks to besides the issuer's own (the browser's CSP allows only these): Cognito's
       * authorize and token endpoints are on the user pool's domain, e.g. https://<prefix>.auth.<region>.amazoncognito.com.
       */
      authOrigins: z.array(httpsUrl),
      /** Where the partner's customers land after the Connect UI; the console hands these links on. */
      customerLinks: z.strictObject({
        onboardingSuccessUrl: httpsUrl,
        onboardingCancelUrl: httpsUrl,
        reauthenticationSuccessUrl: httpsUrl,
        reauthenticationCancelUrl: httpsUrl,
      }),
      /** A custom domain (with its ACM certificate in us-east-1); without one the CloudFront domain serves it. */
      domain: z
        .strictObject({
          name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'a DNS name such as console.partner.example'),
          certificateArn: z
            .string()
            .regex(
              /^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/.+$/,
              'an ACM certificate ARN in us-east-1',
            ),
        })
        .optional(),
    }),
    throttling: z.strictObject({
      /** Steady-state requests per second for the whole API (default stage): every read route's limit. */
      rateLimit: z.int().min(1),
      /** Burst bucket size. */
      burstLimit: z.int().min(1),
      /** Each write route's own (tighter) limit: POST, PATCH and DELETE reach Podero and change it. */
      writeRateLimit: z.int().min(1),
      writeBurstLimit: z.int().min(1),
    }),
    /** CloudWatch Logs retention for function and access logs (a value CloudWatch accepts). */
    logRetentionDays: z.int().refine((d) => validRetentionDays.includes(d), {
      message: `must be one of ${validRetentionDays.join(', ')}`,
    }),
    /**
     * Run the functions with `--enable-source-maps`, so stack traces in the logs name source files and
     * lines. The maps ship in every bundle either way; applying them costs about 10 ms of each cold start.
     */
    sourceMaps: z.boolean(),
    /**
     * AWS X-Ray active tracing for the functions (Powertools Tracer: a subsegment per handler run, AWS SDK
     * call and Podero request). Costs per traced request and some cold-start time: docs/adr/0009-tracing.md.
     */
    tracing: z.boolean(),
    /** The functions' log level (Lambda's application log level and Powertools' level alike). */
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    /** `retain` keeps tables and log groups when the stack is deleted (use it for prod). */
    removalPolicy: z.enum(['retain', 'destroy']),
  })
  // API Gateway's JWT authorizer checks `aud`, or a Cognito access token's `client_id`, against the audiences:
  // the console's tokens are refused unless its client is one of them.
  .refine(
    (c) =>
      !c.console.enabled ||
      c.console.clientId === PLACEHOLDER_CONSOLE_CLIENT_ID ||
      c.jwt.audiences.includes(c.console.clientId),
    {
      path: ['console', 'clientId'],
      message: 'must be one of jwt.audiences (the API refuses its tokens otherwise)',
    },
  );

export type StageConfig = z.infer<typeof stageConfigSchema>;

/** Shape of the stages file: shared defaults plus per-stage partial overrides. */
const stagesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  defaults: z.record(z.string(), z.unknown()),
  stages: z.record(z.string(), z.record(z.string(), z.unknown())),
});

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and scalars from `override` replace those in `base`. */
export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = merged[key];
    merged[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

export interface ResolveStageConfigInput {
  /** `-c stage=NAME`; default `dev`. */
  readonly stage?: unknown;
  /** Parsed stages file content. */
  readonly stagesFile: unknown;
  /** `-c stageConfig=...` (a JSON string from the CLI, or an object from cdk.json / tests). */
  readonly overrides?: unknown;
}

/** Pure resolution from already-read inputs (what tests call). */
export function resolveStageConfig(input: ResolveStageConfigInput): StageConfig {
  const stage = input.stage ?? 'dev';
  if (typeof stage !== 'string') {
    throw new StageConfigError('context "stage" must be a string');
  }
  const file = stagesFileSchema.safeParse(input.stagesFile);
  if (!file.success) {
    throw new StageConfigError(`stages file is invalid:\n${formatIssues(file.error)}`);
  }
  let overrides: unknown = input.overrides ?? {};
  if (typeof overrides === 'string') {
    try {
      overrides = JSON.parse(overrides) as unknown;
    } catch {
      throw new StageConfigError('context "stageConfig" must be a JSON object');
    }
  }
  if (!isPlainObject(overrides)) {
    throw new StageConfigError('context "stageConfig" must be a JSON object');
  }
  const merged = deepMerge(
    deepMerge(deepMerge(file.data.defaults, file.data.stages[stage] ?? {}), overrides),
    { stage },
  );
  const parsed = stageConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new StageConfigError(`stage "${stage}" configuration is invalid:\n${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** Minimal view of a construct node's context (App.node satisfies it). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export const DEFAULT_STAGES_FILE = path.join(import.meta.dirname, '..', 'stages.json');

/** Reads `-c stage`, `-c stagesFile` and `-c stageConfig` from the app context and resolves the config. */
export function loadStageConfig(context: ContextSource): StageConfig {
  const stagesFilePath = context.tryGetContext('stagesFile') ?? DEFAULT_STAGES_FILE;
  if (typeof stagesFilePath !== 'string') {
    throw new StageConfigError('context "stagesFile" must be a path');
  }
  let stagesFile: unknown;
  try {
    stagesFile = JSON.parse(readFileSync(path.resolve(stagesFilePath), 'utf8')) as unknown;
  } catch (error) {
    throw new StageConfigError(`cannot read stages file ${stagesFilePath}: ${(error as Error).message}`);
  }
  return resolveStageConfig({
    stage: context.tryGetContext('stage'),
    stagesFile,
    overrides: context.tryGetContext('stageConfig'),
  });
}

/** True when the config still carries a placeholder that must be replaced before real use. */
export function placeholdersIn(config: StageConfig): string[] {
  const found: string[] = [];
  if (
    config.jwt.issuer === PLACEHOLDER_JWT_ISSUER ||
    new URL(config.jwt.issuer).hostname.endsWith('.invalid')
  ) {
    found.push('jwt.issuer');
  }
  if (config.podero.orgId === PLACEHOLDER_ORG_ID) {
    found.push('podero.orgId');
  }
  if (config.console.enabled && config.console.clientId === PLACEHOLDER_CONSOLE_CLIENT_ID) {
    found.push('console.clientId');
  }
  if (
    config.console.enabled &&
    Object.values(config.console.customerLinks).some((url) => new URL(url).hostname.endsWith('.invalid'))
  ) {
    found.push('console.customerLinks');
  }
  return found;
}

/**
 * The origins a stage's API may send an end user's browser back to: `returnUrls.allowOrigins`, and those of
 * the console's re-authentication links (when it is enabled), which the console sends as the partner's URLs.
 */
export function returnUrlOriginsOf(config: StageConfig): string[] {
  const links = config.console.customerLinks;
  const consoleOrigins = config.console.enabled
    ? [links.reauthenticationSuccessUrl, links.reauthenticationCancelUrl].map((url) => new URL(url).origin)
    : [];
  return [...new Set([...config.returnUrls.allowOrigins, ...consoleOrigins])];
}
