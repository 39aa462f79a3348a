import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureQueues,
  ensureSecrets,
  type LocalSecretsManager,
  type LocalSqs,
  startLocalSecretsManager,
  startLocalSqs,
} from './index';

const region = 'eu-central-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('ensureQueues and ensureSecrets on the local stand-ins', () => {
  let sqsServer: LocalSqs;
  let secretsServer: LocalSecretsManager;
  let sqs: SQSClient;
  let secrets: SecretsManagerClient;
  beforeAll(async () => {
    [sqsServer, secretsServer] = await Promise.all([startLocalSqs(), startLocalSecretsManager()]);
    sqs = new SQSClient({ endpoint: sqsServer.endpoint, region, credentials, maxAttempts: 1 });
    secrets = new SecretsManagerClient({
      endpoint: secretsServer.endpoint,
      region,
      credentials,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    sqs.destroy();
    secrets.destroy();
    await Promise.all([sqsServer.close(), secretsServer.close()]);
  });

  it('creates each queue with its dead-letter queue and redrive, idempotently, honouring an override', async () => {
    const decls = {
      jobs: { visibilityTimeoutSeconds: 540, maxReceiveCount: 5 },
      shards: { visibilityTimeoutSeconds: 1080, maxReceiveCount: 3 },
    };
    const names = { jobs: 'world-jobs', shards: 'world-shards' };
    const first = await ensureQueues(sqs, names, decls, { visibilityTimeoutSeconds: { shards: 2 } });
    const again = await ensureQueues(sqs, names, decls, { visibilityTimeoutSeconds: { shards: 2 } });
    expect(again).toEqual(first);
    expect(first.jobs.deadLetterUrl).toMatch(/\/world-jobs-dlq$/);
    const attributes = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes;
    expect(await attributes(first.jobs.url)).toMatchObject({
      VisibilityTimeout: '540',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: first.jobs.deadLetterArn, maxReceiveCount: 5 }),
    });
    expect((await attributes(first.shards.url))?.VisibilityTimeout).toBe('2');
  });

  it('creates missing secrets, replaces only those marked replace, keeps the others', async () => {
    const read = async (name: string) =>
      (await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
    await ensureSecrets(secrets, [
      { name: 'world/credentials', value: 'one', replace: true },
      { name: 'world/token', value: 'placeholder', replace: false },
    ]);
    await ensureSecrets(secrets, [
      { name: 'world/credentials', value: 'two', replace: true },
      { name: 'world/token', value: 'another placeholder', replace: false },
    ]);
    expect(await read('world/credentials')).toBe('two');
    expect(await read('world/token')).toBe('placeholder');
  });
});
