/**
 * Nothing lost, nothing twice under a new id: change events stored with their states go through the relay
 * (EventBridge, the delivery queue) and the delivery (a receiver on 127.0.0.1), and the process is killed
 * (SIGKILL, in a child process: functions/test-support/children/event-process.ts) at each step of the way.
 * The next process starts from what DynamoDB and SQS hold, which is what a killed Lambda's successor sees.
 * The local SQS runs on a test clock, so a message whose receiver was killed comes back when its visibility
 * timeout is moved past, as it would in AWS.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
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
import { heatPumpEvents } from '../domain/devices/heat-pump';
import { observedSnapshot } from '../domain/devices/rules';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { userOffboardedEvent } from '../domain/events/rules';
import { type DeviceSnapshot, DeviceSnapshotStore } from '../storage/device-snapshots';
import { OutboxStore } from '../storage/outbox';
import { WebhookStore } from '../storage/webhooks';
import type { DeliveryStep } from './delivery';
import type { RelayStep } from './relay';
import { newWebhookSecret } from './secrets';

const region = 'eu-central-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
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
  const store = new DeviceSnapshotStore(doc, 'kill-main');
  const ids: string[] = [];
  for (const device of devices) {
    let previous: DeviceSnapshot | undefined;
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

type Step = RelayStep | DeliveryStep;
const RELAY_STEPS: RelayStep[] = [
  'after-read',
  'after-event-bus',
  'after-history',
  'after-enqueue',
  'after-remove',
];
const DELIVERY_STEPS: DeliveryStep[] = ['after-send', 'after-record', 'after-next'];
const CHILD = fileURLToPath(new URL('../../test-support/children/event-process.ts', import.meta.url));

/**
 * One process: a relay drain and one delivery batch in a child (`node --import tsx`), which sends itself
 * SIGKILL at `killAt`. Resolves with whether it was killed and how many messages its batch had.
 */
function runProcess(
  killAt: Step | null,
  q: { url: string; dlq: string },
): Promise<{ killed: boolean; messages: number }> {
  const config = {
    killAt,
    region,
    dynamo: dynalite.endpoint,
    sqs: sqsServer.endpoint,
    eventBridge: bus.endpoint,
    table: 'kill-main',
    bus: 'kill-bus',
    queueUrl: q.url,
    deadLetterQueueUrl: q.dlq,
    secret: SECRET,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, messages: 0 });
      else if (code === 0) resolve({ killed: false, messages: Number(stdout.trim() || '0') });
      else reject(new Error(`the event process failed (${code}): ${stderr.slice(-500)}`));
    });
  });
}

async function runUntilQuiet(killAt: Step, q: { url: string; dlq: string }) {
  let kills = 0;
  // Bounded: a few processes are plenty for a handful of events.
  for (let round = 0; round < 12; round++) {
    // Killed once: every later process runs to its end, as the killed one's successors would.
    const { killed, messages } = await runProcess(kills === 0 ? killAt : null, q);
    if (killed) {
      kills++;
      // The killed receiver's messages come back when their visibility timeout passes.
      sqsNow += (VISIBILITY_SECONDS + 1) * 1000;
      continue;
    }
    const pending = await new OutboxStore(doc, 'kill-main').pending(1);
    const depth = sqsServer.depth(q.url.slice(q.url.lastIndexOf('/') + 1));
    if (messages === 0 && pending.length === 0 && depth.inFlight + depth.delayed + depth.visible === 0)
      return kills;
  }
  throw new Error('not quiet after 12 processes');
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

      const kills = await runUntilQuiet(killAt, q);
      expect(kills).toBe(1);

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
