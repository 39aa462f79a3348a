import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import { AwsError, parseInput, startAwsJsonServer } from './aws-json-server';
import type { LocalEndpoint } from './dynamodb';

/**
 * A small SQS stand-in speaking the real service's JSON protocol (awsJson1_0, `X-Amz-Target:
 * AmazonSQS.<Operation>`), so the real AWS SDK talks to it through a client `endpoint` as it talks to AWS.
 * It keeps SQS's semantics that the bridge relies on: per-message `DelaySeconds`, the visibility timeout
 * (a received message is hidden until deleted or until the timeout passes, then received again), the
 * receive count, a redrive policy moving a message to its dead-letter queue once it was received more than
 * `maxReceiveCount` times, long polling (`WaitTimeSeconds`, bounded), and the MD5 digests the SDK checks.
 * Standard queues only (no FIFO); in memory.
 */
export interface StartLocalSqsOptions {
  port?: number;
  host?: string;
  region?: string;
  /** Epoch ms (tests move time without waiting). */
  clock?: () => number;
}

export interface LocalSqs extends LocalEndpoint {
  /** Requests per operation. */
  counters(): Record<string, number>;
  /** Messages of a queue by state (tests). */
  depth(queueName: string): { visible: number; inFlight: number; delayed: number };
}

const ACCOUNT = '000000000000';
const MAX_WAIT_SECONDS = 20;

interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  receiptHandle: string | null;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  redrive: { deadLetterTargetArn: string; maxReceiveCount: number } | null;
  messages: StoredMessage[];
  waiters: Set<() => void>;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const seconds = (max: number) =>
  z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(0).max(max));

const redrivePolicySchema = z.object({
  deadLetterTargetArn: z.string().min(1),
  maxReceiveCount: z
    .union([z.number(), z.string().transform(Number)])
    .pipe(z.number().int().min(1).max(1000)),
});

const attributesSchema = z
  .looseObject({
    VisibilityTimeout: seconds(43_200).optional(),
    DelaySeconds: seconds(900).optional(),
    RedrivePolicy: z
      .string()
      .transform((raw) => JSON.parse(raw) as unknown)
      .pipe(redrivePolicySchema)
      .optional(),
  })
  .optional();

const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1-80 of A-Z a-z 0-9 _ -');
const createQueueInput = z.looseObject({ QueueName: queueName, Attributes: attributesSchema });
const queueUrlInput = z.looseObject({ QueueUrl: z.string().min(1) });
const getQueueUrlInput = z.looseObject({ QueueName: queueName });
const setAttributesInput = z.looseObject({ QueueUrl: z.string().min(1), Attributes: attributesSchema });
const bodySchema = z.string().min(1).max(262_144);
const sendInput = z.looseObject({
  QueueUrl: z.string().min(1),
  MessageBody: bodySchema,
  DelaySeconds: seconds(900).optional(),
});
const sendBatchInput = z.looseObject({
  QueueUrl: z.string().min(1),
  Entries: z
    .array(
      z.looseObject({
        Id: z.string().min(1),
        MessageBody: bodySchema,
        DelaySeconds: seconds(900).optional(),
      }),
    )
    .min(1)
    .max(10),
});
const receiveInput = z.looseObject({
  QueueUrl: z.string().min(1),
  MaxNumberOfMessages: z.number().int().min(1).max(10).optional(),
  VisibilityTimeout: seconds(43_200).optional(),
  WaitTimeSeconds: seconds(MAX_WAIT_SECONDS).optional(),
});
const deleteInput = z.looseObject({ QueueUrl: z.string().min(1), ReceiptHandle: z.string().min(1) });
const deleteBatchInput = z.looseObject({
  QueueUrl: z.string().min(1),
  Entries: z
    .array(z.looseObject({ Id: z.string().min(1), ReceiptHandle: z.string().min(1) }))
    .min(1)
    .max(10),
});
const changeVisibilityInput = z.looseObject({
  QueueUrl: z.string().min(1),
  ReceiptHandle: z.string().min(1),
  VisibilityTimeout: seconds(43_200),
});

export async function startLocalSqs(options: StartLocalSqsOptions = {}): Promise<LocalSqs> {
  const { port = 0, host = '127.0.0.1', region = 'eu-central-1', clock = Date.now } = options;
  const queues = new Map<string, Queue>();
  const counts: Record<string, number> = {};
  let baseUrl = '';

  const queueOf = (url: string): Queue => {
    const name = url.slice(url.lastIndexOf('/') + 1);
    const queue = queues.get(name);
    if (!queue)
      throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return queue;
  };
  const byArn = (arn: string) => [...queues.values()].find((q) => q.arn === arn);
  const wake = (queue: Queue) => {
    for (const waiter of queue.waiters) waiter();
    queue.waiters.clear();
  };
  const applyAttributes = (queue: Queue, attributes: z.output<typeof attributesSchema>) => {
    if (attributes?.VisibilityTimeout !== undefined)
      queue.visibilityTimeoutSeconds = attributes.VisibilityTimeout;
    if (attributes?.DelaySeconds !== undefined) queue.delaySeconds = attributes.DelaySeconds;
    if (attributes?.RedrivePolicy !== undefined) queue.redrive = attributes.RedrivePolicy;
  };
  const enqueue = (queue: Queue, body: string, delaySeconds: number | undefined) => {
    const now = clock();
    const message: StoredMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + (delaySeconds ?? queue.delaySeconds) * 1000,
      receiveCount: 0,
      firstReceivedAt: null,
      receiptHandle: null,
    };
    queue.messages.push(message);
    wake(queue);
    return message;
  };
  /** Messages visible now, moving those received too often to the dead-letter queue (as SQS does on receive). */
  const takeVisible = (queue: Queue, max: number, visibilitySeconds: number) => {
    const now = clock();
    const taken: StoredMessage[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        const target = byArn(queue.redrive.deadLetterTargetArn);
        queue.messages.splice(queue.messages.indexOf(message), 1);
        if (target) {
          target.messages.push({ ...message, visibleAt: now, receiptHandle: null });
          wake(target);
        }
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receiptHandle = `${message.id}#${randomUUID()}`;
      message.visibleAt = now + visibilitySeconds * 1000;
      taken.push(message);
    }
    return taken;
  };
  const removeByHandle = (queue: Queue, handle: string) => {
    const index = queue.messages.findIndex((m) => m.receiptHandle === handle);
    // A handle of a message already gone (deleted, or received again under a newer handle) is accepted,
    // as SQS accepts it: deleting twice is harmless.
    if (index === -1) return;
    queue.messages.splice(index, 1);
  };

  const operations = {
    CreateQueue(body: unknown) {
      const input = parseInput(createQueueInput, body);
      let queue = queues.get(input.QueueName);
      if (!queue) {
        queue = {
          name: input.QueueName,
          url: `${baseUrl}/${ACCOUNT}/${input.QueueName}`,
          arn: `arn:aws:sqs:${region}:${ACCOUNT}:${input.QueueName}`,
          visibilityTimeoutSeconds: 30,
          delaySeconds: 0,
          redrive: null,
          messages: [],
          waiters: new Set(),
        };
        queues.set(queue.name, queue);
      }
      applyAttributes(queue, input.Attributes);
      return { QueueUrl: queue.url };
    },
    GetQueueUrl(body: unknown) {
      const input = parseInput(getQueueUrlInput, body);
      const queue = queues.get(input.QueueName);
      if (!queue)
        throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      return { QueueUrl: queue.url };
    },
    SetQueueAttributes(body: unknown) {
      const input = parseInput(setAttributesInput, body);
      applyAttributes(queueOf(input.QueueUrl), input.Attributes);
      return {};
    },
    GetQueueAttributes(body: unknown) {
      const queue = queueOf(parseInput(queueUrlInput, body).QueueUrl);
      const now = clock();
      const visible = queue.messages.filter((m) => m.visibleAt <= now);
      return {
        Attributes: {
          QueueArn: queue.arn,
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          DelaySeconds: String(queue.delaySeconds),
          ApproximateNumberOfMessages: String(visible.length),
          ApproximateNumberOfMessagesNotVisible: String(
            queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length,
          ),
          ApproximateNumberOfMessagesDelayed: String(
            queue.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length,
          ),
          ...(queue.redrive ? { RedrivePolicy: JSON.stringify(queue.redrive) } : {}),
        },
      };
    },
    PurgeQueue(body: unknown) {
      queueOf(parseInput(queueUrlInput, body).QueueUrl).messages.length = 0;
      return {};
    },
    SendMessage(body: unknown) {
      const input = parseInput(sendInput, body);
      const message = enqueue(queueOf(input.QueueUrl), input.MessageBody, input.DelaySeconds);
      return { MessageId: message.id, MD5OfMessageBody: message.md5 };
    },
    SendMessageBatch(body: unknown) {
      const input = parseInput(sendBatchInput, body);
      const queue = queueOf(input.QueueUrl);
      return {
        Successful: input.Entries.map((entry) => {
          const message = enqueue(queue, entry.MessageBody, entry.DelaySeconds);
          return { Id: entry.Id, MessageId: message.id, MD5OfMessageBody: message.md5 };
        }),
        Failed: [],
      };
    },
    async ReceiveMessage(body: unknown) {
      const input = parseInput(receiveInput, body);
      const queue = queueOf(input.QueueUrl);
      const max = input.MaxNumberOfMessages ?? 1;
      const visibility = input.VisibilityTimeout ?? queue.visibilityTimeoutSeconds;
      const deadline = Date.now() + (input.WaitTimeSeconds ?? 0) * 1000;
      let taken = takeVisible(queue, max, visibility);
      // Long polling: wait for a send (or for a delayed message to come due), bounded by WaitTimeSeconds.
      while (taken.length === 0 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now())));
          queue.waiters.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        taken = takeVisible(queue, max, visibility);
      }
      return {
        Messages: taken.map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
          },
        })),
      };
    },
    DeleteMessage(body: unknown) {
      const input = parseInput(deleteInput, body);
      removeByHandle(queueOf(input.QueueUrl), input.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch(body: unknown) {
      const input = parseInput(deleteBatchInput, body);
      const queue = queueOf(input.QueueUrl);
      for (const entry of input.Entries) removeByHandle(queue, entry.ReceiptHandle);
      return { Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    ChangeMessageVisibility(body: unknown) {
      const input = parseInput(changeVisibilityInput, body);
      const queue = queueOf(input.QueueUrl);
      const message = queue.messages.find((m) => m.receiptHandle === input.ReceiptHandle);
      if (!message) throw new AwsError('MessageNotInflight', 'The message is not in flight.');
      message.visibleAt = clock() + input.VisibilityTimeout * 1000;
      if (input.VisibilityTimeout === 0) wake(queue);
      return {};
    },
  };

  const endpoint = await startAwsJsonServer({
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    operations,
    port,
    host,
    onCall: (name) => {
      counts[name] = (counts[name] ?? 0) + 1;
    },
  });
  baseUrl = endpoint.endpoint;
  return {
    ...endpoint,
    counters: () => ({ ...counts }),
    depth(name) {
      const queue = queues.get(name);
      if (!queue) return { visible: 0, inFlight: 0, delayed: 0 };
      const now = clock();
      return {
        visible: queue.messages.filter((m) => m.visibleAt <= now).length,
        inFlight: queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length,
        delayed: queue.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length,
      };
    },
    close: async () => {
      for (const queue of queues.values()) wake(queue);
      await endpoint.close();
    },
  };
}
