import * as z from 'zod';
import { ENV } from '../declarations';

/**
 * Configuration from the environment, parsed once at cold start. Every loader takes the env object as a
 * parameter (never reads process.env itself) so that tests and the local stack can build several
 * configurations side by side in one process.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with a zod object keyed by variable name; the error names every bad variable, never its value. */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return env[name] === undefined || env[name] === ''
        ? `${name} is missing`
        : `${name} is invalid: ${issue.message}`;
    });
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

const nonEmpty = z.string().trim().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });
/** Deployed builds set APP_VERSION; a local or test run without it reports a dev version. */
const appVersion = z.preprocess((v) => (v === undefined || v === '' ? '0.0.0-dev' : v), nonEmpty);
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), httpUrl.optional());
const positiveInt = (fallback: number) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : v), z.coerce.number().int().positive());

/** Service endpoints for the local stack and tests; absent in AWS. Passed explicitly to each SDK client. */
export interface AwsClientConfig {
  readonly region: string | undefined;
  readonly endpoints: {
    readonly dynamodb: string | undefined;
    readonly secretsManager: string | undefined;
    readonly lambda: string | undefined;
  };
}

const awsShape = {
  AWS_REGION: z.string().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: optionalUrl,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: optionalUrl,
  AWS_ENDPOINT_URL_LAMBDA: optionalUrl,
};
function awsFrom(parsed: z.infer<z.ZodObject<typeof awsShape>>): AwsClientConfig {
  return {
    region: parsed.AWS_REGION,
    endpoints: {
      dynamodb: parsed.AWS_ENDPOINT_URL_DYNAMODB,
      secretsManager: parsed.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      lambda: parsed.AWS_ENDPOINT_URL_LAMBDA,
    },
  };
}

/**
 * What every Podero-calling function except token-refresh needs (api, heat-pump-sync): tables, the token
 * secret (read only), the function to ask for a forced refresh, and Podero's base URL and org id.
 * The base URL and org id come from the environment (not from the credentials secret, which only
 * token-refresh may read), so the CDK app sets them from the stage config.
 */
export interface FleetConfig extends AwsClientConfig {
  readonly mainTableName: string;
  readonly readingsTableName: string;
  readonly tokenSecretId: string;
  readonly tokenRefreshFunctionName: string;
  readonly poderoBaseUrl: string;
  readonly poderoOrgId: string;
  /** Seconds a read of the token secret is cached per container (Powertools parameters maxAge). */
  readonly tokenCacheMaxAgeSeconds: number;
  readonly readingsRetentionDays: number;
  readonly appVersion: string;
}

/** The zod shape of the fleet's variables; heat-pump-sync extends it with its own (e.g. SYNC_CONCURRENCY). */
export const fleetEnvShape = {
  ...awsShape,
  [ENV.mainTableName]: nonEmpty.min(3),
  [ENV.readingsTableName]: nonEmpty.min(3),
  [ENV.tokenSecretId]: nonEmpty,
  [ENV.tokenRefreshFunctionName]: nonEmpty,
  [ENV.poderoBaseUrl]: httpUrl,
  [ENV.poderoOrgId]: z.uuid(),
  [ENV.tokenCacheMaxAgeSeconds]: positiveInt(30),
  [ENV.readingsRetentionDays]: positiveInt(400),
  [ENV.appVersion]: appVersion,
} as const;

export function fleetConfigFrom(parsed: z.infer<z.ZodObject<typeof fleetEnvShape>>): FleetConfig {
  return {
    ...awsFrom(parsed),
    mainTableName: parsed[ENV.mainTableName],
    readingsTableName: parsed[ENV.readingsTableName],
    tokenSecretId: parsed[ENV.tokenSecretId],
    tokenRefreshFunctionName: parsed[ENV.tokenRefreshFunctionName],
    poderoBaseUrl: parsed[ENV.poderoBaseUrl],
    poderoOrgId: parsed[ENV.poderoOrgId],
    tokenCacheMaxAgeSeconds: parsed[ENV.tokenCacheMaxAgeSeconds],
    readingsRetentionDays: parsed[ENV.readingsRetentionDays],
    appVersion: parsed[ENV.appVersion],
  };
}

export type ApiConfig = FleetConfig;

export function loadApiConfig(env: Env): ApiConfig {
  return fleetConfigFrom(parseEnv(fleetEnvShape, env));
}

export interface TokenRefreshConfig extends AwsClientConfig {
  readonly credentialsSecretId: string;
  readonly tokenSecretId: string;
  /** Used when the credentials secret has no `base_url`. */
  readonly poderoBaseUrl: string;
  readonly refreshMarginSeconds: number;
  readonly appVersion: string;
}

const tokenRefreshEnvShape = {
  ...awsShape,
  [ENV.credentialsSecretId]: nonEmpty,
  [ENV.tokenSecretId]: nonEmpty,
  [ENV.poderoBaseUrl]: httpUrl,
  [ENV.tokenRefreshMarginSeconds]: positiveInt(7200),
  [ENV.appVersion]: appVersion,
} as const;

export function loadTokenRefreshConfig(env: Env): TokenRefreshConfig {
  const parsed = parseEnv(tokenRefreshEnvShape, env);
  return {
    ...awsFrom(parsed),
    credentialsSecretId: parsed[ENV.credentialsSecretId],
    tokenSecretId: parsed[ENV.tokenSecretId],
    poderoBaseUrl: parsed[ENV.poderoBaseUrl],
    refreshMarginSeconds: parsed[ENV.tokenRefreshMarginSeconds],
    appVersion: parsed[ENV.appVersion],
  };
}
