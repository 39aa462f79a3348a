/**
 * The history backfill's own records in the main table (functions/src/history/backfill.ts):
 *
 *   run      pk `BACKFILL#history`  sk `RUN`                      where the walk is, the last run, the totals
 *   device   pk `BACKFILL#history`  sk `DEVICE#<kind>#<id>`       how far a device's gaps were attempted, what
 *                                                                 was filled, what stays unfillable and why
 *
 * One partition: the operator reads every device's record in one Query. A record is small (at most 100
 * unfillable gaps), and the job writes one per device per run at most, far below a partition's 1,000 writes a
 * second.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { UNFILLABLE_REASONS, type UnfillableGap } from '../domain/readings/history';

const PK = 'BACKFILL#history';
const RUN_SK = 'RUN';
const DEVICE_SK_PREFIX = 'DEVICE#';

/** Why a run ended: the walk is done, its request allowance or time ran out, or Podero answered 429. */
export const RUN_ENDINGS = ['pass_complete', 'requests_spent', 'time_spent', 'rate_limited'] as const;
export type RunEnding = (typeof RUN_ENDINGS)[number];

export interface BackfillRunFigures {
  /** Devices whose gaps the run looked at. */
  devices: number;
  /** `/data` requests it sent (each HTTP attempt: the job does not retry). */
  requests: number;
  /** Quarter-hours it filled (readings stored). */
  filled: number;
  /** Quarter-hours it recorded as unfillable. */
  unfillable: number;
}

export interface BackfillRunState {
  /** Passes begun over every onboarded user's devices. */
  pass: number;
  passStartedAt: string | null;
  /** The last user whose devices are done in this pass; null: the pass starts (again) from the first. */
  cursor: string | null;
  lastPassCompletedAt: string | null;
  lastRunAt: string | null;
  lastRunEnding: RunEnding | null;
  lastRun: BackfillRunFigures;
  totals: BackfillRunFigures;
}

export interface BackfillDeviceRecord {
  kind: string;
  deviceId: string;
  externalUserId: string;
  /** Gaps before this time were attempted (filled or recorded unfillable); null: none yet. */
  checkedThrough: string | null;
  filledQuarters: number;
  unfillableQuarters: number;
  /** The newest unfillable gaps, merged, time order. */
  unfillable: UnfillableGap[];
  updatedAt: string;
}

const figuresSchema = z.object({
  devices: z.number().int().min(0),
  requests: z.number().int().min(0),
  filled: z.number().int().min(0),
  unfillable: z.number().int().min(0),
});
const runSchema = z.object({
  pass: z.number().int().min(0),
  pass_started_at: z.string().nullable(),
  cursor: z.string().nullable(),
  last_pass_completed_at: z.string().nullable(),
  last_run_at: z.string().nullable(),
  last_run_ending: z.enum(RUN_ENDINGS).nullable(),
  last_run: figuresSchema,
  totals: figuresSchema,
});
const gapSchema = z.object({
  from: z.string(),
  to: z.string(),
  reason: z.enum(Object.keys(UNFILLABLE_REASONS) as [keyof typeof UNFILLABLE_REASONS]),
});
const deviceSchema = z.object({
  kind: z.string(),
  device_id: z.string(),
  external_user_id: z.string(),
  checked_through: z.string().nullable(),
  filled_quarters: z.number().int().min(0),
  unfillable_quarters: z.number().int().min(0),
  unfillable: z.array(gapSchema),
  updated_at: z.string(),
});

export const noFigures = (): BackfillRunFigures => ({ devices: 0, requests: 0, filled: 0, unfillable: 0 });

export const initialRunState = (): BackfillRunState => ({
  pass: 0,
  passStartedAt: null,
  cursor: null,
  lastPassCompletedAt: null,
  lastRunAt: null,
  lastRunEnding: null,
  lastRun: noFigures(),
  totals: noFigures(),
});

const deviceSk = (kind: string, deviceId: string) => `${DEVICE_SK_PREFIX}${kind}#${deviceId}`;

function parseDevice(item: Record<string, unknown>): BackfillDeviceRecord {
  const row = deviceSchema.parse(item);
  return {
    kind: row.kind,
    deviceId: row.device_id,
    externalUserId: row.external_user_id,
    checkedThrough: row.checked_through,
    filledQuarters: row.filled_quarters,
    unfillableQuarters: row.unfillable_quarters,
    unfillable: row.unfillable,
    updatedAt: row.updated_at,
  };
}

export class BackfillStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getRun(): Promise<BackfillRunState> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: RUN_SK }, ConsistentRead: true }),
    );
    if (!out.Item) return initialRunState();
    const row = runSchema.parse(out.Item);
    return {
      pass: row.pass,
      passStartedAt: row.pass_started_at,
      cursor: row.cursor,
      lastPassCompletedAt: row.last_pass_completed_at,
      lastRunAt: row.last_run_at,
      lastRunEnding: row.last_run_ending,
      lastRun: row.last_run,
      totals: row.totals,
    };
  }

  /** One writer at a time (the function's reserved concurrency is 1): a plain put. */
  async putRun(state: BackfillRunState): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: PK,
          sk: RUN_SK,
          entity: 'backfill_run',
          pass: state.pass,
          pass_started_at: state.passStartedAt,
          cursor: state.cursor,
          last_pass_completed_at: state.lastPassCompletedAt,
          last_run_at: state.lastRunAt,
          last_run_ending: state.lastRunEnding,
          last_run: state.lastRun,
          totals: state.totals,
        },
      }),
    );
  }

  async getDevice(kind: string, deviceId: string): Promise<BackfillDeviceRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: PK, sk: deviceSk(kind, deviceId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseDevice(out.Item) : undefined;
  }

  async putDevice(record: BackfillDeviceRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: PK,
          sk: deviceSk(record.kind, record.deviceId),
          entity: 'backfill_device',
          kind: record.kind,
          device_id: record.deviceId,
          external_user_id: record.externalUserId,
          checked_through: record.checkedThrough,
          filled_quarters: record.filledQuarters,
          unfillable_quarters: record.unfillableQuarters,
          unfillable: record.unfillable,
          updated_at: record.updatedAt,
        },
      }),
    );
  }

  /** Up to `limit` device records in key order (kind, id) after `after` (a record's `kind#id`). */
  async listDevices(
    limit: number,
    after?: string,
  ): Promise<{ devices: BackfillDeviceRecord[]; next: string | null }> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': DEVICE_SK_PREFIX },
        ...(after ? { ExclusiveStartKey: { pk: PK, sk: `${DEVICE_SK_PREFIX}${after}` } } : {}),
        Limit: limit,
      }),
    );
    const devices = (out.Items ?? []).map(parseDevice);
    const last = devices.at(-1);
    return { devices, next: out.LastEvaluatedKey && last ? `${last.kind}#${last.deviceId}` : null };
  }
}
