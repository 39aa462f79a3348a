/**
 * The stage's shared Podero request budget in the main table (ADR 0012):
 *
 *   budget  pk `RATE#podero`  sk `BUDGET`  (`window`: epoch second, `used`: requests granted in it,
 *                                           `paused_until`: epoch ms of a shared back-off after a 429)
 *
 * Every worker claims permits for the current second with a conditional update, so the workers together
 * never take more than the ceiling in any one second, and a 429 seen by one worker pauses them all.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { RateClaim } from '../platform/podero-rate-limit';
import { sendIfCondition } from './conditional';

const KEY = { pk: 'RATE#podero', sk: 'BUDGET' };
/** A claim that lost a race reads the item and tries again with what is left: bounded. */
const CLAIM_ROUNDS = 4;

/** What a claim got: permits (at least one) usable until the end of `window`, or a time to come back at. */
export type { RateClaim };

const budgetSchema = z.object({
  window: z.number().int().optional(),
  used: z.number().int().min(0).optional(),
  paused_until: z.number().optional(),
});

export class RateBudgetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Up to `want` permits of second `window` (epoch s) under `ceiling` requests per second. */
  async claim(want: number, window: number, ceiling: number, nowMs: number): Promise<RateClaim> {
    let asking = Math.min(want, ceiling);
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      if (await this.take(asking, window, ceiling, nowMs)) return { granted: asking, window };
      const out = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: KEY, ConsistentRead: true }),
      );
      const row = budgetSchema.parse(out.Item ?? {});
      if (row.paused_until !== undefined && row.paused_until > nowMs)
        return { granted: 0, retryAtMs: row.paused_until };
      // Another worker's clock is ahead: its second has begun, ours has not.
      if (row.window !== undefined && row.window > window)
        return { granted: 0, retryAtMs: row.window * 1000 };
      const left = row.window === window ? ceiling - (row.used ?? 0) : ceiling;
      if (left <= 0) return { granted: 0, retryAtMs: (window + 1) * 1000 };
      asking = Math.min(asking, left);
    }
    return { granted: 0, retryAtMs: nowMs + 10 };
  }

  /** One conditional write: more of the current second's budget, or the first permits of a new second. */
  private async take(k: number, window: number, ceiling: number, nowMs: number): Promise<boolean> {
    const notPaused = '(attribute_not_exists(paused_until) OR paused_until <= :now)';
    const same = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'SET used = used + :k',
          ConditionExpression: `#w = :w AND used <= :left AND ${notPaused}`,
          ExpressionAttributeNames: { '#w': 'window' },
          ExpressionAttributeValues: { ':k': k, ':w': window, ':left': ceiling - k, ':now': nowMs },
        }),
      ),
    );
    if (same !== undefined) return true;
    const fresh = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'SET #w = :w, used = :k',
          ConditionExpression: `(attribute_not_exists(#w) OR #w < :w) AND ${notPaused}`,
          ExpressionAttributeNames: { '#w': 'window' },
          ExpressionAttributeValues: { ':k': k, ':w': window, ':now': nowMs },
        }),
      ),
    );
    return fresh !== undefined;
  }

  /** Pauses every worker until `untilMs` (only ever extends a pause). */
  async pause(untilMs: number): Promise<void> {
    await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'SET paused_until = :until',
          ConditionExpression: 'attribute_not_exists(paused_until) OR paused_until < :until',
          ExpressionAttributeValues: { ':until': untilMs },
        }),
      ),
    );
  }
}
