/**
 * Cold-start floor of token-refresh's measured first run (scheduled, the stored token empty so it must
 * fetch): a Secrets Manager client and the same remote calls, issued directly: the stored token and the
 * credentials at once, Podero's token endpoint, the new token stored. No validation or logging.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { env, poderoJson } from './http';

const secrets = new SecretsManagerClient({});

export const handler = async () => {
  const [, credentialsSecret] = await Promise.all([
    secrets.send(new GetSecretValueCommand({ SecretId: env('TOKEN_SECRET_ID') })),
    secrets.send(new GetSecretValueCommand({ SecretId: env('CREDENTIALS_SECRET_ID') })),
  ]);
  const credentials = JSON.parse(credentialsSecret.SecretString ?? '{}') as {
    client_id: string;
    client_secret: string;
    base_url?: string;
  };
  const basic = Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64');
  const token = (await poderoJson(
    'POST',
    `${credentials.base_url ?? env('PODERO_BASE_URL')}/oauth2/token/`,
    { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    '{"grant_type":"client_credentials"}',
  )) as { access_token: string; expires_in: number; token_type: string; scope?: string };
  const refreshedAt = new Date();
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: env('TOKEN_SECRET_ID'),
      SecretString: JSON.stringify({
        access_token: token.access_token,
        token_type: token.token_type,
        scope: token.scope ?? '',
        expires_at: new Date(refreshedAt.getTime() + token.expires_in * 1000).toISOString(),
        refreshed_at: refreshedAt.toISOString(),
      }),
    }),
  );
  return { status: 'refreshed' };
};
