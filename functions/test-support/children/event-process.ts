/**
 * One "process" of the kill-at-each-step test (functions/src/webhooks/kill-at-each-step.integ.test.ts): an
 * event-relay drain, then one batch of webhook-delivery, against the local services the test runs. At
 * the step named in `killAt` it sends itself SIGKILL: nothing after it runs, no handler, no `finally`,
 * exactly as a Lambda killed there. Config: one JSON argument.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { createLogger, createRecordingMetrics, withLogKeys } from '../../src/platform/observability';
import { EventHistoryStore } from '../../src/storage/event-history';
import { OutboxStore } from '../../src/storage/outbox';
import { UserStore } from '../../src/storage/users';
import { WebhookStore } from '../../src/storage/webhooks';
import { WebhookDelivery } from '../../src/webhooks/delivery';
import { PenaltyBox } from '../../src/webhooks/penalty-box';
import { DeliveryQueue, deliveryMessageSchema } from '../../src/webhooks/queue';
import { OutboxRelay } from '../../src/webhooks/relay';
import { createWebhookSender } from '../../src/webhooks/sender';

const config = z
  .object({
    killAt: z.string().nullable(),
    region: z.string(),
    dynamo: z.url(),
    sqs: z.url(),
    eventBridge: z.url(),
    table: z.string(),
    bus: z.string(),
    queueUrl: z.string(),
    deadLetterQueueUrl: z.string(),
    secret: z.string(),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const step = (name: string) => {
  if (name === config.killAt) process.kill(process.pid, 'SIGKILL');
};
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: config.dynamo, region: config.region, credentials }),
);
const sqs = new SQSClient({ endpoint: config.sqs, region: config.region, credentials });
const eventBridge = new EventBridgeClient({
  endpoint: config.eventBridge,
  region: config.region,
  credentials,
});
const logger = withLogKeys(createLogger('eventRelay', { logLevel: 'SILENT' }), {});
const endpoints = new WebhookStore(doc, config.table);

await new OutboxRelay({
  outbox: new OutboxStore(doc, config.table),
  endpoints,
  eventBus: { client: eventBridge, name: config.bus },
  queue: new DeliveryQueue(sqs, config.queueUrl),
  history: new EventHistoryStore(doc, config.table),
  users: new UserStore(doc, config.table),
  now: Date.now,
  logger,
  step,
}).drain();

const delivery = new WebhookDelivery({
  endpoints,
  history: new EventHistoryStore(doc, config.table),
  keys: { signingSecrets: async () => [config.secret] },
  queue: new DeliveryQueue(sqs, config.queueUrl, config.deadLetterQueueUrl),
  send: createWebhookSender({ allowLoopback: true }),
  penalties: new PenaltyBox(),
  rules: { allowLoopback: true },
  now: Date.now,
  logger,
  metrics: createRecordingMetrics(),
  step,
});
const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.queueUrl, MaxNumberOfMessages: 10 }));
for (const message of out.Messages ?? []) {
  await delivery.attempt(deliveryMessageSchema.parse(JSON.parse(message.Body ?? '')));
  await sqs.send(
    new DeleteMessageCommand({ QueueUrl: config.queueUrl, ReceiptHandle: message.ReceiptHandle }),
  );
}
// What is left for the parent to know: whether this process saw messages (it prints their count).
process.stdout.write(String(out.Messages?.length ?? 0));
process.exit(0);
