/**
 * Day-ahead trading days in the main table (docs/adr/0015-day-ahead-trading-workflow.md):
 *
 *   day  pk `TRADING#<zone>`  sk `DAY#<delivery day>`   gsi1 `TRADING#OPEN` / `<day>#<zone>` while not final
 *
 * One item holds the whole day (forecast, Podero's answers, curves, decision, attempts, timestamps) and its
 * pending change events (the outbox, storage/outbox.ts). Every step is one conditional UpdateItem on the state
 * it started from, so it is recorded once, with its event, or not at all.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { OutboxEntry } from '../domain/events/catalogue';
import { TRADING_STATES, type TradingState } from '../domain/trading/workflow';
import { sendIfCondition } from './conditional';
import { outboxAppend, outboxAttributes } from './outbox';

export const TRADING_OPEN_GSI1PK = 'TRADING#OPEN';
const pkOf = (zone: string) => `TRADING#${zone}`;
const skOf = (day: string) => `DAY#${day}`;

const forecastPointSchema = z.object({ start: z.string(), price_eur_mwh: z.number() });
const curvePointSchema = z.object({
  start: z.string(),
  optimized_wh: z.number(),
  unoptimized_wh: z.number(),
  delta_wh: z.number(),
  price_eur_mwh: z.number().nullable(),
});

export const tradingDaySchema = z.object({
  price_zone: z.string(),
  delivery_day: z.string(),
  state: z.enum(TRADING_STATES),
  /** Why the day ended missed or failed. */
  reason: z.string().nullable().default(null),
  forecast: z.array(forecastPointSchema),
  /** sha-256 of the forecast as normalised: an identical PUT is recognised without comparing lists. */
  forecast_digest: z.string(),
  deadlines: z.object({
    upload_by: z.string(),
    curves_expected_at: z.string(),
    curves_late_at: z.string(),
    confirm_by: z.string(),
    confirmation_due_at: z.string(),
  }),
  variant: z.enum(['reference', 'guide']),
  upload_attempts: z.number().int().default(0),
  upload_status: z.string().nullable().default(null),
  calculation_ready_at: z.string().nullable().default(null),
  curve_attempts: z.number().int().default(0),
  curves: z.array(curvePointSchema).nullable().default(null),
  optimized_wh: z.number().nullable().default(null),
  unoptimized_wh: z.number().nullable().default(null),
  expected_saving_eur: z.number().nullable().default(null),
  trade_id: z.string().nullable().default(null),
  decision: z
    .object({ accepted: z.boolean(), by: z.enum(['desk', 'auto']), at: z.string() })
    .nullable()
    .default(null),
  confirm_attempts: z.number().int().default(0),
  /** `sent`: Podero holds the confirmation; `unsupported`: the reference variant has no endpoint (ADR 0014). */
  podero_confirmation: z.enum(['sent', 'unsupported']).nullable().default(null),
  /** Consecutive Podero failures of the current step, and when to try again. */
  failures: z.number().int().default(0),
  next_attempt_at: z.string().nullable().default(null),
  last_error: z.string().nullable().default(null),
  created_at: z.string(),
  updated_at: z.string(),
  uploaded_at: z.string().nullable().default(null),
  curves_at: z.string().nullable().default(null),
  finished_at: z.string().nullable().default(null),
});
export type TradingDay = z.infer<typeof tradingDaySchema>;
const openKeySchema = z.object({ price_zone: z.string(), delivery_day: z.string() });

export type NewTradingDay = Pick<
  TradingDay,
  'price_zone' | 'delivery_day' | 'forecast' | 'forecast_digest' | 'deadlines' | 'variant' | 'created_at'
>;

export interface DayKey {
  readonly zone: string;
  readonly day: string;
}

/** A conditional step: from `from` (and `condition`, if any), set `set`, append `events`. */
export interface DayChange {
  readonly from: TradingState;
  readonly set: Readonly<Record<string, unknown>>;
  /** Numeric attributes to add to (attempt counts). */
  readonly add?: Readonly<Record<string, number>>;
  /** Extra condition (attribute names `#c0`.., values `:c0`..). */
  readonly condition?: {
    readonly expression: string;
    readonly names: Record<string, string>;
    readonly values: Record<string, unknown>;
  };
  readonly events?: readonly OutboxEntry[];
  /** The new state is final: the day leaves the open index. */
  readonly final?: boolean;
}

export interface TradingDayPage {
  readonly items: TradingDay[];
  readonly nextCursor: string | null;
}

export class TradingDayStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a new day in `prices_received`; false when the day exists already (nothing written). */
  async create(day: NewTradingDay, events: readonly OutboxEntry[]): Promise<boolean> {
    const key = { pk: pkOf(day.price_zone), sk: skOf(day.delivery_day) };
    const item = {
      ...key,
      entity: 'trading_day',
      gsi1pk: TRADING_OPEN_GSI1PK,
      gsi1sk: `${day.delivery_day}#${day.price_zone}`,
      ...day,
      state: 'prices_received' satisfies TradingState,
      upload_attempts: 0,
      curve_attempts: 0,
      confirm_attempts: 0,
      failures: 0,
      updated_at: day.created_at,
      ...outboxAttributes(events, key),
    };
    const out = await sendIfCondition(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return out !== undefined;
  }

  async get(key: DayKey): Promise<TradingDay | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: pkOf(key.zone), sk: skOf(key.day) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? tradingDaySchema.parse(out.Item) : null;
  }

  /** Applies one step if the day is still in `change.from`; false (nothing written) when it is not. */
  async apply(key: DayKey, change: DayChange, nowIso: string): Promise<boolean> {
    const itemKey = { pk: pkOf(key.zone), sk: skOf(key.day) };
    const names: Record<string, string> = { '#state': 'state', '#updated': 'updated_at' };
    const values: Record<string, unknown> = { ':from': change.from, ':updated': nowIso };
    const set: string[] = ['#updated = :updated'];
    Object.entries(change.set).forEach(([field, value], i) => {
      names[`#s${i}`] = field;
      values[`:s${i}`] = value;
      set.push(`#s${i} = :s${i}`);
    });
    const add: string[] = [];
    Object.entries(change.add ?? {}).forEach(([field, value], i) => {
      names[`#a${i}`] = field;
      values[`:a${i}`] = value;
      add.push(`#a${i} :a${i}`);
    });
    const outbox = outboxAppend(change.events ?? [], itemKey);
    set.push(...outbox.set);
    Object.assign(names, outbox.names, change.condition?.names);
    Object.assign(values, outbox.values, change.condition?.values);
    const remove = change.final ? ' REMOVE gsi1pk, gsi1sk' : '';
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey,
          UpdateExpression: `SET ${set.join(', ')}${add.length ? ` ADD ${add.join(', ')}` : ''}${remove}`,
          ConditionExpression: `attribute_exists(pk) AND #state = :from${change.condition ? ` AND (${change.condition.expression})` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return out !== undefined;
  }

  /** Every day not yet final, oldest delivery day first (the workflow's work list). */
  async open(): Promise<DayKey[]> {
    const keys: DayKey[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': TRADING_OPEN_GSI1PK },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = openKeySchema.parse(item);
        keys.push({ zone: parsed.price_zone, day: parsed.delivery_day });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }

  /** A zone's days, newest delivery day first; `after`: the last day of the previous page. */
  async history(zone: string, limit: number, after?: string): Promise<TradingDayPage> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after ? 'pk = :pk AND sk < :after' : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': pkOf(zone),
          ...(after ? { ':after': skOf(after) } : { ':prefix': 'DAY#' }),
        },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const items = (page.Items ?? []).map((item) => tradingDaySchema.parse(item));
    const last = items.at(-1);
    return { items, nextCursor: page.LastEvaluatedKey && last ? last.delivery_day : null };
  }
}
