/**
 * Cold-start floor of webhook-delivery's measured first invocation (an SQS batch of one first attempt to a
 * registered endpoint, answered 204 by a receiver on loopback): the SDK clients it needs (DynamoDB
 * document client, Secrets Manager, SQS) and the same remote calls, issued directly: the endpoint read,
 * its signing secret read, the event POSTed signed as Standard Webhooks signs it (HMAC-SHA256 over
 * `id.timestamp.body`), the attempt recorded. The SQS client is created, as the function creates it for
 * retries and dead letters; a delivered attempt sends nothing. No validation, logging or metrics.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './http';

const agent = new Agent({ keepAlive: true });

/** The signed POST; resolves with the receiver's status (its body is not read). */
function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const secrets = new SecretsManagerClient({});
export const sqs = new SQSClient({});

interface DeliveryMessage {
  webhook_id: string;
  event: { id: string; type: string; timestamp: string; data: unknown };
  attempt: number;
}

export const handler = async (event: { Records: { messageId: string; body: string }[] }) => {
  const main = env('MAIN_TABLE_NAME');
  for (const record of event.Records) {
    const message = JSON.parse(record.body) as DeliveryMessage;
    const endpoint = await doc.send(
      new GetCommand({
        TableName: main,
        Key: { pk: 'WEBHOOKS', sk: `WEBHOOK#${message.webhook_id}` },
        ConsistentRead: true,
      }),
    );
    const secret = await secrets.send(
      new GetSecretValueCommand({ SecretId: `${env('WEBHOOK_SECRET_PREFIX')}${message.webhook_id}` }),
    );
    const key = (JSON.parse(secret.SecretString ?? '{}') as { current: string }).current;
    const body = JSON.stringify(message.event);
    const at = Date.now();
    const timestamp = String(Math.floor(at / 1000));
    const signature = createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64'))
      .update(`${message.event.id}.${timestamp}.${body}`)
      .digest('base64');
    const status = await post(String(endpoint.Item?.url), body, {
      'content-type': 'application/json',
      'webhook-id': message.event.id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    });
    const attemptedAt = new Date(at).toISOString();
    await doc.send(
      new PutCommand({
        TableName: main,
        Item: {
          pk: `WEBHOOK#${message.webhook_id}`,
          sk: `DELIVERY#${attemptedAt}#${message.event.id}#01`,
          event_id: message.event.id,
          attempt: message.attempt,
          outcome: 'delivered',
          status_code: status,
        },
      }),
    );
  }
  return { batchItemFailures: [] };
};
