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
import { BRIDGE_DEFAULTS, PoderoBridgeSettingsError, type PoderoBridgeSettingsProps } from './public-props';

export { BRIDGE_DEFAULTS, PoderoBridgeSettingsError };

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
    mode: z.literal('create'),
  }),
  z.strictObject({
    mode: z.literal('import'),
    arn: z
      .string()
      .regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager ARN'),
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/.+$/, 'must be a KMS key ARN')
      .optional(),
  }),
]);

const jwtSchema = z.strictObject({
  issuer: httpsUrl,
  audiences: z.array(z.string().min(1)).min(1),
});

/** A Cognito hosted-UI domain prefix: lower-case letters, digits and dashes, none of the words Cognito refuses. */
const cognitoDomainPrefix = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes, 1-63 characters')
  .refine((p) => !/aws|amazon|cognito/.test(p), 'Cognito refuses a prefix containing aws, amazon or cognito');

const identityProviderSchema = z.strictObject({
  enabled: z.boolean(),
  domainPrefix: cognitoDomainPrefix.optional(),
});

const D = BRIDGE_DEFAULTS;

/**
 * The fields of a bridge's settings, as a plain shape so that `infra/` can add the stack's own (account,
 * region) and check the same rules (`checkBridgeSettings`). What each field means is documented once, on the
 * public interfaces a partner's editor shows (public-props.ts); this schema holds the rules.
 */
export const bridgeSettingsShape = {
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'lower-case letters, digits and dashes, 1-21 characters'),
  jwt: jwtSchema.optional(),
  identityProvider: identityProviderSchema.default({ enabled: false }),
  podero: z.strictObject({
    baseUrl: httpsUrl,
    orgId: z.uuid(),
  }),
  sync: z
    .strictObject({
      everyMinutes: z.int().min(1).max(1440).default(D.sync.everyMinutes),
      concurrency: z.int().min(1).max(50).default(D.sync.concurrency),
      safetyMarginSeconds: z.int().min(1).max(600).default(D.sync.safetyMarginSeconds),
      workers: z.int().min(2).max(1000).default(D.sync.workers),
      shardSize: z.int().min(1).max(100_000).default(D.sync.shardSize),
      rateLimitPerSecond: z.int().min(0).max(100_000).default(D.sync.rateLimitPerSecond),
      deviceKindsRecheckHours: z.int().min(1).max(2160).default(D.sync.deviceKindsRecheckHours),
    })
    .prefault({}),
  token: z
    .strictObject({
      refreshMarginSeconds: z.int().min(60).default(D.token.refreshMarginSeconds),
      cacheMaxAgeSeconds: z.int().min(1).max(3600).default(D.token.cacheMaxAgeSeconds),
    })
    .prefault({}),
  readings: z
    .strictObject({
      retentionDays: z.int().min(1).max(3650).default(D.readings.retentionDays),
    })
    .prefault({}),
  trading: z
    .strictObject({
      variant: z.enum(['reference', 'guide']).default(D.trading.variant),
      autoConfirm: z.enum(['off', 'accept']).default(D.trading.autoConfirm),
      confirmationDeadline: z.enum(['14:30', '23:30']).default(D.trading.confirmationDeadline),
    })
    .prefault({}),
  events: z
    .strictObject({
      archiveRetentionDays: z.int().min(1).max(3650).default(D.events.archiveRetentionDays),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      email: z.email().optional(),
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
      allowOrigins: z
        .array(z.union([z.literal('*'), httpsUrl, z.url({ hostname: /^localhost$/ })]))
        .default(() => [...D.cors.allowOrigins]),
    })
    .prefault({}),
  returnUrls: z
    .strictObject({
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
  console: z.strictObject({
    enabled: z.boolean(),
    clientId: z.string().min(1).max(256).optional(),
    scopes: z.array(z.string().min(1)).min(1),
    authOrigins: z.array(httpsUrl),
    customerLinks: z.strictObject({
      onboardingSuccessUrl: httpsUrl,
      onboardingCancelUrl: httpsUrl,
      reauthenticationSuccessUrl: httpsUrl,
      reauthenticationCancelUrl: httpsUrl,
    }),
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
      rateLimit: z.int().min(1).default(D.throttling.rateLimit),
      burstLimit: z.int().min(1).default(D.throttling.burstLimit),
      writeRateLimit: z.int().min(1).default(D.throttling.writeRateLimit),
      writeBurstLimit: z.int().min(1).default(D.throttling.writeBurstLimit),
    })
    .prefault({}),
  logRetentionDays: z
    .int()
    .refine((d) => validRetentionDays.includes(d), {
      message: `must be one of ${validRetentionDays.join(', ')}`,
    })
    .default(D.logRetentionDays),
  sourceMaps: z.boolean().default(D.sourceMaps),
  tracing: z.boolean().default(D.tracing),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default(D.logLevel),
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

/** `T` with every `readonly` dropped, deeply: the public interfaces are readonly, zod's input types are not. */
type Writable<T> = T extends readonly (infer E)[]
  ? Writable<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;
/** True only for identical types (optional fields, unions and literals included), not merely assignable ones. */
type Identical<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/**
 * The published props interface (public-props.ts) is exactly what this schema takes: a field added, dropped,
 * made optional or typed differently on one side and not the other fails the compile here.
 */
export const propsMatchSchema: Identical<
  Writable<PoderoBridgeSettingsProps>,
  Writable<PoderoBridgeSettingsInput>
> = true;
/** The settings after validation and defaults: every field present. */
export type PoderoBridgeSettings = z.infer<typeof poderoBridgeSettingsSchema>;

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
