import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ShardMessage } from './shard-message';

/** Ten messages per SendMessageBatch, a few batches at once: a 1,000-shard pass is 100 calls. */
const BATCHES_IN_FLIGHT = 8;

/** The sync-shards queue: the planner's shards, and the continuation of a shard that ran out of time. */
export class ShardQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: readonly ShardMessage[]): Promise<void> {
    const batches: ShardMessage[][] = [];
    for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10));
    let next = 0;
    const sendAll = async () => {
      while (next < batches.length) {
        const batch = batches[next++] as ShardMessage[];
        const out = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((message, j) => ({ Id: String(j), MessageBody: JSON.stringify(message) })),
          }),
        );
        if ((out.Failed ?? []).length > 0) {
          throw new Error(`SQS refused ${out.Failed?.length} of ${batch.length} shard messages`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, sendAll));
  }

  async continueLater(message: ShardMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
