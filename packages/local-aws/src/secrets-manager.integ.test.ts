import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSecretsManager, startLocalSecretsManager } from './index';

const clientFor = (endpoint: string) =>
  new SecretsManagerClient({ endpoint, region: 'eu-central-1', maxAttempts: 1 });

describe('local Secrets Manager with the real AWS SDK', () => {
  let sm: LocalSecretsManager;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    sm = await startLocalSecretsManager();
    client = clientFor(sm.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await sm.close();
  });

  it('creates a secret and returns it as AWSCURRENT with a version id and creation date', async () => {
    const created = await client.send(
      new CreateSecretCommand({ Name: 'app/token', SecretString: '{"a":1}' }),
    );
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-central-1:000000000000:secret:app\/token-/);
    const got = await client.send(new GetSecretValueCommand({ SecretId: 'app/token' }));
    expect(got.SecretString).toBe('{"a":1}');
    expect(got.VersionId).toBe(created.VersionId);
    expect(got.VersionStages).toEqual(['AWSCURRENT']);
    expect(got.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs((got.CreatedDate?.getTime() ?? 0) - Date.now())).toBeLessThan(10_000);
    // By ARN as well as by name.
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(byArn.SecretString).toBe('{"a":1}');
  });

  it('PutSecretValue makes a new AWSCURRENT and keeps the old one as AWSPREVIOUS', async () => {
    await client.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'v1' }));
    const put = await client.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('v2');
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('v1');
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'rotating' }));
    expect(Object.values(described.VersionIdsToStages ?? {}).sort()).toEqual([
      ['AWSCURRENT'],
      ['AWSPREVIOUS'],
    ]);
    const listed = await client.send(new ListSecretsCommand({}));
    expect(listed.SecretList?.map((s) => s.Name)).toContain('rotating');
  });

  it('replays a PutSecretValue with the same ClientRequestToken without a new version', async () => {
    await client.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v1' }));
    const token = '0123456789abcdef0123456789abcdef';
    const a = await client.send(
      new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v2', ClientRequestToken: token }),
    );
    const b = await client.send(
      new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v2', ClientRequestToken: token }),
    );
    expect(b.VersionId).toBe(a.VersionId);
    await expect(
      client.send(
        new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v3', ClientRequestToken: token }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('answers errors with the shapes the SDK maps to its exception classes', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'x' }));
    const error = await client
      .send(new CreateSecretCommand({ Name: 'dup', SecretString: 'y' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect((error as ResourceExistsException).$metadata.httpStatusCode).toBe(400);
  });

  it('deletes a secret, after which it is not found and its name can be reused', async () => {
    await client.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x' }));
    const deleted = await client.send(
      new DeleteSecretCommand({ SecretId: 'doomed', ForceDeleteWithoutRecovery: true }),
    );
    expect(deleted.Name).toBe('doomed');
    expect(deleted.DeletionDate).toBeInstanceOf(Date);
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await client.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'y' }));
  });

  it('counts requests per operation', async () => {
    const before = sm.counters().GetSecretValue ?? 0;
    await client.send(new GetSecretValueCommand({ SecretId: 'dup' }));
    expect(sm.counters().GetSecretValue).toBe(before + 1);
  });
});

describe('local Secrets Manager persistence', () => {
  it('reloads secrets from its persist file after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-sm-'));
    try {
      const persistFile = join(dir, 'secrets.json');
      const first = await startLocalSecretsManager({ persistFile });
      const c1 = clientFor(first.endpoint);
      await c1.send(new CreateSecretCommand({ Name: 'kept', SecretString: 'hello' }));
      c1.destroy();
      await first.close();

      const second = await startLocalSecretsManager({ persistFile });
      const c2 = clientFor(second.endpoint);
      expect((await c2.send(new GetSecretValueCommand({ SecretId: 'kept' }))).SecretString).toBe('hello');
      c2.destroy();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
