/**
 * Erasure of what an offboarding leaves outside the user's partition: every reading of the customer's
 * devices (readings table), the sync's failure record (`FAILURE#<external_user_id>`) and the customer's
 * re-authentication attempts (`REAUTH#…`, found through their pointers in the user's partition), and what a
 * late writer put back into the partition (pointers, `statement.ready` markers: `STATEMENT#<month>`, a
 * device's removal record: `REMOVED#…`, the
 * customer search's terms: `TERM#<term>`), and the history backfill's record of each device (`BACKFILL#history`:
 * the customer's id, the device's gaps). A device's offboarding erases that device's readings, its backfill
 * record and its tracked changes' history (`CHANGE#…` in the user's partition; its open changes leave the
 * open-changes item with the offboarding itself).
 *
 * The request cannot wait for a year of readings, so the offboarding writes a job (storage/erasures.ts)
 * and queues it; the erasure worker sweeps. Each job is swept twice: at once, and again once every writer
 * that read the customer before the offboarding has ended (ERASURE_SETTLE_SECONDS: a sync worker or a
 * history-backfill run that listed the device is stopped by Lambda at its timeout; an API request ends
 * within 29 s). Whatever such a
 * writer stored after the first sweep (a reading, a failure record, an attempt) is gone after the second,
 * and only then is the job `done`: the operator's `GET /users/{id}/erasure` says so.
 */

import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { functionDeclarations } from '../declarations';
import { type DeviceKind, deviceKinds } from '../domain/devices/kinds';
import { NotFoundError } from '../domain/errors';
import type { Clock } from '../platform/clock';
import { AuditStore } from '../storage/audit';
import { BackfillStateStore } from '../storage/backfill-state';
import { batchWrite } from '../storage/batch-write';
import { CHANGE_SK_PREFIX, DeviceChangeStore } from '../storage/device-changes';
import { DEVICE_REMOVAL_SK_PREFIX, DeviceRemovalStore } from '../storage/device-removals';
import {
  ERASURE_SCOPES,
  ERASURE_USER_JOB,
  type ErasureJob,
  ErasureStore,
  erasureDeviceJob,
} from '../storage/erasures';
import { EVENT_HISTORY_PREFIX } from '../storage/event-history';
import { OPEN_CHANGES_SK_PREFIX } from '../storage/open-changes';
import { ReadingsStore } from '../storage/readings';
import { REAUTH_PREFIX, reauthenticationKeyOf } from '../storage/reauthentications';
import { STATEMENT_MARKER_PREFIX } from '../storage/statement-announcements';
import { SyncStateStore } from '../storage/sync-state';
import { SEARCH_TERM_SK_PREFIX } from '../storage/user-search';
import { UserStore, userPk } from '../storage/users';
import { WebhookStore } from '../storage/webhooks';

/**
 * The longest a writer that read the customer before its offboarding can still write, plus a margin: the
 * sync worker's and the history backfill's runs (readings, backfill records) end at their timeouts.
 */
export const ERASURE_SETTLE_SECONDS =
  Math.max(
    functionDeclarations.syncWorker.timeoutSeconds,
    functionDeclarations.historyBackfill.timeoutSeconds,
  ) + 60;

/** One message per sweep of a job (the queue's body). */
export const erasureMessageSchema = z.strictObject({ external_user_id: z.string(), job_id: z.string() });
export type ErasureMessage = z.infer<typeof erasureMessageSchema>;

/** No offboarding of the user or its devices is on record (or its record expired). */
export class UnknownErasureError extends NotFoundError {
  override readonly name = 'UnknownErasureError';
  constructor() {
    super('no erasure on record', { subject: 'erasure' });
  }
}

/** SQS holds a message back for at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

export class ErasureQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: ErasureMessage, delaySeconds = 0): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  }
}

export interface ErasureDeps {
  jobs: ErasureStore;
  /** Every kind's readings (a job names ids only: each is looked for under every kind). */
  readings: readonly Pick<ReadingsStore, 'deleteAllOf'>[];
  /** The devices' change histories (a device's job erases its own; a user's goes with the partition). */
  changes: Pick<DeviceChangeStore, 'deleteAllOf'>;
  /** The history backfill's per-device records (each looked for under every kind, as the readings). */
  backfill: Pick<BackfillStateStore, 'deleteDevice'>;
  /** The devices' removal records (a device's job says on it that the readings are erased). */
  removals?: Pick<DeviceRemovalStore, 'markErased'>;
  users: Pick<UserStore, 'getState'>;
  syncState: Pick<SyncStateStore, 'clearFailure'>;
  /** The customer's audit entries lose their personal data (they stay: who did what, when). */
  audit: Pick<AuditStore, 'erasePersonalDataOf'>;
  /**
   * The webhook endpoints' kept events, dead letters and logged attempts about the customer (7, 14 and 7 days
   * otherwise; an attempt keeps the start of the receiver's answer, which may name the customer).
   */
  webhooks: Pick<WebhookStore, 'deleteEventsAbout'>;
  queue: Pick<ErasureQueue, 'send'>;
  /** The main table (the user's partition, the attempts). */
  db: DynamoDBDocumentClient;
  mainTableName: string;
  /** The business clock (platform/clock.ts). */
  now: Clock;
  /** Tests shorten it; ERASURE_SETTLE_SECONDS otherwise. */
  settleMs?: number;
}

/** What an operator sees of a job (`GET /users/{external_user_id}/erasure`). */
export interface ErasureView {
  scope: ErasureJob['scope'];
  heat_pump_id: string | null;
  /** The device of a device's job (any kind). */
  device_id?: string;
  status: 'in_progress' | 'done';
  requested_at: string;
  finished_at: string | null;
  sweeps: number;
  readings_deleted: number;
}

interface Targets {
  deviceIds: string[];
  reauthenticationPks: string[];
}

/**
 * The items a writer that read the customer before the offboarding may store under its partition after the
 * sweep, each deleted where it is: a `statement.ready` marker (a sync run checks, but may die first), a
 * timeline event (the relay), search terms (a user write), and a control's tracked change and open-changes
 * item (a request racing the offboarding). All name the customer.
 */
const LATE_ITEM_PREFIXES = [
  STATEMENT_MARKER_PREFIX,
  DEVICE_REMOVAL_SK_PREFIX,
  EVENT_HISTORY_PREFIX,
  SEARCH_TERM_SK_PREFIX,
  CHANGE_SK_PREFIX,
  OPEN_CHANGES_SK_PREFIX,
] as const;

/** What lies under a user's partition that a late writer may have stored: targets, and the late items. */
interface FoundUnder extends Targets {
  /** Sort keys under the user's partition starting with one of LATE_ITEM_PREFIXES. */
  lateItemSks: string[];
}

const NOTHING_FOUND: FoundUnder = { deviceIds: [], reauthenticationPks: [], lateItemSks: [] };

export class ErasureService {
  private readonly settleMs: number;

  constructor(private readonly deps: ErasureDeps) {
    this.settleMs = deps.settleMs ?? ERASURE_SETTLE_SECONDS * 1000;
  }

  /**
   * Called by the customer's offboarding after the profile is marked and before the partition is swept:
   * the devices named there (snapshots) and at Podero (`listedHeatPumpIds`), and the attempts' pointers,
   * become the job's targets. Queued before the profile goes, so a failed send fails the DELETE, whose
   * retry queues it again.
   */
  async requestForUser(externalUserId: string, listedHeatPumpIds: readonly string[]): Promise<void> {
    const found = await this.targetsUnder(externalUserId);
    // A retried DELETE no longer sees the devices at Podero: it keeps what the first attempt named.
    const earlier = await this.deps.jobs.get(externalUserId, ERASURE_USER_JOB);
    const kept = earlier?.status === 'in_progress' ? earlier : undefined;
    await this.start(externalUserId, ERASURE_USER_JOB, 'user', {
      deviceIds: [...new Set([...(kept?.heat_pump_ids ?? []), ...listedHeatPumpIds, ...found.deviceIds])],
      reauthenticationPks: [
        ...new Set([...(kept?.reauthentication_pks ?? []), ...found.reauthenticationPks]),
      ],
    });
  }

  /** Called by a device's offboarding once its snapshot is gone. */
  async requestForDevice(
    kind: Pick<DeviceKind, 'name' | 'storage'>,
    externalUserId: string,
    deviceId: string,
  ): Promise<void> {
    const scope = ERASURE_SCOPES.find((name) => name === kind.name);
    if (scope === undefined || scope === 'user')
      throw new Error(`no erasure scope for the kind ${kind.name}`);
    await this.start(externalUserId, erasureDeviceJob(deviceId, kind.storage), scope, {
      deviceIds: [deviceId],
      reauthenticationPks: [],
    });
  }

  private async start(
    externalUserId: string,
    jobId: string,
    scope: ErasureJob['scope'],
    targets: Targets,
  ): Promise<void> {
    const now = new Date(this.deps.now());
    await this.deps.jobs.put({
      external_user_id: externalUserId,
      job_id: jobId,
      scope,
      heat_pump_ids: targets.deviceIds,
      reauthentication_pks: targets.reauthenticationPks,
      status: 'in_progress',
      requested_at: now.toISOString(),
      final_sweep_at: new Date(now.getTime() + this.settleMs).toISOString(),
      sweeps: 0,
      readings_deleted: 0,
      finished_at: null,
    });
    await this.deps.queue.send({ external_user_id: externalUserId, job_id: jobId });
  }

  /** One sweep of a job; schedules the last one, or closes the job after it. */
  async process(message: ErasureMessage): Promise<void> {
    const job = await this.deps.jobs.get(message.external_user_id, message.job_id);
    if (!job || job.status === 'done') return;
    // Only a sweep that *starts* once every writer that read the customer before the offboarding has ended can
    // close the job: one that starts earlier and ends later may have missed what such a writer stored meanwhile.
    const startedAt = this.deps.now();
    const swept = await this.sweep(job);
    const now = new Date(this.deps.now());
    const finalSweepAt = Date.parse(job.final_sweep_at);
    const final = startedAt >= finalSweepAt;
    await this.deps.jobs.recordSweep(job, swept, now, final);
    if (!final) await this.deps.queue.send(message, Math.max(0, finalSweepAt - now.getTime()) / 1000);
  }

  private async sweep(job: ErasureJob): Promise<Targets & { readingsDeleted: number }> {
    const ext = job.external_user_id;
    let late = NOTHING_FOUND;
    if (job.scope === 'user') {
      // A writer that read the customer before the offboarding may have stored a pointer after the
      // partition was swept; a customer onboarded again owns its partition, so it is left alone.
      const state = await this.deps.users.getState(ext);
      if (state.kind === 'absent' || state.kind === 'offboarding') {
        late = await this.targetsUnder(ext);
        // Every sweep: an entry of a request still running at the first one is erased by the last.
        await this.deps.audit.erasePersonalDataOf(ext, this.deps.now());
        // Every sweep too: a delivery running at the first one may keep, log or dead-letter an event after it.
        await this.deps.webhooks.deleteEventsAbout(ext);
      }
    }
    const deviceIds = [...new Set([...job.heat_pump_ids, ...late.deviceIds])];
    const reauthenticationPks = [...new Set([...job.reauthentication_pks, ...late.reauthenticationPks])];
    let readingsDeleted = 0;
    for (const deviceId of deviceIds) {
      for (const readings of this.deps.readings) readingsDeleted += await readings.deleteAllOf(deviceId, ext);
      if (job.scope !== 'user') {
        for (const kind of deviceKinds) await this.deps.changes.deleteAllOf(ext, kind.name, deviceId);
        for (const kind of deviceKinds) await this.deps.removals?.markErased(ext, kind.name, deviceId);
      }
      for (const kind of deviceKinds) await this.deps.backfill.deleteDevice(kind.name, deviceId);
    }
    if (job.scope === 'user') {
      await this.deps.syncState.clearFailure(ext);
      await this.deleteMain(ext, [
        ...reauthenticationPks.map(reauthenticationKeyOf),
        ...late.reauthenticationPks.map((pk) => ({ pk: userPk(ext), sk: pk })),
        ...late.lateItemSks.map((sk) => ({ pk: userPk(ext), sk })),
      ]);
    }
    return { deviceIds, reauthenticationPks, readingsDeleted };
  }

  private async deleteMain(owner: string, keys: { pk: string; sk: string }[]): Promise<void> {
    const result = await batchWrite(
      this.deps.db,
      keys.map((Key) => ({ tableName: this.deps.mainTableName, owner, request: { DeleteRequest: { Key } } })),
    );
    if (result.failedOwners.size > 0) throw new Error('could not delete every item of the erasure');
  }

  /** The devices (snapshots), re-authentication pointers and late items under the user's partition. */
  private async targetsUnder(externalUserId: string): Promise<FoundUnder> {
    const targets: FoundUnder = { deviceIds: [], reauthenticationPks: [], lateItemSks: [] };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.deps.db.send(
        new QueryCommand({
          TableName: this.deps.mainTableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId) },
          ProjectionExpression: 'sk',
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        const kind = deviceKinds.find((k) => sk.startsWith(k.storage.skPrefix));
        if (kind) targets.deviceIds.push(sk.slice(kind.storage.skPrefix.length));
        if (sk.startsWith(REAUTH_PREFIX)) targets.reauthenticationPks.push(sk);
        if (LATE_ITEM_PREFIXES.some((prefix) => sk.startsWith(prefix))) targets.lateItemSks.push(sk);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return targets;
  }

  /** The customer's erasure jobs; UnknownErasureError (404) when it has none on record. */
  async status(externalUserId: string): Promise<{ external_user_id: string; items: ErasureView[] }> {
    const jobs = await this.deps.jobs.list(externalUserId);
    if (jobs.length === 0) throw new UnknownErasureError();
    return {
      external_user_id: externalUserId,
      items: jobs.map((job) => ({
        scope: job.scope,
        heat_pump_id: job.scope === 'heat_pump' ? (job.heat_pump_ids[0] ?? null) : null,
        ...(job.scope === 'user' || job.heat_pump_ids[0] === undefined
          ? {}
          : { device_id: job.heat_pump_ids[0] }),
        status: job.status,
        requested_at: job.requested_at,
        finished_at: job.finished_at,
        sweeps: job.sweeps,
        readings_deleted: job.readings_deleted,
      })),
    };
  }
}

/** The erasure service over one set of clients: what the worker runs, and what the API requests jobs of. */
export function erasureServiceOf(deps: {
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  now: Clock;
  settleMs?: number;
  settings: { mainTableName: string; readingsTableName: string; erasureQueueUrl: string };
}): ErasureService {
  const { db, settings } = deps;
  return new ErasureService({
    jobs: new ErasureStore(db, settings.mainTableName),
    readings: deviceKinds.map((kind) => new ReadingsStore(db, settings.readingsTableName, kind.storage)),
    changes: new DeviceChangeStore(db, settings.mainTableName),
    backfill: new BackfillStateStore(db, settings.mainTableName),
    removals: new DeviceRemovalStore(db, settings.mainTableName),
    users: new UserStore(db, settings.mainTableName),
    syncState: new SyncStateStore(db, settings.mainTableName),
    audit: new AuditStore(db, settings.mainTableName),
    webhooks: new WebhookStore(db, settings.mainTableName),
    queue: new ErasureQueue(deps.sqs, settings.erasureQueueUrl),
    db,
    mainTableName: settings.mainTableName,
    now: deps.now,
    ...(deps.settleMs === undefined ? {} : { settleMs: deps.settleMs }),
  });
}
