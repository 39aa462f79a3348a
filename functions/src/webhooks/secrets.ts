/**
 * Webhook signing secrets live in Secrets Manager (encrypted with KMS, access by IAM, never in the table
 * or a log), one secret per endpoint under the stage's prefix (`WEBHOOK_SECRET_PREFIX`). A rotation keeps
 * the previous secret for ROTATION_OVERLAP_MS, and deliveries are signed with both meanwhile (Standard
 * Webhooks allows several signatures in `webhook-signature`), so receivers can switch without a gap.
 *
 * Each value carries a `version`, raised by every rotation and then written to the endpoint's item
 * (storage/webhooks.ts `markSecretRotated`). A delivery reads the endpoint anyway, so it sees at once that
 * its cached secret is older than the endpoint's and reads the secret again: the first delivery after
 * `rotate-secret` returns is signed with the new secret too, whatever the cache's age.
 */
import { randomBytes } from 'node:crypto';
import { GetParameterError } from '@aws-lambda-powertools/parameters/errors';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
/** How long a delivery container reuses a read secret (a rotation is seen at once through its version). */
export const SECRET_CACHE_SECONDS = 30;

const secretValueSchema = z.object({
  current: z.string().startsWith('whsec_'),
  previous: z.string().startsWith('whsec_').nullable(),
  previous_expires_at: z.string().nullable(),
  /** 1 at creation, one more per rotation (secrets written before versions existed read as 1). */
  version: z.number().int().min(1).default(1),
});
type SecretValue = z.infer<typeof secretValueSchema>;

/** `whsec_` and 24 random bytes in base64: the form the standardwebhooks library reads. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class WebhookSecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
  ) {}

  private nameOf(webhookId: string): string {
    return `${this.prefix}${webhookId}`;
  }

  async create(webhookId: string): Promise<string> {
    const secret = newWebhookSecret();
    const value: SecretValue = { current: secret, previous: null, previous_expires_at: null, version: 1 };
    await this.client.send(
      new CreateSecretCommand({
        Name: this.nameOf(webhookId),
        SecretString: JSON.stringify(value),
        Description: `podero-bridge webhook signing secret (${webhookId})`,
      }),
    );
    return secret;
  }

  /** A new current secret; the old one stays valid for signing until the returned instant. */
  async rotate(
    webhookId: string,
    nowMs: number,
  ): Promise<{ secret: string; previousExpiresAt: string; version: number }> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.nameOf(webhookId) }));
    const old = secretValueSchema.parse(JSON.parse(out.SecretString ?? '{}'));
    const secret = newWebhookSecret();
    const previousExpiresAt = new Date(nowMs + ROTATION_OVERLAP_MS).toISOString();
    const value: SecretValue = {
      current: secret,
      previous: old.current,
      previous_expires_at: previousExpiresAt,
      version: old.version + 1,
    };
    await this.client.send(
      new PutSecretValueCommand({ SecretId: this.nameOf(webhookId), SecretString: JSON.stringify(value) }),
    );
    return { secret, previousExpiresAt, version: value.version };
  }

  async delete(webhookId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.nameOf(webhookId), ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

/** The endpoint's secret does not exist: the endpoint is being deleted (its secret goes after its item). */
export class WebhookSecretMissingError extends Error {
  override readonly name = 'WebhookSecretMissingError';
}

/** The secrets a delivery signs with: the current one, and the previous one while its overlap lasts. */
export class WebhookSigningKeys {
  constructor(
    private readonly provider: SecretsProvider,
    private readonly prefix: string,
    private readonly maxAgeSeconds = SECRET_CACHE_SECONDS,
  ) {}

  /** `atLeastVersion`: the endpoint's `secret_version`; a cached value older than it is read again. */
  async signingSecrets(webhookId: string, nowMs: number, atLeastVersion = 1): Promise<string[]> {
    const read = async (forceFetch: boolean) => {
      let raw: unknown;
      try {
        raw = await this.provider.get(`${this.prefix}${webhookId}`, {
          maxAge: this.maxAgeSeconds,
          forceFetch,
        });
      } catch (error) {
        if (error instanceof GetParameterError && error.cause instanceof ResourceNotFoundException) {
          throw new WebhookSecretMissingError(`no signing secret for ${webhookId}`);
        }
        throw error;
      }
      return secretValueSchema.parse(JSON.parse(typeof raw === 'string' ? raw : '{}'));
    };
    let value = await read(false);
    if (value.version < atLeastVersion) value = await read(true);
    const previousValid =
      value.previous !== null &&
      value.previous_expires_at !== null &&
      Date.parse(value.previous_expires_at) > nowMs;
    return previousValid && value.previous ? [value.current, value.previous] : [value.current];
  }
}
