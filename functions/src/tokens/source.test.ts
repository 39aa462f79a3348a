import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretsProvider, createSecretsTokenSource } from './source';

// The same TokenSource as in production, with the SDK client mocked instead of the local endpoint:
// shows that the seam is the SDK client, whichever stands behind it.
const secretsMock = mockClient(SecretsManagerClient);
const valid = {
  access_token: 'opaque-token-1',
  expires_at: '2030-01-01T00:00:00.000Z',
  token_type: 'Bearer',
  scope: 'read write',
  refreshed_at: '2029-12-31T14:00:00.000Z',
};
const sourceFor = () =>
  createSecretsTokenSource({
    provider: createSecretsProvider(new SecretsManagerClient({ region: 'eu-central-1' })),
    secretId: 'podero/token',
    maxAgeSeconds: 30,
  });

describe('createSecretsTokenSource (aws-sdk-client-mock)', () => {
  afterEach(() => secretsMock.reset());

  it('reads and validates the token, caches it, and re-reads on forceFetch', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(valid) });
    const source = sourceFor();
    expect(await source.read()).toEqual(valid);
    expect(await source.read()).toEqual(valid);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await source.read({ forceFetch: true });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(secretsMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'podero/token',
    });
  });

  it('reads a placeholder, non-JSON or incomplete secret as "no token" (so a refresh is asked for)', async () => {
    for (const value of ['{}', 'generated-placeholder', JSON.stringify({ ...valid, expires_at: 'soon' })]) {
      secretsMock.reset();
      secretsMock.on(GetSecretValueCommand).resolves({ SecretString: value });
      expect(await sourceFor().read()).toBeUndefined();
    }
  });

  it('reads a missing secret as "no token", and rethrows other failures', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));
    expect(await sourceFor().read()).toBeUndefined();
    secretsMock.reset();
    secretsMock.on(GetSecretValueCommand).rejects(new Error('AccessDenied'));
    await expect(sourceFor().read()).rejects.toThrow(/AccessDenied/);
  });
});
