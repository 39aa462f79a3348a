import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { AwsError, parseInput, startAwsJsonServer } from './aws-json-server';
import type { LocalEndpoint } from './dynamodb';

/**
 * A small Secrets Manager stand-in speaking the real service's wire protocol (awsJson1_1: `POST /`,
 * `X-Amz-Target: secretsmanager.<Operation>`), so the real AWS SDK and Powertools parameters talk to it
 * through `AWS_ENDPOINT_URL_SECRETS_MANAGER` / a client `endpoint` exactly as they talk to AWS.
 * Signatures are not checked: this is for loopback use by tests and the local stack only.
 */
export interface StartLocalSecretsManagerOptions {
  port?: number;
  host?: string;
  /** JSON file the secrets are loaded from and saved to after each change; in-memory when absent. */
  persistFile?: string;
  region?: string;
}

export interface LocalSecretsManager extends LocalEndpoint {
  /** Number of requests per operation, e.g. `{ GetSecretValue: 3 }` (lets tests assert caching). */
  counters(): Record<string, number>;
}

const ACCOUNT = '000000000000';
const MAX_VERSIONS_KEPT = 10;

const versionSchema = z.object({
  versionId: z.string(),
  secretString: z.string().optional(),
  secretBinary: z.string().optional(), // base64
  createdDate: z.number(),
  stages: z.array(z.string()),
});
const secretSchema = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string().optional(),
  createdDate: z.number(),
  lastChangedDate: z.number(),
  versions: z.array(versionSchema),
});
type StoredSecret = z.infer<typeof secretSchema>;
const stateSchema = z.object({ secrets: z.array(secretSchema) });

const secretId = z.string().min(1).max(2048);
const createSecretInput = z.looseObject({
  Name: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
  SecretString: z.string().max(65536).optional(),
  SecretBinary: z.string().optional(),
  ClientRequestToken: z.string().min(32).max(64).optional(),
  Description: z.string().max(2048).optional(),
});
const putSecretValueInput = z.looseObject({
  SecretId: secretId,
  SecretString: z.string().max(65536).optional(),
  SecretBinary: z.string().optional(),
  ClientRequestToken: z.string().min(32).max(64).optional(),
});
const getSecretValueInput = z.looseObject({
  SecretId: secretId,
  VersionId: z.string().optional(),
  VersionStage: z.string().optional(),
});
const describeSecretInput = z.looseObject({ SecretId: secretId });
const deleteSecretInput = z.looseObject({
  SecretId: secretId,
  ForceDeleteWithoutRecovery: z.boolean().optional(),
  RecoveryWindowInDays: z.number().int().min(7).max(30).optional(),
});
const listSecretsInput = z.looseObject({ MaxResults: z.number().int().min(1).max(100).optional() });

const epochSeconds = (ms: number) => ms / 1000;

export async function startLocalSecretsManager(
  options: StartLocalSecretsManagerOptions = {},
): Promise<LocalSecretsManager> {
  const { port = 0, host = '127.0.0.1', persistFile, region = 'eu-central-1' } = options;
  const secrets = new Map<string, StoredSecret>();
  const counts: Record<string, number> = {};

  if (persistFile && existsSync(persistFile)) {
    for (const secret of stateSchema.parse(JSON.parse(readFileSync(persistFile, 'utf8'))).secrets) {
      secrets.set(secret.name, secret);
    }
  }
  const save = () => {
    if (!persistFile) return;
    // Write-then-rename so a crash never leaves a half-written state file.
    const tmp = `${persistFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ secrets: [...secrets.values()] }), { mode: 0o600 });
    renameSync(tmp, persistFile);
  };

  const find = (id: string): StoredSecret => {
    const secret = secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
    if (!secret)
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const parse = <T>(schema: z.ZodType<T>, body: unknown): T =>
    parseInput(schema, body, 'InvalidParameterException');
  const requireValue = (input: { SecretString?: string | undefined; SecretBinary?: string | undefined }) => {
    if ((input.SecretString === undefined) === (input.SecretBinary === undefined)) {
      throw new AwsError(
        'InvalidParameterException',
        'You must provide either SecretString or SecretBinary.',
      );
    }
  };
  const addVersion = (
    secret: StoredSecret,
    input: {
      SecretString?: string | undefined;
      SecretBinary?: string | undefined;
      ClientRequestToken?: string | undefined;
    },
  ) => {
    const versionId = input.ClientRequestToken ?? randomUUID();
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      // Same idempotency token: a retry of the same write is fine, a different value is not.
      if (existing.secretString === input.SecretString && existing.secretBinary === input.SecretBinary)
        return existing;
      throw new AwsError(
        'ResourceExistsException',
        'A version with this ClientRequestToken already exists with a different value.',
      );
    }
    const now = Date.now();
    for (const v of secret.versions) {
      v.stages = v.stages.includes('AWSCURRENT')
        ? ['AWSPREVIOUS']
        : v.stages.filter((s) => s !== 'AWSPREVIOUS');
    }
    const version = {
      versionId,
      ...(input.SecretString !== undefined ? { secretString: input.SecretString } : {}),
      ...(input.SecretBinary !== undefined ? { secretBinary: input.SecretBinary } : {}),
      createdDate: now,
      stages: ['AWSCURRENT'],
    };
    secret.versions.push(version);
    secret.versions = secret.versions.filter((v) => v.stages.length > 0).slice(-MAX_VERSIONS_KEPT);
    secret.lastChangedDate = now;
    return version;
  };
  const describe = (secret: StoredSecret) => ({
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    CreatedDate: epochSeconds(secret.createdDate),
    LastChangedDate: epochSeconds(secret.lastChangedDate),
    VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, v.stages])),
  });

  const operations: Record<string, (body: unknown) => unknown> = {
    CreateSecret(body) {
      const input = parse(createSecretInput, body);
      requireValue(input);
      if (secrets.has(input.Name)) {
        throw new AwsError(
          'ResourceExistsException',
          `The operation failed because the secret ${input.Name} already exists.`,
        );
      }
      const now = Date.now();
      const secret: StoredSecret = {
        name: input.Name,
        arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${input.Name}-${randomBytes(3).toString('hex')}`,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        createdDate: now,
        lastChangedDate: now,
        versions: [],
      };
      const version = addVersion(secret, input);
      secrets.set(secret.name, secret);
      save();
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId };
    },
    PutSecretValue(body) {
      const input = parse(putSecretValueInput, body);
      requireValue(input);
      const secret = find(input.SecretId);
      const version = addVersion(secret, input);
      save();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        VersionStages: version.stages,
      };
    },
    GetSecretValue(body) {
      const input = parse(getSecretValueInput, body);
      const secret = find(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const version = secret.versions.find(
        (v) =>
          (input.VersionId === undefined || v.versionId === input.VersionId) &&
          (stage === undefined || v.stages.includes(stage)),
      );
      if (!version) {
        throw new AwsError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret value for the version.",
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
        ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
        VersionStages: version.stages,
        CreatedDate: epochSeconds(version.createdDate),
      };
    },
    DescribeSecret(body) {
      return describe(find(parse(describeSecretInput, body).SecretId));
    },
    /** Deletes at once (no recovery window locally), answering with the deletion date AWS would report. */
    DeleteSecret(body) {
      const input = parse(deleteSecretInput, body);
      const secret = find(input.SecretId);
      secrets.delete(secret.name);
      save();
      const days = input.ForceDeleteWithoutRecovery ? 0 : (input.RecoveryWindowInDays ?? 30);
      return {
        ARN: secret.arn,
        Name: secret.name,
        DeletionDate: epochSeconds(Date.now() + days * 86_400_000),
      };
    },
    ListSecrets(body) {
      const input = parse(listSecretsInput, body);
      return { SecretList: [...secrets.values()].slice(0, input.MaxResults ?? 100).map(describe) };
    },
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    operations,
    port,
    host,
    internalErrorType: 'InternalServiceError',
    onCall: (name) => {
      counts[name] = (counts[name] ?? 0) + 1;
    },
  });
  return { ...server, counters: () => ({ ...counts }) };
}
