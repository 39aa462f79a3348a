/**
 * Cold-start floor of the api's measured first request (GET /users/{id}/heat-pumps?max_age_seconds=0):
 * the SDK clients it needs (DynamoDB document client, Secrets Manager) and the same remote calls, issued
 * directly: the user's items (one Query) and the stored token at once, Podero's heat-pump list, the list
 * marker and each snapshot written back (UpdateItem). No routing, validation, logging or metrics: what is
 * left between this and the api is our own code.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryUserItems, writeListBack } from './heat-pump-list';
import { env, poderoJson } from './http';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const secrets = new SecretsManagerClient({});

interface ApiEvent {
  pathParameters: { external_user_id: string };
}

export const handler = async (event: ApiEvent) => {
  const table = env('MAIN_TABLE_NAME');
  const externalUserId = event.pathParameters.external_user_id;
  const pk = `USER#${externalUserId}`;
  const [items, secret] = await Promise.all([
    queryUserItems(doc, table, pk),
    secrets.send(new GetSecretValueCommand({ SecretId: env('TOKEN_SECRET_ID') })),
  ]);
  const profile = items.Items?.find((item) => item.sk === 'PROFILE');
  const token = (JSON.parse(secret.SecretString ?? '{}') as { access_token: string }).access_token;
  const url = `${env('PODERO_BASE_URL')}/api/partners/v2.0/org/${env('PODERO_ORG_ID')}/users/${String(profile?.podero_user_id)}/heat-pumps`;
  const heatPumps = (await poderoJson('GET', url, { authorization: `Bearer ${token}` })) as {
    id: string;
  }[];
  await writeListBack(doc, table, pk, heatPumps);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: heatPumps }),
  };
};
