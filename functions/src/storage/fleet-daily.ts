/**
 * The fleet's daily figures, kept for the console's trends (devices per connection state, stale devices,
 * sync pass duration, webhook success rate) so that a trend never costs a scan of the fleet:
 *
 *   pk `FLEET#DAILY`  sk `DAY#<yyyy-mm-dd>` (UTC day)   kept FLEET_DAILY_RETENTION_DAYS
 *
 * Writes are cheap and commutative: the pass that completes SETs the day's device census (the day's last
 * pass wins) and ADDs its duration; each webhook delivery batch ADDs its attempts' outcomes. One
 * UpdateItem per pass (and a second, conditional one when it is the day's longest) and one per delivery
 * batch; no read before a write, no transaction.
 */
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CONNECTION_STATES, type ConnectionState } from '../domain/devices/rules';
import type { FleetCensus } from '../domain/fleet-census';
import { sendIfCondition } from './conditional';

export const FLEET_DAILY_PK = 'FLEET#DAILY';
const DAY_PREFIX = 'DAY#';
/** 400 days: a year of trends, with its month before for a year-on-year look at the same month. */
export const FLEET_DAILY_RETENTION_DAYS = 400;

/** One UTC day's figures; a figure nothing recorded that day is null (missing, not zero). */
export interface FleetDay {
  day: string;
  /** Devices per connection state as the day's last completed pass saw them. */
  connection: Record<ConnectionState, number> | null;
  stale: number | null;
  passes: number;
  /** Mean and longest duration of the passes completed that day. */
  passDurationMsMean: number | null;
  passDurationMsMax: number | null;
  webhooksDelivered: number;
  webhooksFailed: number;
}

/** The UTC day of an instant, as the items' sort keys carry it. */
export const utcDayOf = (atMs: number): string => new Date(atMs).toISOString().slice(0, 10);

const count = z.number().int().min(0);
const dayItemSchema = z.object({
  sk: z.string().startsWith(DAY_PREFIX),
  connection: z.record(z.string(), count).optional(),
  stale: count.nullable().optional(),
  passes: count.optional(),
  pass_duration_ms_total: z.number().min(0).optional(),
  pass_duration_ms_max: z.number().min(0).optional(),
  webhooks_delivered: count.optional(),
  webhooks_failed: count.optional(),
});

function dayOf(item: Record<string, unknown>): FleetDay {
  const row = dayItemSchema.parse(item);
  const passes = row.passes ?? 0;
  const stored = row.connection;
  return {
    day: row.sk.slice(DAY_PREFIX.length),
    connection: stored
      ? (Object.fromEntries(
          CONNECTION_STATES.map((state) => [state, stored[state] ?? 0]),
        ) as FleetDay['connection'])
      : null,
    stale: row.stale ?? null,
    passes,
    passDurationMsMean:
      passes > 0 && row.pass_duration_ms_total !== undefined ? row.pass_duration_ms_total / passes : null,
    passDurationMsMax: row.pass_duration_ms_max ?? null,
    webhooksDelivered: row.webhooks_delivered ?? 0,
    webhooksFailed: row.webhooks_failed ?? 0,
  };
}

export class FleetDailyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private keyOf(atMs: number) {
    return { pk: FLEET_DAILY_PK, sk: `${DAY_PREFIX}${utcDayOf(atMs)}` };
  }

  /** The end of the day plus the retention: every write to a day sets the same expiry. */
  private expiresAt(atMs: number): number {
    const dayEnd = Date.parse(`${utcDayOf(atMs)}T00:00:00Z`) / 1000 + 86_400;
    return dayEnd + FLEET_DAILY_RETENTION_DAYS * 86_400;
  }

  /**
   * A completed pass: its census becomes the day's (the last pass of the day wins), its duration adds to the
   * day's. The longest duration is kept with a second, conditional update only when this pass is longer.
   */
  async recordPass(atMs: number, pass: { durationMs: number; census: FleetCensus }): Promise<void> {
    const key = this.keyOf(atMs);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression:
          'SET #connection = :connection, stale = :stale, expires_at = :expires ADD passes :one, pass_duration_ms_total :duration',
        ExpressionAttributeNames: { '#connection': 'connection' },
        ExpressionAttributeValues: {
          ':connection': pass.census.connection,
          ':stale': pass.census.stale,
          ':expires': this.expiresAt(atMs),
          ':one': 1,
          ':duration': pass.durationMs,
        },
      }),
    );
    await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET pass_duration_ms_max = :duration',
          ConditionExpression:
            'attribute_not_exists(pass_duration_ms_max) OR pass_duration_ms_max < :duration',
          ExpressionAttributeValues: { ':duration': pass.durationMs },
        }),
      ),
    );
  }

  /** A delivery batch's attempts: delivered, and failed (retrying or dead-lettered). */
  async addWebhookAttempts(atMs: number, attempts: { delivered: number; failed: number }): Promise<void> {
    if (attempts.delivered === 0 && attempts.failed === 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.keyOf(atMs),
        UpdateExpression:
          'SET expires_at = :expires ADD webhooks_delivered :delivered, webhooks_failed :failed',
        ExpressionAttributeValues: {
          ':expires': this.expiresAt(atMs),
          ':delivered': attempts.delivered,
          ':failed': attempts.failed,
        },
      }),
    );
  }

  /** The `days` UTC days up to and including today's, oldest first: one Query, at most `days` items. */
  async lastDays(days: number, nowMs: number): Promise<FleetDay[]> {
    const first = utcDayOf(nowMs - (days - 1) * 86_400_000);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': FLEET_DAILY_PK,
          ':from': `${DAY_PREFIX}${first}`,
          ':to': `${DAY_PREFIX}${utcDayOf(nowMs)}`,
        },
        ScanIndexForward: true,
      }),
    );
    return (out.Items ?? []).map(dayOf);
  }
}
