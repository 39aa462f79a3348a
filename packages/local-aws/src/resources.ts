import { BucketAlreadyOwnedByYou, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The shape of `queueDeclarations` in functions/src/declarations.ts, restated structurally (as
 * `TableDeclarationLike` is) so that this package does not depend on @podero-bridge/functions.
 */
export interface QueueDeclarationLike {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

/** A queue as `ensureQueues` left it: its URL and ARN, and those of its dead-letter queue. */
export interface EnsuredQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
  readonly deadLetterArn: string;
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no QueueArn`);
  return arn;
}

async function createQueue(client: SQSClient, name: string, attributes?: Record<string, string>) {
  const url = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
    .QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return url;
}

/**
 * Creates every declared queue as the CDK app does: a dead-letter queue named `<name>-dlq`, and the queue
 * with the declared visibility timeout and a redrive policy to it after `maxReceiveCount` receives.
 * Idempotent (CreateQueue of an existing queue returns it and applies the attributes). A visibility
 * timeout in `visibilityTimeoutSeconds` replaces the declared one (a benchmark's killed consumer).
 */
export async function ensureQueues<Id extends string>(
  client: SQSClient,
  names: Record<Id, string>,
  decls: Record<Id, QueueDeclarationLike>,
  options: { visibilityTimeoutSeconds?: Partial<Record<Id, number>> } = {},
): Promise<Record<Id, EnsuredQueue>> {
  const ids = Object.keys(names) as Id[];
  const entries = await Promise.all(
    ids.map(async (id): Promise<[Id, EnsuredQueue]> => {
      const decl = decls[id];
      const deadLetterUrl = await createQueue(client, `${names[id]}-dlq`);
      const deadLetterArn = await queueArn(client, deadLetterUrl);
      const url = await createQueue(client, names[id], {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds?.[id] ?? decl.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: decl.maxReceiveCount,
        }),
      });
      return [id, { url, arn: await queueArn(client, url), deadLetterUrl, deadLetterArn }];
    }),
  );
  return Object.fromEntries(entries) as Record<Id, EnsuredQueue>;
}

/** A secret `ensureSecrets` keeps: its name, its value, and whether a different stored value is replaced. */
export interface SecretSpec {
  readonly name: string;
  readonly value: string;
  /**
   * `true`: the stored value is replaced when it differs (e.g. credentials that follow the simulator's
   * port); `false`: an existing secret is kept as it is (e.g. a token a function wrote).
   */
  readonly replace: boolean;
}

/** Creates each secret that does not exist yet, or replaces its value when `replace` says so. Idempotent. */
export async function ensureSecrets(
  client: SecretsManagerClient,
  secrets: readonly SecretSpec[],
): Promise<void> {
  await Promise.all(
    secrets.map(async ({ name, value, replace }) => {
      try {
        const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
        if (replace && current.SecretString !== value) {
          await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
        }
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        try {
          await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
        } catch (createError) {
          // Another caller created it between our read and our create: theirs is as good as ours.
          if (!(createError instanceof ResourceExistsException)) throw createError;
        }
      }
    }),
  );
}

/** Creates each bucket that does not exist yet (a bucket this account already owns is kept). Idempotent. */
export async function ensureBuckets(client: S3Client, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
      }
    }),
  );
}
