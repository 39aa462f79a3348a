/**
 * Webhook signing secrets live in Secrets Manager (encrypted with KMS, access by IAM, never in the table
 * or a log), one secret per endpoint under the stage's prefix (`WEBHOOK_SECRET_PREFIX`). A rotation keeps
 * the previous secret for ROTATION_OVERLAP_MS, and deliveries are signed with both meanwhile (Standard
 * Webhooks allows several signatures in `webhook-signature`), so receivers can switch without a gap.
 */
import { randomBytes } from 'node:crypto';
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
/** How long a delivery container reuses a read secret: a rotation is signed with within this. */
export const SECRET_CACHE_SECONDS = 30;

const secretValueSchema = z.object({
  current: z.string().startsWith('whsec_'),
  previous: z.string().startsWith('whsec_').nullable(),
  previous_expires_at: z.string().nullable(),
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
    const value: SecretValue = { current: secret, previous: null, previous_expires_at: null };
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
  async rotate(webhookId: string, nowMs: number): Promise<{ secret: string; previousExpiresAt: string }> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.nameOf(webhookId) }));
    const old = secretValueSchema.parse(JSON.parse(out.SecretString ?? '{}'));
    const secret = newWebhookSecret();
    const previousExpiresAt = new Date(nowMs + ROTATION_OVERLAP_MS).toISOString();
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: this.nameOf(webhookId),
        SecretString: JSON.stringify({
          current: secret,
          previous: old.current,
          previous_expires_at: previousExpiresAt,
        }),
      }),
    );
    return { secret, previousExpiresAt };
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

/** The secrets a delivery signs with: the current one, and the previous one while its overlap lasts. */
export class WebhookSigningKeys {
  constructor(
    private readonly provider: SecretsProvider,
    private readonly prefix: string,
    private readonly maxAgeSeconds = SECRET_CACHE_SECONDS,
  ) {}

  async signingSecrets(webhookId: string, nowMs: number): Promise<string[]> {
    const raw = await this.provider.get(`${this.prefix}${webhookId}`, { maxAge: this.maxAgeSeconds });
    const value = secretValueSchema.parse(JSON.parse(typeof raw === 'string' ? raw : '{}'));
    const previousValid =
      value.previous !== null &&
      value.previous_expires_at !== null &&
      Date.parse(value.previous_expires_at) > nowMs;
    return previousValid && value.previous ? [value.current, value.previous] : [value.current];
  }
}
