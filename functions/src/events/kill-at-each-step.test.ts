/**
 * Nothing lost, nothing twice under a new id: change events stored with their states go through the relay
 * (EventBridge, the delivery queue) and the delivery (a receiver on 127.0.0.1), and a process dies at each
 * step of the way. The "process" is the relay's or the delivery's objects with everything they hold in
 * memory; dying is an exception thrown at the step, out of the handler, with no cleanup (none of these
 * paths has a `finally` that writes), and the next process starts from what DynamoDB and SQS hold, which is
 * what a killed Lambda's successor sees. The local SQS runs on a test clock, so a message whose receiver
 * died comes back when its visibility timeout is moved past, as it would in AWS.
 */
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ensureTables,
  type LocalEventBridge,
  type LocalSqs,
  listenLocally,
  startDynalite,
  startLocalEventBridge,
  startLocalSqs,
} from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { observedSnapshot } from '../heat-pumps/rules';
import { createLogger, createRecordingMetrics, withLogKeys } from '../platform/observability';
import { type HeatPumpSnapshot, HeatPumpSnapshotStore } from '../storage/heat-pump-snapshots';
import { OutboxStore } from '../storage/outbox';
import { WebhookStore } from '../storage/webhooks';
import { type DeliveryStep, WebhookDelivery } from '../webhooks/delivery';
import { DeliveryQueue, deliveryMessageSchema } from '../webhooks/queue';
import { newWebhookSecret } from '../webhooks/secrets';
import { createWebhookSender } from '../webhooks/sender';
import { outboxEntriesOf } from './catalogue';
import { OutboxRelay, type RelayStep } from './relay';
import { heatPumpEvents, userOffboardedEvent } from './rules';

class Crash extends Error {}

const region = 'eu-central-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const logger = withLogKeys(createLogger('eventRelay', { logLevel: 'SILENT' }), {});
const VISIBILITY_SECONDS = 30;

let dynalite: { endpoint: string; close(): Promise<void> };
let sqsServer: LocalSqs;
let bus: LocalEventBridge;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
let eventBridge: EventBridgeClient;
let sqsNow = Date.now();
const received: { id: string; type: string; subject: string }[] = [];
let receiver: { port: number; close(): Promise<void> };

beforeAll(async () => {
  dynalite = await startDynalite();
  sqsServer = await startLocalSqs({ clock: () => sqsNow });
  bus = await startLocalEventBridge({ buses: ['kill-bus'] });
  sqs = new SQSClient({ endpoint: sqsServer.endpoint, region, credentials });
  eventBridge = new EventBridgeClient({ endpoint: bus.endpoint, region, credentials });
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region, credentials });
  await ensureTables(client, { main: 'kill-main', readings: 'kill-readings' }, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        type: string;
        data: Record<string, string>;
      };
      received.push({
        id: String(req.headers['webhook-id']),
        type: payload.type,
        subject: payload.data.heat_pump_id ?? payload.data.external_user_id ?? '',
      });
      res.writeHead(200).end();
    });
  });
  receiver = await listenLocally(server, 0, '127.0.0.1');
}, 60_000);
afterAll(async () => {
  doc?.destroy();
  sqs?.destroy();
  eventBridge?.destroy();
  await receiver?.close();
  await bus?.close();
  await sqsServer?.close();
  await dynalite?.close();
});

const T = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString();

/** Each device goes connected → lost → restored, every state stored with its events (as the API and sync do). */
async function storeTransitions(owner: string, devices: readonly string[]): Promise<string[]> {
  const store = new HeatPumpSnapshotStore(doc, 'kill-main');
  const ids: string[] = [];
  for (const device of devices) {
    let previous: HeatPumpSnapshot | undefined;
    for (const [minute, authenticated] of [
      [0, true],
      [15, false],
      [30, true],
    ] as const) {
      const next = observedSnapshot(
        owner,
        { id: device, is_authenticated: authenticated },
        T(minute),
        previous,
      );
      const events = heatPumpEvents(previous, next);
      ids.push(...events.map((e) => e.id));
      await store.put(next, outboxEntriesOf(events));
      previous = next;
    }
  }
  const gone = userOffboardedEvent(`${owner}-gone`, 'p-gone', T(45));
  const [standalone] = outboxEntriesOf([gone]);
  if (standalone) await new OutboxStore(doc, 'kill-main').putStandalone(standalone, Date.now());
  return [...ids, gone.id];
}

async function queues(name: string) {
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const url =
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: String(VISIBILITY_SECONDS),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
          },
        }),
      )
    ).QueueUrl ?? '';
  return { url, dlq };
}

/** A step hook that kills the process the first time it reaches `at`. */
function dieOnceAt<S extends string>(at: S | undefined): (step: S) => void {
  let died = false;
  return (step) => {
    if (step === at && !died) {
      died = true;
      throw new Crash(`killed at ${step}`);
    }
  };
}

type Step = RelayStep | DeliveryStep;
const RELAY_STEPS: RelayStep[] = ['after-read', 'after-event-bus', 'after-enqueue', 'after-remove'];
const DELIVERY_STEPS: DeliveryStep[] = ['after-send', 'after-record', 'after-next'];

async function runUntilQuiet(killAt: Step, q: { url: string; dlq: string }, webhookId: string) {
  const endpoints = new WebhookStore(doc, 'kill-main');
  const relayStep = dieOnceAt<RelayStep>(
    RELAY_STEPS.includes(killAt as RelayStep) ? (killAt as RelayStep) : undefined,
  );
  const deliveryStep = dieOnceAt<DeliveryStep>(
    DELIVERY_STEPS.includes(killAt as DeliveryStep) ? (killAt as DeliveryStep) : undefined,
  );
  let crashes = 0;
  // Bounded: a few relay processes and a few dozen delivery rounds are plenty for a handful of events.
  for (let round = 0; round < 40; round++) {
    // A fresh relay process each round: nothing of a dead one survives.
    const relay = new OutboxRelay({
      outbox: new OutboxStore(doc, 'kill-main'),
      endpoints,
      eventBus: { client: eventBridge, name: 'kill-bus' },
      queue: new DeliveryQueue(sqs, q.url),
      now: Date.now,
      logger,
      step: (step) => relayStep(step),
    });
    try {
      await relay.drain();
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
      crashes++;
      continue;
    }
    const delivery = new WebhookDelivery({
      endpoints,
      keys: { signingSecrets: async () => [SECRET] },
      queue: new DeliveryQueue(sqs, q.url, q.dlq),
      send: createWebhookSender({ allowLoopback: true }),
      rules: { allowLoopback: true },
      now: Date.now,
      logger,
      metrics: createRecordingMetrics(),
      step: (step) => deliveryStep(step),
    });
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10 }));
    const messages = out.Messages ?? [];
    for (const m of messages) {
      try {
        await delivery.attempt(deliveryMessageSchema.parse(JSON.parse(m.Body ?? '')));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle }));
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
        crashes++;
        break; // the process is gone: the rest of its batch comes back after the visibility timeout
      }
    }
    const pending = await new OutboxStore(doc, 'kill-main').pending(1);
    if (messages.length === 0 && pending.length === 0) {
      const depth = sqsServer.depth(q.url.slice(q.url.lastIndexOf('/') + 1));
      if (depth.inFlight === 0 && depth.delayed === 0 && depth.visible === 0) return crashes;
      sqsNow += (VISIBILITY_SECONDS + 1) * 1000; // the dead receiver's messages time out
    }
  }
  throw new Error(`not quiet after 40 rounds (webhook ${webhookId})`);
}

const SECRET = newWebhookSecret();

describe('change events survive a process killed at each step', () => {
  it.each([...RELAY_STEPS, ...DELIVERY_STEPS])(
    'killed %s: every event arrives, in order per device, none under a new id',
    async (killAt) => {
      const owner = `kill-${killAt}`;
      const devices = [`${owner}-a`, `${owner}-b`];
      const q = await queues(owner);
      const webhookId = `wh_${Buffer.from(owner).toString('hex').padEnd(24, '0').slice(0, 24)}`;
      const endpoints = new WebhookStore(doc, 'kill-main');
      // Only this case's endpoint: earlier cases' endpoints are gone, so their queues stay quiet.
      for (const old of await endpoints.list()) await endpoints.delete(old.id);
      await endpoints.create({
        id: webhookId,
        url: `http://127.0.0.1:${receiver.port}/hooks`,
        events: null,
        description: killAt,
        enabled: true,
        status: 'healthy',
        failing_since: null,
        created_at: T(0),
        updated_at: T(0),
      });
      const stored = await storeTransitions(owner, devices);
      const before = received.length;
      const busBefore = bus.events().length;

      const crashes = await runUntilQuiet(killAt, q, webhookId);
      expect(crashes).toBe(1);

      const mine = received.slice(before);
      const ids = new Set(mine.map((r) => r.id));
      // Nothing lost: every stored event arrived, on the receiver and on the bus.
      expect([...ids].sort()).toEqual([...new Set(stored)].sort());
      const onBus = new Set(
        bus
          .events()
          .slice(busBefore)
          .map((e) => (e.detail as { id: string }).id),
      );
      expect([...onBus].sort()).toEqual([...new Set(stored)].sort());
      // None twice under a new id: whatever came twice came with the same id (and a stored id at that).
      for (const r of mine) expect(stored).toContain(r.id);
      // In order per device: the bus got each device's events (first appearances) in the order they were
      // stored. Webhook deliveries are retried independently: their order is not promised, their timestamps are.
      const busEvents = bus
        .events()
        .slice(busBefore)
        .map((e) => e.detail as { id: string; type: string; data: { heat_pump_id?: string } });
      for (const device of devices) {
        const firstSeen = [
          ...new Map(
            busEvents.filter((e) => e.data.heat_pump_id === device).map((e) => [e.id, e.type]),
          ).values(),
        ];
        expect(firstSeen).toEqual([
          'heat_pump.connected',
          'heat_pump.connection_lost',
          'heat_pump.connection_restored',
        ]);
      }
    },
    60_000,
  );
});
