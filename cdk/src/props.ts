/**
 * The props of `PoderoBridge`: what one stage of the bridge configures, validated with zod as strictly as the
 * repository's `infra/stages.json` always was (a typo or a wrong type fails with the path of the field).
 *
 * What a partner rarely changes has a default, field by field (`BRIDGE_DEFAULTS`: the product's defaults, which
 * the repository's stages take too). What has no sensible default is required: the stage's name, the
 * Podero organisation, the console's customer links, and where tokens come from (`jwt`, an issuer of your own,
 * or `identityProvider`, a Cognito user pool the construct creates).
 */
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

const jwtSchema = z.strictObject({
  /** OIDC issuer URL; API Gateway fetches `<issuer>/.well-known/openid-configuration`. */
  issuer: httpsUrl,
  /** Accepted `aud` (or `client_id`) values; at least one. */
  audiences: z.array(z.string().min(1)).min(1),
});

/** A Cognito hosted-UI domain prefix: lower-case letters, digits and dashes, none of the words Cognito refuses. */
const cognitoDomainPrefix = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes, 1-63 characters')
  .refine((p) => !/aws|amazon|cognito/.test(p), 'Cognito refuses a prefix containing aws, amazon or cognito');

const identityProviderSchema = z.strictObject({
  /**
   * Create a Cognito user pool in the same deploy: the bridge's scopes on a resource server, the console's app
   * client (authorization code + PKCE, its callback the console's own URL) and a machine client (client
   * credentials) for the partner's back office; the API's JWT authorizer trusts the pool. Off: bring your own
   * OIDC issuer in `jwt`.
   */
  enabled: z.boolean(),
  /** The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); unique in the region. */
  domainPrefix: cognitoDomainPrefix.optional(),
});

/**
 * The product's defaults: every setting a partner may leave out, field by field (`sync: { workers: 8 }` keeps the
 * other sync settings). The one home of these values: the repository's `infra/stages.json` sets only what a
 * stage changes (infra/test/props-defaults.test.ts fails on a value there that restates one of these).
 */
export const BRIDGE_DEFAULTS = {
  sync: {
    everyMinutes: 15,
    concurrency: 8,
    safetyMarginSeconds: 60,
    workers: 2,
    shardSize: 1000,
    rateLimitPerSecond: 0,
    deviceKindsRecheckHours: 24,
  },
  token: { refreshMarginSeconds: 7200, cacheMaxAgeSeconds: 300 },
  readings: { retentionDays: 90 },
  trading: { variant: 'reference', autoConfirm: 'off', confirmationDeadline: '23:30' },
  events: { archiveRetentionDays: 30 },
  alarms: {},
  credentialsSecret: { mode: 'create' },
  cors: { allowOrigins: [] },
  returnUrls: { allowOrigins: [] },
  throttling: { rateLimit: 50, burstLimit: 100, writeRateLimit: 10, writeBurstLimit: 20 },
  logRetentionDays: 14,
  sourceMaps: false,
  tracing: false,
  logLevel: 'INFO',
  removalPolicy: 'destroy',
} as const;

const D = BRIDGE_DEFAULTS;

/**
 * The fields of a bridge's settings, as a plain shape so that `infra/` can add the stack's own (account,
 * region) and check the same rules (`checkBridgeSettings`).
 */
export const bridgeSettingsShape = {
  /** Stage name; part of every name the bridge gives (`podero-bridge-<stage>`). */
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'lower-case letters, digits and dashes, 1-21 characters'),
  /** Your own OIDC issuer; absent when `identityProvider.enabled` (the user pool is the issuer then). */
  jwt: jwtSchema.optional(),
  /** A Cognito user pool created with the bridge (off by default): see identityProviderSchema. */
  identityProvider: identityProviderSchema.default({ enabled: false }),
  podero: z.strictObject({
    /** Podero host, e.g. https://app.podero.com (production) or https://sandbox-app.podero.com. */
    baseUrl: httpsUrl,
    /** The organisation UUID Podero gave you (the functions address `/org/{org_id}/...`). */
    orgId: z.uuid(),
  }),
  sync: z
    .strictObject({
      /** Interval of the heat-pump-sync schedule (overrides the declared default). */
      everyMinutes: z.int().min(1).max(1440).default(D.sync.everyMinutes),
      /** Users synced in parallel by one sync run. */
      concurrency: z.int().min(1).max(50).default(D.sync.concurrency),
      /** A run stops starting users when less than this remains of its timeout (room to save the cursor). */
      safetyMarginSeconds: z.int().min(1).max(600).default(D.sync.safetyMarginSeconds),
      /**
       * W: heat-pump-sync-worker instances at once (the event source mapping's maximumConcurrency; AWS allows
       * 2..1000). A fleet of one shard still runs on one worker.
       */
      workers: z.int().min(2).max(1000).default(D.sync.workers),
      /** The most users in one shard of a fleet pass. */
      shardSize: z.int().min(1).max(100_000).default(D.sync.shardSize),
      /**
       * Podero requests per second for the whole stage, shared by every worker (0: none). Podero documents no
       * limit: set one after talking to your account manager, below what they allow, leaving room for the API.
       */
      rateLimitPerSecond: z.int().min(0).max(100_000).default(D.sync.rateLimitPerSecond),
      /**
       * Every this many hours the sync asks Podero about every device kind of a user (in between only about
       * the kinds the user has: a kind is found when an onboarding session connects it, or at this recheck).
       */
      deviceKindsRecheckHours: z.int().min(1).max(2160).default(D.sync.deviceKindsRecheckHours),
    })
    .prefault({}),
  token: z
    .strictObject({
      /** token-refresh fetches a new token when less than this much of its lifetime remains. */
      refreshMarginSeconds: z.int().min(60).default(D.token.refreshMarginSeconds),
      /** How long a function may serve the token secret from its in-memory cache. */
      cacheMaxAgeSeconds: z.int().min(1).max(3600).default(D.token.cacheMaxAgeSeconds),
    })
    .prefault({}),
  readings: z
    .strictObject({
      /** Readings expire (DynamoDB TTL) this many days after their timestamp. */
      retentionDays: z.int().min(1).max(3650).default(D.readings.retentionDays),
    })
    .prefault({}),
  /** Day-ahead trading (docs/adr/0014 and 0015). */
  trading: z
    .strictObject({
      /** Which of Podero's trading APIs the stage speaks: what `podero conformance` reports. */
      variant: z.enum(['reference', 'guide']).default(D.trading.variant),
      /** `accept`: every trade is confirmed as soon as its curves are stored; `off`: the desk decides. */
      autoConfirm: z.enum(['off', 'accept']).default(D.trading.autoConfirm),
      /** 14:30 (partners who also trade intraday) or 23:30, Europe/Berlin on D−1. */
      confirmationDeadline: z.enum(['14:30', '23:30']).default(D.trading.confirmationDeadline),
    })
    .prefault({}),
  events: z
    .strictObject({
      /** Days the event bus's archive keeps change events for replay (EventBridge archives: 0 = forever, not allowed here). */
      archiveRetentionDays: z.int().min(1).max(3650).default(D.events.archiveRetentionDays),
    })
    .prefault({}),
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
    .refine((a) => !(a.email && a.topicArn), 'set alarms.email or alarms.topicArn, not both')
    .prefault(D.alarms),
  credentialsSecret: credentialsSecretSchema.prefault(D.credentialsSecret),
  cors: z
    .strictObject({
      /** Browser origins allowed to call the API; empty disables CORS (server-to-server use). */
      allowOrigins: z
        .array(z.union([z.literal('*'), httpsUrl, z.url({ hostname: /^localhost$/ })]))
        .default(() => [...D.cors.allowOrigins]),
    })
    .prefault({}),
  returnUrls: z
    .strictObject({
      /**
       * Origins the API may send an end user's browser back to (a re-authentication's `success_url` and
       * `cancel_url`; any other is refused with 400). The console's customer links are added to these.
       */
      allowOrigins: z
        .array(
          httpsUrl.refine(
            (v) => URL.canParse(v) && new URL(v).origin === v,
            'must be an origin: https://host[:port], lower case, no path or trailing slash',
          ),
        )
        .default(() => [...D.returnUrls.allowOrigins]),
    })
    .prefault({}),
  /**
   * The operator console (console/): its files in a private S3 bucket behind CloudFront, sign-in with the
   * authorization code flow and PKCE at the issuer, and the API's CORS opened to its origin.
   */
  console: z.strictObject({
    enabled: z.boolean(),
    /**
     * The issuer's public app client for the console (Cognito: an app client without a secret); one of
     * `jwt.audiences`. Absent when `identityProvider.enabled`: the construct creates the client.
     */
    clientId: z.string().min(1).max(256).optional(),
    /** Scopes the console asks for; its token must carry `bridge/admin` for the operator routes. */
    scopes: z.array(z.string().min(1)).min(1),
    /**
     * Origins the sign-in talks to besides the issuer's own (the browser's CSP allows only these): Cognito's
     * authorize and token endpoints are on the user pool's domain, e.g. https://<prefix>.auth.<region>.amazoncognito.com
     * (added by the construct itself with `identityProvider`).
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
  throttling: z
    .strictObject({
      /** Steady-state requests per second for the whole API (default stage): every read route's limit. */
      rateLimit: z.int().min(1).default(D.throttling.rateLimit),
      /** Burst bucket size. */
      burstLimit: z.int().min(1).default(D.throttling.burstLimit),
      /** Each write route's own (tighter) limit: POST, PATCH and DELETE reach Podero and change it. */
      writeRateLimit: z.int().min(1).default(D.throttling.writeRateLimit),
      writeBurstLimit: z.int().min(1).default(D.throttling.writeBurstLimit),
    })
    .prefault({}),
  /** CloudWatch Logs retention for function and access logs (a value CloudWatch accepts). */
  logRetentionDays: z
    .int()
    .refine((d) => validRetentionDays.includes(d), {
      message: `must be one of ${validRetentionDays.join(', ')}`,
    })
    .default(D.logRetentionDays),
  /**
   * Run the functions with `--enable-source-maps`, so stack traces in the logs name source files and
   * lines. The maps ship in every bundle either way; applying them costs about 10 ms of each cold start.
   */
  sourceMaps: z.boolean().default(D.sourceMaps),
  /**
   * AWS X-Ray active tracing for the functions (Powertools Tracer: a subsegment per handler run, AWS SDK
   * call and Podero request). Costs per traced request and some cold-start time: docs/adr/0009-tracing.md.
   */
  tracing: z.boolean().default(D.tracing),
  /** The functions' log level (Lambda's application log level and Powertools' level alike). */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default(D.logLevel),
  /** `retain` keeps tables and log groups when the stack is deleted (use it for prod). */
  removalPolicy: z.enum(['retain', 'destroy']).default(D.removalPolicy),
};

/** The rules between fields, shared by the construct's props and infra's stage config. */
export function checkBridgeSettings(
  settings: z.infer<z.ZodObject<typeof bridgeSettingsShape>>,
  context: z.RefinementCtx,
): void {
  const ownIssuer = settings.identityProvider.enabled;
  if (ownIssuer && settings.jwt) {
    context.addIssue({
      code: 'custom',
      path: ['jwt'],
      message: 'must be absent with identityProvider.enabled (the user pool is the issuer)',
    });
  }
  if (!ownIssuer && !settings.jwt) {
    context.addIssue({
      code: 'custom',
      path: ['jwt'],
      message: 'required unless identityProvider.enabled (the issuer whose tokens the API accepts)',
    });
  }
  const { console: site } = settings;
  if (!site.enabled) return;
  if (ownIssuer && site.clientId !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['console', 'clientId'],
      message: 'must be absent with identityProvider.enabled (the construct creates the console client)',
    });
  }
  if (!ownIssuer && site.clientId === undefined) {
    context.addIssue({ code: 'custom', path: ['console', 'clientId'], message: 'required' });
  }
  // API Gateway's JWT authorizer checks `aud`, or a Cognito access token's `client_id`, against the audiences:
  // the console's tokens are refused unless its client is one of them.
  if (
    settings.jwt &&
    site.clientId !== undefined &&
    site.clientId !== PLACEHOLDER_CONSOLE_CLIENT_ID &&
    !settings.jwt.audiences.includes(site.clientId)
  ) {
    context.addIssue({
      code: 'custom',
      path: ['console', 'clientId'],
      message: 'must be one of jwt.audiences (the API refuses its tokens otherwise)',
    });
  }
}

export const poderoBridgeSettingsSchema = z
  .strictObject(bridgeSettingsShape)
  .superRefine(checkBridgeSettings);

/** What `new PoderoBridge(scope, id, props)` takes: sections with defaults may be left out. */
export type PoderoBridgeSettingsInput = z.input<typeof poderoBridgeSettingsSchema>;
/** The settings after validation and defaults: every field present. */
export type PoderoBridgeSettings = z.infer<typeof poderoBridgeSettingsSchema>;

export class PoderoBridgeSettingsError extends Error {
  override readonly name = 'PoderoBridgeSettingsError';
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** Validates props (throws PoderoBridgeSettingsError naming every bad field) and applies the defaults. */
export function parseBridgeSettings(input: unknown): PoderoBridgeSettings {
  const parsed = poderoBridgeSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new PoderoBridgeSettingsError(`PoderoBridge props are invalid:\n${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** The fields that still carry a placeholder that must be replaced before real use. */
export function placeholdersIn(settings: PoderoBridgeSettings): string[] {
  const found: string[] = [];
  if (
    settings.jwt &&
    (settings.jwt.issuer === PLACEHOLDER_JWT_ISSUER ||
      new URL(settings.jwt.issuer).hostname.endsWith('.invalid'))
  ) {
    found.push('jwt.issuer');
  }
  if (settings.podero.orgId === PLACEHOLDER_ORG_ID) {
    found.push('podero.orgId');
  }
  if (settings.console.enabled && settings.console.clientId === PLACEHOLDER_CONSOLE_CLIENT_ID) {
    found.push('console.clientId');
  }
  if (
    settings.console.enabled &&
    Object.values(settings.console.customerLinks).some((url) => new URL(url).hostname.endsWith('.invalid'))
  ) {
    found.push('console.customerLinks');
  }
  return found;
}

/**
 * The origins a stage's API may send an end user's browser back to: `returnUrls.allowOrigins`, and those of
 * the console's re-authentication links (when it is enabled), which the console sends as the partner's URLs.
 */
export function returnUrlOriginsOf(settings: PoderoBridgeSettings): string[] {
  const links = settings.console.customerLinks;
  const consoleOrigins = settings.console.enabled
    ? [links.reauthenticationSuccessUrl, links.reauthenticationCancelUrl].map((url) => new URL(url).origin)
    : [];
  return [...new Set([...settings.returnUrls.allowOrigins, ...consoleOrigins])];
}
