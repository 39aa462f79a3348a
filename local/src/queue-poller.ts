import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The local stand-in for Lambda's SQS event source mapping: `maxConcurrency` pollers long-poll the queue,
 * hand each batch to the function as the SQS event Lambda builds, and delete the messages the function did
 * not report in `batchItemFailures`. A reported or unfinished message stays in the queue and comes back once
 * its visibility timeout passes (the queue's redrive policy dead-letters it after `maxReceiveCount`), as in
 * AWS. Bounded: each poll waits at most a second, and close() stops the loops.
 */
export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  maxConcurrency: number;
  handler: (event: unknown) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] } | undefined>;
  log: (message: string) => void;
}

export interface QueuePoller {
  close(): Promise<void>;
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const out = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0 || !running) continue;
        const event = {
          Records: messages.map((m) => ({
            messageId: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body,
            attributes: m.Attributes ?? {},
            messageAttributes: {},
            md5OfBody: m.MD5OfBody,
            eventSource: 'aws:sqs',
            eventSourceARN: options.queueArn,
            awsRegion: options.region,
          })),
        };
        let failed: Set<string>;
        try {
          const result = await options.handler(event);
          failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          // The whole batch failed: every message comes back after its visibility timeout.
          options.log(`batch of ${messages.length} failed: ${(error as Error).name}`);
          continue;
        }
        const done = messages.filter((m) => m.MessageId !== undefined && !failed.has(m.MessageId));
        if (done.length > 0) {
          await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      } catch (error) {
        if (!running) return;
        options.log(`polling failed: ${(error as Error).name}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const loops = Array.from({ length: options.maxConcurrency }, () => loop());
  return {
    close: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * The local stand-in for the main table's stream (dynalite has none): rings event-relay every `everyMs`,
 * one drain at a time, so an event stored by a request or a sync pass is published within about a second.
 */
export function startOutboxPoller(options: {
  everyMs: number;
  relay: () => Promise<unknown>;
  log: (message: string) => void;
}): QueuePoller {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = async () => {
    while (running) {
      try {
        await options.relay();
      } catch (error) {
        options.log(`outbox drain failed: ${(error as Error).name}: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.everyMs);
      });
    }
  };
  const running$ = loop();
  return {
    close: async () => {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await running$;
    },
  };
}
