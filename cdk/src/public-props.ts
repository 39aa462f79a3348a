/**
 * What `new PoderoBridge(scope, id, props)` takes, written out for a partner's TypeScript: the published
 * declarations (`dist/index.d.ts`) carry these interfaces, with no zod in them (zod is bundled into the
 * construct, not a dependency). props.ts validates the same fields at synth time and fails the compile if its
 * schema and these interfaces ever differ (`propsMatchSchema`).
 *
 * A field marked optional has a default (`BRIDGE_DEFAULTS`, the one home of the product's defaults), or is
 * absent on purpose (see its comment). This file imports nothing: its declarations must stand alone in the
 * packed package.
 */

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

/** Thrown by `new PoderoBridge(...)` when its props are invalid: the message names every bad field. */
export class PoderoBridgeSettingsError extends Error {
  override readonly name = 'PoderoBridgeSettingsError';
}

/** Your own OIDC issuer, whose tokens the API's JWT authorizer accepts. */
export interface JwtSettings {
  /** OIDC issuer URL (https); API Gateway fetches `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** Accepted `aud` (or a Cognito access token's `client_id`) values; at least one. */
  readonly audiences: string[];
}

/**
 * A Cognito user pool created in the same deploy: the bridge's scopes on a resource server, the console's app
 * client (authorization code + PKCE, its callback the console's own URL) and a machine client (client
 * credentials) for the partner's back office; the API's JWT authorizer trusts the pool.
 */
export interface IdentityProviderSettings {
  /** `false` (the default): bring your own OIDC issuer in `jwt`. */
  readonly enabled: boolean;
  /**
   * The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`), unique in the region:
   * lower-case letters, digits and dashes, without aws, amazon or cognito. Default:
   * `podero-bridge-<stage>-<account id>`.
   */
  readonly domainPrefix?: string;
}

export interface PoderoSettings {
  /** Podero host (https), e.g. https://app.podero.com (production) or https://sandbox-app.podero.com. */
  readonly baseUrl: string;
  /** The organisation UUID Podero gave you (the functions address `/org/{org_id}/...`). */
  readonly orgId: string;
}

export interface SyncSettings {
  /** Interval of the heat-pump-sync schedule, minutes (1-1440). */
  readonly everyMinutes?: number;
  /** Users synced in parallel by one sync worker (1-50). */
  readonly concurrency?: number;
  /** A run stops starting users when less than this remains of its timeout (room to save the cursor), seconds. */
  readonly safetyMarginSeconds?: number;
  /**
   * W: heat-pump-sync-worker instances at once (the event source mapping's maximumConcurrency; AWS allows
   * 2-1000). A fleet of one shard still runs on one worker.
   */
  readonly workers?: number;
  /** The most users in one shard of a fleet pass. */
  readonly shardSize?: number;
  /**
   * Podero requests per second for the whole stage, shared by every worker (0: none). Podero documents no
   * limit: set one after talking to your account manager, below what they allow, leaving room for the API.
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Every this many hours the sync asks Podero about every device kind of a user (in between only about the
   * kinds the user has: a kind is found when an onboarding session connects it, or at this recheck).
   */
  readonly deviceKindsRecheckHours?: number;
}

export interface TokenSettings {
  /** token-refresh fetches a new token when less than this much of its lifetime remains, seconds. */
  readonly refreshMarginSeconds?: number;
  /** How long a function may serve the token secret from its in-memory cache, seconds (1-3600). */
  readonly cacheMaxAgeSeconds?: number;
}

export interface ReadingsSettings {
  /** Readings expire (DynamoDB TTL) this many days after their timestamp. */
  readonly retentionDays?: number;
}

/** Day-ahead trading. */
export interface TradingSettings {
  /** Which of Podero's trading APIs the stage speaks: what `podero conformance` reports. */
  readonly variant?: 'reference' | 'guide';
  /** `accept`: every trade is confirmed as soon as its curves are stored; `off`: the desk decides. */
  readonly autoConfirm?: 'off' | 'accept';
  /** 14:30 (partners who also trade intraday) or 23:30, Europe/Berlin on D−1. */
  readonly confirmationDeadline?: '14:30' | '23:30';
}

export interface EventsSettings {
  /** Days the event bus's archive keeps change events for replay (1-3650; never forever). */
  readonly archiveRetentionDays?: number;
}

/** Where alarms go: one of the two, or neither (a topic without subscribers). */
export interface AlarmsSettings {
  /** E-mail address subscribed to a topic the stack creates (confirm the subscription mail). */
  readonly email?: string;
  /** Or an existing SNS topic to notify instead of creating one. */
  readonly topicArn?: string;
}

/** Where the Podero client credentials live. */
export type CredentialsSecretSettings =
  /** The stack creates the secret with a placeholder value; you put the real credentials in after deploy. */
  | { readonly mode: 'create' }
  | {
      /** An existing secret holding `{client_id, client_secret, org_id, base_url?}`. */
      readonly mode: 'import';
      /** The secret's full ARN. */
      readonly arn: string;
      /** Set when a customer-managed KMS key encrypts the secret: token-refresh gets kms:Decrypt on it. */
      readonly kmsKeyArn?: string;
    };

export interface CorsSettings {
  /** Browser origins allowed to call the API (https, `*` or http://localhost); empty disables CORS. */
  readonly allowOrigins?: string[];
}

export interface ReturnUrlsSettings {
  /**
   * Origins (`https://host[:port]`, no path) the API may send an end user's browser back to (a
   * re-authentication's `success_url` and `cancel_url`; any other is refused with 400). The console's
   * customer links are added to these.
   */
  readonly allowOrigins?: string[];
}

/** Where the partner's customers land after the Connect UI (https); the console hands these links on. */
export interface CustomerLinks {
  readonly onboardingSuccessUrl: string;
  readonly onboardingCancelUrl: string;
  readonly reauthenticationSuccessUrl: string;
  readonly reauthenticationCancelUrl: string;
}

/**
 * The operator console: its files in a private S3 bucket behind CloudFront, sign-in with the authorization code
 * flow and PKCE at the issuer, and the API's CORS opened to its origin.
 */
export interface ConsoleSettings {
  readonly enabled: boolean;
  /**
   * The issuer's public app client for the console (Cognito: an app client without a secret); one of
   * `jwt.audiences`. Absent with `identityProvider.enabled`: the construct creates the client.
   */
  readonly clientId?: string;
  /** Scopes the console asks for; its token must carry `bridge/admin` for the operator routes. */
  readonly scopes: string[];
  /**
   * Origins the sign-in talks to besides the issuer's own (the browser's CSP allows only these), e.g. a
   * Cognito domain https://<prefix>.auth.<region>.amazoncognito.com (added by the construct itself with
   * `identityProvider`).
   */
  readonly authOrigins: string[];
  readonly customerLinks: CustomerLinks;
  /** A custom domain with its ACM certificate (in us-east-1); without one the CloudFront domain serves it. */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
}

export interface ThrottlingSettings {
  /** Steady-state requests per second for the whole API: every read route's limit. */
  readonly rateLimit?: number;
  /** Burst bucket size. */
  readonly burstLimit?: number;
  /** Each write route's own (tighter) limit: POST, PATCH and DELETE reach Podero and change it. */
  readonly writeRateLimit?: number;
  readonly writeBurstLimit?: number;
}

/** One stage of podero-bridge: what `infra/stages.json` configures per stage in the repository. */
export interface PoderoBridgeSettingsProps {
  /** Stage name, part of every name the bridge gives (`podero-bridge-<stage>`): `[a-z][a-z0-9-]{0,20}`. */
  readonly stage: string;
  /** Your own OIDC issuer; required unless `identityProvider.enabled`, absent with it. */
  readonly jwt?: JwtSettings;
  readonly identityProvider?: IdentityProviderSettings;
  readonly podero: PoderoSettings;
  readonly sync?: SyncSettings;
  readonly token?: TokenSettings;
  readonly readings?: ReadingsSettings;
  readonly trading?: TradingSettings;
  readonly events?: EventsSettings;
  readonly alarms?: AlarmsSettings;
  readonly credentialsSecret?: CredentialsSecretSettings;
  readonly cors?: CorsSettings;
  readonly returnUrls?: ReturnUrlsSettings;
  readonly console: ConsoleSettings;
  readonly throttling?: ThrottlingSettings;
  /** CloudWatch Logs retention for function and access logs, days (a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, …). */
  readonly logRetentionDays?: number;
  /**
   * Run the functions with `--enable-source-maps`, so stack traces in the logs name source files and lines.
   * The maps ship in every bundle either way; applying them costs about 10 ms of each cold start.
   */
  readonly sourceMaps?: boolean;
  /**
   * AWS X-Ray active tracing for the functions (a subsegment per handler run, AWS SDK call and Podero
   * request). Costs per traced request and some cold-start time.
   */
  readonly tracing?: boolean;
  /** The functions' log level (Lambda's application log level and Powertools' level alike). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** `retain` keeps tables, secrets and log groups when the stack is deleted or they are replaced (use it for prod). */
  readonly removalPolicy?: 'retain' | 'destroy';
}

export interface PoderoBridgeProps extends PoderoBridgeSettingsProps {
  /** Reported by the functions (APP_VERSION) and the health route; default: this package's version. */
  readonly appVersion?: string;
}
