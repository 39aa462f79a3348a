import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { LOCAL_SECRET_IDS } from '@podero-bridge/local';
import { startDynalite, startLocalSecretsManager } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/local-stack';

describe('startLocalStack', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the API through the gateway on a free loopback port', async () => {
    expect(t.stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${t.stack.apiUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: 'local' });
  });

  it('stores a token in the token secret at start, and never the credentials in it', async () => {
    const secrets = new SecretsManagerClient({ endpoint: t.stack.secretsEndpoint, region: t.stack.region });
    try {
      const token = await secrets.send(new GetSecretValueCommand({ SecretId: t.stack.secretIds.token }));
      const stored = JSON.parse(token.SecretString ?? '{}') as Record<string, unknown>;
      expect(typeof stored.access_token).toBe('string');
      expect(Date.parse(String(stored.expires_at))).toBeGreaterThan(Date.now());
      expect(token.SecretString).not.toContain(t.stack.credentials.clientSecret);

      const credentials = await secrets.send(
        new GetSecretValueCommand({ SecretId: t.stack.secretIds.credentials }),
      );
      expect(JSON.parse(credentials.SecretString ?? '{}')).toEqual({
        client_id: t.stack.credentials.clientId,
        client_secret: t.stack.credentials.clientSecret,
        org_id: t.stack.credentials.orgId,
        base_url: t.stack.simulatorUrl,
      });
    } finally {
      secrets.destroy();
    }
  });

  it('answers a protected route with 401 without a token and reaches the handler with one', async () => {
    const anonymous = await t.api('/users/someone');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: 'Unauthorized' });
    const authed = await t.api('/users/someone', { sub: 'someone' });
    expect(authed.status).not.toBe(401);
    expect((await authed.json()) as unknown).toHaveProperty('error');
  });

  it('runs a declared schedule now over HTTP, and a token refresh within the margin changes nothing', async () => {
    const before = (await t.stack.simulator.control.counters()).token_issuances;
    const res = await fetch(`${t.stack.apiUrl}/__local/schedules/token-refresh/run`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, result: { status: 'still_valid' } });
    expect((await t.stack.simulator.control.counters()).token_issuances).toBe(before);
  });

  it('reports its identity and schedules at /__local/info', async () => {
    const info = (await (await fetch(`${t.stack.apiUrl}/__local/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      service: 'podero-bridge-local-stack',
      simulator_url: t.stack.simulatorUrl,
      signing_key_id: t.stack.signingKey.kid,
      schedules: ['token-refresh', 'heat-pump-sync', 'event-relay', 'trading-workflow', 'history-backfill'],
    });
  });
});

describe('startLocalStack with external DynamoDB and Secrets Manager endpoints', () => {
  it('creates the declared tables and both secrets there, replacing stale credentials, and starts neither itself', async () => {
    const [dynamo, secrets] = await Promise.all([startDynalite(), startLocalSecretsManager()]);
    const region = 'eu-central-1';
    const secretsClient = new SecretsManagerClient({ endpoint: secrets.endpoint, region });
    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region });
    await secretsClient.send(
      new CreateSecretCommand({ Name: LOCAL_SECRET_IDS.credentials, SecretString: '{"client_id":"stale"}' }),
    );
    let t: TestStack | undefined;
    try {
      t = await startTestStack({ dynamoEndpoint: dynamo.endpoint, secretsEndpoint: secrets.endpoint });
      expect(t.stack.dynamoEndpoint).toBe(dynamo.endpoint);
      expect(t.stack.secretsEndpoint).toBe(secrets.endpoint);
      for (const name of Object.values(t.stack.tableNames)) {
        const table = await dynamoClient.send(new DescribeTableCommand({ TableName: name }));
        expect(table.Table?.TableStatus).toBe('ACTIVE');
      }
      const credentials = await secretsClient.send(
        new GetSecretValueCommand({ SecretId: LOCAL_SECRET_IDS.credentials }),
      );
      expect(JSON.parse(credentials.SecretString ?? '{}')).toMatchObject({
        client_id: t.stack.credentials.clientId,
      });
      const token = await secretsClient.send(new GetSecretValueCommand({ SecretId: LOCAL_SECRET_IDS.token }));
      expect(JSON.parse(token.SecretString ?? '{}')).toHaveProperty('access_token');

      const created = await t.api('/users', {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ external_user_id: 'external-endpoints-user', email: 'ext@example.com' }),
      });
      expect(created.status).toBe(201);
    } finally {
      await t?.close();
      secretsClient.destroy();
      dynamoClient.destroy();
      await Promise.all([dynamo.close(), secrets.close()]);
    }
  });
});

describe('startLocalStack with persistDir', () => {
  it('keeps users, the token and the simulator state across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-stack-persist-'));
    try {
      const first = await startTestStack({ persistDir: dir });
      try {
        const created = await first.api('/users', {
          method: 'POST',
          admin: true,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ external_user_id: 'persisted-user', email: 'persisted@example.com' }),
        });
        expect(created.status).toBe(201);
      } finally {
        await first.close();
      }

      const second = await startTestStack({ persistDir: dir });
      try {
        const user = await second.api('/users/persisted-user', { sub: 'persisted-user' });
        expect(user.status).toBe(200);
        expect(await user.json()).toMatchObject({
          external_user_id: 'persisted-user',
          email: 'persisted@example.com',
        });
        // The token secret survived: the start-up refresh found it still valid.
        const run = await second.stack.runSchedule('token-refresh');
        expect(run.result).toMatchObject({ status: 'still_valid' });
        expect((await second.stack.simulator.control.counters()).token_issuances).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
