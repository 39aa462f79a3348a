/**
 * Erasure jobs in the main table: what an offboarding still has to delete outside the user's partition
 * (readings, the sync's failure record, re-authentication attempts), and whether that has finished.
 *
 *   customer job  pk `ERASURE#<external_user_id>`  sk `USER`
 *   device job    pk `ERASURE#<external_user_id>`  sk `<kind.storage.skPrefix><device id>`
 *
 * A partition of its own, not the user's: the offboarding empties the user's partition, and the job must
 * outlive it. A job holds ids only (the customer's, its devices', hashes of re-authentication tokens),
 * never personal data, and TTL removes it ERASURE_RECORD_RETENTION_SECONDS after it finished (the
 * operator's proof that the erasure ran).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { type DeviceKindStorage, deviceKinds } from '../domain/devices/kinds';
import { sendIfCondition } from './conditional';
import { deviceSk } from './device-snapshots';

/**
 * The attribute listing a job's devices, of any kind: the first kind's `idsAttribute` (jobs were written with
 * it before there were other kinds; an id is a UUID, whatever its kind).
 */
const DEVICE_IDS = heatPumpKind.storage.idsAttribute;

export const ERASURE_USER_JOB = 'USER';
export const erasurePk = (externalUserId: string): string => `ERASURE#${externalUserId}`;
/** A device's job id: the device's sort key in the user's partition. */
export const erasureDeviceJob = (deviceId: string, kind: DeviceKindStorage = heatPumpKind.storage): string =>
  deviceSk(deviceId, kind);

/** A job's scope: the user, or one device (its kind's name). */
export const ERASURE_SCOPES = ['user', ...deviceKinds.map((kind) => kind.name)] as const;

/** A finished job is kept this long (then TTL removes it); an unfinished one is never expired. */
export const ERASURE_RECORD_RETENTION_SECONDS = 30 * 86_400;

export const erasureJobSchema = z.object({
  external_user_id: z.string(),
  job_id: z.string(),
  /** The user, or one device (its kind's name). */
  scope: z.enum(ERASURE_SCOPES),
  /** Whose readings to delete (under the kind's attribute name). */
  [DEVICE_IDS]: z.array(z.string()),
  /** Re-authentication attempts to delete (`REAUTH#<sha-256 of the token>`, storage/reauthentications.ts). */
  reauthentication_pks: z.array(z.string()),
  status: z.enum(['in_progress', 'done']),
  requested_at: z.string(),
  /** When the last sweep may run: no writer that read the customer before the offboarding is left then. */
  final_sweep_at: z.string(),
  sweeps: z.number().int().nonnegative(),
  readings_deleted: z.number().int().nonnegative(),
  finished_at: z.string().nullable(),
});
export type ErasureJob = z.infer<typeof erasureJobSchema>;

export class ErasureStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Starts (or restarts, for a retried offboarding) a job. */
  async put(job: ErasureJob): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: erasurePk(job.external_user_id), sk: job.job_id, entity: 'erasure', ...job },
      }),
    );
  }

  async get(externalUserId: string, jobId: string): Promise<ErasureJob | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: erasurePk(externalUserId), sk: jobId },
        ConsistentRead: true,
      }),
    );
    return out.Item ? erasureJobSchema.parse(out.Item) : undefined;
  }

  /** Every job of the customer (its own and its devices'), in job id order. */
  async list(externalUserId: string): Promise<ErasureJob[]> {
    const jobs: ErasureJob[] = [];
    let startKey: Record<string, unknown> | undefined;
    // A customer has a handful of devices; the bound only guards against a runaway loop.
    for (let page = 0; page < 100; page++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': erasurePk(externalUserId) },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) jobs.push(erasureJobSchema.parse(item));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return jobs;
  }

  /** A sweep finished: counts it, adds what it found to the targets, and closes the job when `done`. */
  async recordSweep(
    job: ErasureJob,
    sweep: {
      readingsDeleted: number;
      deviceIds: readonly string[];
      reauthenticationPks: readonly string[];
    },
    at: Date,
    done: boolean,
  ): Promise<void> {
    await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: erasurePk(job.external_user_id), sk: job.job_id },
          UpdateExpression: `SET sweeps = sweeps + :one, readings_deleted = readings_deleted + :deleted, ${DEVICE_IDS} = :ids, reauthentication_pks = :reauths${
            done ? ', #status = :done, finished_at = :at, expires_at = :expires' : ''
          }`,
          // A job restarted meanwhile (a retried offboarding) keeps its new start.
          ConditionExpression: 'requested_at = :requested',
          ExpressionAttributeNames: done ? { '#status': 'status' } : undefined,
          ExpressionAttributeValues: {
            ':one': 1,
            ':deleted': sweep.readingsDeleted,
            ':ids': [...new Set([...job[DEVICE_IDS], ...sweep.deviceIds])],
            ':reauths': [...new Set([...job.reauthentication_pks, ...sweep.reauthenticationPks])],
            ':requested': job.requested_at,
            ...(done
              ? {
                  ':done': 'done',
                  ':at': at.toISOString(),
                  ':expires': Math.floor(at.getTime() / 1000) + ERASURE_RECORD_RETENTION_SECONDS,
                }
              : {}),
          },
        }),
      ),
    );
  }
}
