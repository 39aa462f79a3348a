/**
 * The webhook delivery queue (SQS): one message per event and endpoint, carrying the event itself, the
 * attempt number and when it is due. A retry is a new message for the next attempt, delayed by SQS (at
 * most 15 minutes at a time; a longer wait is re-delayed by the delivery function until it is due). The
 * dead-letter queue receives a delivery whose last attempt failed, and (through the queue's redrive
 * policy) a message the delivery function itself could not process.
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { type BridgeEvent, bridgeEventSchema } from '../domain/events/catalogue';
import { MAX_ATTEMPTS, queueDelaySeconds } from './schedule';

export const deliveryMessageSchema = z.object({
  webhook_id: z.string().min(1),
  event: bridgeEventSchema,
  attempt: z.number().int().min(1).max(MAX_ATTEMPTS),
  not_before: z.iso.datetime(),
});
export type DeliveryMessage = { webhook_id: string; event: BridgeEvent; attempt: number; not_before: string };

/** Why a delivery is in the dead-letter queue (its body is the message plus this). */
export interface DeadLetter extends DeliveryMessage {
  dead_lettered_at: string;
  reason: string;
}

export class DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    /** Only the delivery function dead-letters (and may send there). */
    private readonly deadLetterQueueUrl?: string,
  ) {}

  /** Sends the messages in order (ten per call), each delayed until it is due (or by 15 minutes). */
  async enqueue(messages: readonly DeliveryMessage[], nowMs: number): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(message),
            DelaySeconds: queueDelaySeconds(Date.parse(message.not_before), nowMs),
          })),
        }),
      );
      if ((out.Failed ?? []).length > 0) {
        throw new Error(`SQS refused ${out.Failed?.length} of ${chunk.length} delivery messages`);
      }
    }
  }

  async deadLetter(message: DeliveryMessage, reason: string, nowMs: number): Promise<void> {
    if (this.deadLetterQueueUrl === undefined)
      throw new Error('this queue has no dead-letter queue configured');
    const body: DeadLetter = { ...message, dead_lettered_at: new Date(nowMs).toISOString(), reason };
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.deadLetterQueueUrl, MessageBody: JSON.stringify(body) }),
    );
  }
}
