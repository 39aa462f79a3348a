/**
 * The operator's view of the fleet (admin routes): users page by page with filters, one customer's
 * summary, and the sync's status. Reads only what the bridge stored (snapshots, readings, sessions, the
 * sync's records): a support desk looking at the fleet must not cost Podero calls.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import * as z from 'zod';
import { lastChangeStatus } from '../domain/devices/changes';
import { type DeviceHealthView, deviceHealthView } from '../domain/devices/health';
import type { DeviceKind } from '../domain/devices/kind';
import type { DeviceKindName } from '../domain/devices/kind-apis';
import { CONNECTION_STATES, connectionStateOf } from '../domain/devices/rules';
import type { DeviceSnapshot, StoredConnection } from '../domain/devices/state';
import { InvalidError, UnknownUserError } from '../domain/errors';
import { parseSearchQuery } from '../domain/search-terms';
import type { UserDeviceState } from '../storage/device-snapshots';
import {
  FLEET_DAILY_RETENTION_DAYS,
  type FleetDailyStore,
  type FleetDay,
  utcDayOf,
} from '../storage/fleet-daily';
import { type OnboardingSessionStore, sessionValidUntilMs } from '../storage/onboarding-sessions';
import type { ReadingsStore } from '../storage/readings';
import type { SyncPassStore } from '../storage/sync-passes';
import type { SyncFailure, SyncStateStore } from '../storage/sync-state';
import { type SearchPosition, searchPositionSchema, type UserSearchStore } from '../storage/user-search';
import type { UserRecord, UserStore } from '../storage/users';
import { fleetPassView, passHistoryView, runView } from './fleet-pass-view';
import type {
  DeviceCounts,
  FleetDays,
  FleetDayView,
  ListUsersQuery,
  SummaryDevice,
  SyncStatus,
  UserList,
  UserListItem,
  UserSummary,
} from './schemas';

/** The most users one page may read while filtering (each costs one Query). */
export const USERS_SCAN_MAX = 500;
const USER_READ_CONCURRENCY = 8;
const RUNS_SHOWN = 20;
const FAILURES_SHOWN = 100;

export class InvalidUsersCursorError extends InvalidError {
  override readonly name = 'InvalidUsersCursorError';
  constructor() {
    super('not a cursor returned by this API for these filters', {
      summary: 'the cursor is not valid for this request',
      fields: [{ field: 'query.cursor', message: 'not a cursor returned by this API for these filters' }],
    });
  }
}

/** One kind as the operator reads it: its view, and the stores of its snapshots and readings. */
export interface OperatorKind {
  kind: {
    readonly name: DeviceKindName;
    readonly health: DeviceKind['health'];
    view(
      device: DeviceSnapshot['device'],
      observed: StoredConnection | null,
      health?: DeviceHealthView,
    ): unknown;
  };
  readings: Pick<ReadingsStore, 'latest'>;
}

/** What the summary reads of every kind's view (view.ts: the fields every kind shares). */
const sharedViewSchema = z.looseObject({
  device_model: z.looseObject({ manufacturer: z.string().nullish(), model: z.string().nullish() }).optional(),
  connection: z.strictObject({
    state: z.enum(CONNECTION_STATES),
    action_needed: z.boolean(),
    since: z.string().nullable(),
  }),
  is_smart_optimization_active: z.boolean().nullish(),
  optimization_level: z.string().nullish(),
});

export interface OperatorServiceDeps {
  users: Pick<UserStore, 'listPage'>;
  /** The customer search's index (`q`). */
  search: Pick<UserSearchStore, 'search'>;
  /** Every kind, in `deviceKinds` order; the heat pump's (`heat_pump`) also fills the heat-pump-only fields. */
  kinds: readonly OperatorKind[];
  /** The user with every kind's stored devices (`states[i]` is `kinds[i]`'s), in one read (storage loadUserDevices). */
  loadDevices(externalUserId: string): Promise<{ user: UserRecord | undefined; states: UserDeviceState[] }>;
  sessions: Pick<OnboardingSessionStore, 'listForUser'>;
  syncState: Pick<SyncStateStore, 'listFailures' | 'latestRuns' | 'getCursor'>;
  passes: Pick<SyncPassStore, 'current' | 'history'>;
  daily: Pick<FleetDailyStore, 'lastDays'>;
  /** The stage's sync interval: the unit of every kind's stale threshold (domain/devices/health.ts). */
  syncIntervalMs: number;
  now: () => number;
}

export class OperatorService {
  constructor(private readonly deps: OperatorServiceDeps) {}

  async listUsers(query: ListUsersQuery): Promise<UserList> {
    if (query.q !== undefined) return this.searchUsers(query, query.q);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query);
    const failures = new Map((await this.deps.syncState.listFailures()).map((f) => [f.externalUserId, f]));
    const items: UserListItem[] = [];
    let scanned = 0;
    let position = after;
    let more = true;
    const limitReads = pLimit(USER_READ_CONCURRENCY);
    while (items.length < query.limit && scanned < USERS_SCAN_MAX && more) {
      const page = await this.deps.users.listPage({
        ...(position === undefined ? {} : { after: position }),
        limit: Math.min(query.limit - items.length + 20, USERS_SCAN_MAX - scanned),
      });
      more = page.last !== undefined;
      const candidates = page.users.filter(
        (user) =>
          (query.sync_failed === undefined || failures.has(user.external_user_id) === query.sync_failed) &&
          (query.email === undefined || user.email.toLowerCase() === query.email),
      );
      const rows = await Promise.all(
        candidates.map((user) => limitReads(() => this.listItem(user, failures.get(user.external_user_id)))),
      );
      for (const [i, user] of page.users.entries()) {
        scanned++;
        position = user.external_user_id;
        const row = rows[candidates.indexOf(user)];
        if (row && matchesDeviceFilters(row, query)) {
          items.push(row);
          if (items.length === query.limit) {
            more = more || i < page.users.length - 1;
            break;
          }
        }
      }
      if (page.users.length === 0) position = page.last ?? position;
    }
    return {
      items,
      next_cursor: more && position !== undefined ? encodeCursor(position, query) : null,
      scanned,
    };
  }

  /**
   * A page of `q`'s matches: one index page (storage/user-search.ts), then each match's row as the list
   * shows it (its devices, one Query per user) and the other filters. Reads: the failures, the index's
   * Query (at most `limit` items; up to four with several words), one Query per match.
   */
  private async searchUsers(query: ListUsersQuery, q: string): Promise<UserList> {
    const parsed = parseSearchQuery(q);
    // The query's schema refuses such a `q`: nothing to look up.
    if (parsed === undefined) return { items: [], next_cursor: null, scanned: 0 };
    const after = query.cursor === undefined ? undefined : decodeSearchCursor(query.cursor, query);
    const [failureList, page] = await Promise.all([
      this.deps.syncState.listFailures(),
      this.deps.search.search({ query: parsed, limit: query.limit, ...(after ? { after } : {}) }),
    ]);
    const failures = new Map(failureList.map((f) => [f.externalUserId, f]));
    const limitReads = pLimit(USER_READ_CONCURRENCY);
    const rows = await Promise.all(
      page.externalUserIds.map((id) =>
        limitReads(async () => {
          const { user, states } = await this.deps.loadDevices(id);
          if (!user) return undefined;
          if (query.sync_failed !== undefined && failures.has(id) !== query.sync_failed) return undefined;
          if (query.email !== undefined && user.email.toLowerCase() !== query.email) return undefined;
          const row = this.rowOf(user, states, failures.get(id));
          return matchesDeviceFilters(row, query) ? row : undefined;
        }),
      ),
    );
    return {
      items: rows.filter((row) => row !== undefined),
      next_cursor: page.next ? encodeSearchCursor(page.next, query) : null,
      scanned: page.scanned,
    };
  }

  /**
   * A stored device's health judged now, with the same rules and the same latest change (the open-changes item
   * its kind's state was read with) as the device routes'.
   */
  private healthOf(
    kind: OperatorKind['kind'],
    snapshot: DeviceSnapshot,
    state: UserDeviceState | undefined,
    nowMs: number,
  ): DeviceHealthView {
    const lastChange = state?.openChanges
      ? lastChangeStatus(state.openChanges.changes, snapshot.deviceId)
      : undefined;
    return deviceHealthView(
      snapshot,
      connectionStateOf(snapshot.device),
      nowMs,
      {
        staleAfterSyncIntervals: kind.health.staleAfterSyncIntervals,
        syncIntervalMs: this.deps.syncIntervalMs,
      },
      lastChange,
    );
  }

  private async listItem(user: UserRecord, failure: SyncFailure | undefined): Promise<UserListItem> {
    const { states } = await this.deps.loadDevices(user.external_user_id);
    return this.rowOf(user, states, failure);
  }

  private rowOf(user: UserRecord, states: UserDeviceState[], failure: SyncFailure | undefined): UserListItem {
    const stored = this.deps.kinds.map(({ kind }, index) => ({
      name: kind.name,
      kind,
      state: states[index],
      snapshots: [...(states[index]?.snapshots.values() ?? [])],
    }));
    const nowMs = this.deps.now();
    const health: UserListItem['health'] = { stale: 0, steering_error: 0, not_steerable: 0 };
    for (const { kind, state, snapshots } of stored) {
      for (const snapshot of snapshots) {
        const judged = this.healthOf(kind, snapshot, state, nowMs);
        if (judged.reporting.state === 'stale') health.stale++;
        if (judged.steering.state === 'error') health.steering_error++;
        if (!judged.steerable) health.not_steerable++;
      }
    }
    const devices = Object.fromEntries(
      stored.map(({ name, snapshots }) => [
        name,
        { count: snapshots.length, connection: connectionCounts(snapshots) },
      ]),
    ) as DeviceCounts;
    // The fields from before every kind was listed keep their meaning: the heat pumps' alone.
    const heatPumps = stored.find((part) => part.name === 'heat_pump')?.snapshots ?? [];
    const optimization: UserListItem['optimization'] = { on: 0, off: 0, unknown: 0 };
    for (const snapshot of heatPumps) {
      const active = snapshot.device.is_smart_optimization_active;
      optimization[active === true ? 'on' : active === false ? 'off' : 'unknown']++;
    }
    return {
      external_user_id: user.external_user_id,
      email: user.email,
      first_name: user.first_name,
      last_name: user.last_name,
      heat_pumps: heatPumps.length,
      connection: connectionCounts(heatPumps),
      optimization,
      sync_failure: failure ? failureView(failure) : null,
      devices,
      health,
    };
  }

  async summary(externalUserId: string): Promise<UserSummary> {
    const [loaded, sessions, failures, cursor, pass] = await Promise.all([
      this.deps.loadDevices(externalUserId),
      this.deps.sessions.listForUser(externalUserId),
      this.deps.syncState.listFailures(),
      this.deps.syncState.getCursor(),
      this.deps.passes.current(),
    ]);
    const user = loaded.user;
    if (!user) throw new UnknownUserError(externalUserId);
    const now = this.deps.now();
    const rows = (
      await Promise.all(
        this.deps.kinds.map((part, index) =>
          Promise.all(
            [...(loaded.states[index]?.snapshots.values() ?? [])].map((snapshot) =>
              this.deviceRow(part, snapshot, loaded.states[index], now),
            ),
          ),
        ),
      )
    ).flat();
    // `heat_pumps` keeps its shape from before every kind was listed: the heat pumps, with their level.
    const heatPumps = rows
      .filter((row) => row.device.type === 'heat_pump')
      .map(({ device, optimizationLevel }) => ({
        id: device.id,
        manufacturer: device.manufacturer,
        model: device.model,
        connection: device.connection,
        is_smart_optimization_active: device.is_smart_optimization_active,
        optimization_level: optimizationLevel,
        fetched_at: device.fetched_at,
        last_reading: device.last_reading,
      }));
    const failure = failures.find((f) => f.externalUserId === externalUserId);
    return {
      external_user_id: user.external_user_id,
      email: user.email,
      first_name: user.first_name,
      last_name: user.last_name,
      onboarded_at: user.created_at ?? null,
      heat_pumps: heatPumps,
      devices: rows.map((row) => row.device),
      onboarding_sessions: sessions
        .filter((s) => s.state === 'pending' && (sessionValidUntilMs(s.expiration_date) ?? Infinity) >= now)
        .map((s) => ({
          id: s.id,
          state: s.state,
          expiration_date: s.expiration_date,
          created_at: s.created_at,
        })),
      sync: {
        last_pass_completed_at: pass?.lastPassCompletedAt ?? cursor?.lastPassCompletedAt ?? null,
        failure: failure ? failureView(failure) : null,
      },
    };
  }

  /** One stored device as the summary shows it: its kind's view's shared fields and its latest reading. */
  private async deviceRow(
    { kind, readings }: OperatorKind,
    snapshot: DeviceSnapshot,
    state: UserDeviceState | undefined,
    nowMs: number,
  ): Promise<{ device: SummaryDevice; optimizationLevel: string | null }> {
    const health = this.healthOf(kind, snapshot, state, nowMs);
    const view = sharedViewSchema.parse(kind.view(snapshot.device, snapshot.connection, health));
    const reading = await readings.latest(snapshot.deviceId);
    return {
      device: {
        type: kind.name,
        id: snapshot.deviceId,
        manufacturer: view.device_model?.manufacturer ?? null,
        model: view.device_model?.model ?? null,
        connection: view.connection,
        is_smart_optimization_active: view.is_smart_optimization_active ?? null,
        health,
        fetched_at: snapshot.fetchedAt,
        last_reading: reading
          ? {
              state_at: reading.stateAt,
              values: reading.values as Record<string, number | string | boolean | null>,
            }
          : null,
      },
      optimizationLevel: view.optimization_level ?? null,
    };
  }

  /** The fleet's daily figures over the last `days` UTC days (one Query). */
  async fleetDays(days: number): Promise<FleetDays> {
    const now = this.deps.now();
    const items = await this.deps.daily.lastDays(days, now);
    return {
      from: utcDayOf(now - (days - 1) * 86_400_000),
      to: utcDayOf(now),
      retention_days: FLEET_DAILY_RETENTION_DAYS,
      items: items.map(fleetDayView),
    };
  }

  async syncStatus(): Promise<SyncStatus> {
    const [cursor, runs, failures, pass, passes] = await Promise.all([
      this.deps.syncState.getCursor(),
      this.deps.syncState.latestRuns(RUNS_SHOWN),
      this.deps.syncState.listFailures(),
      this.deps.passes.current(),
      this.deps.passes.history(RUNS_SHOWN),
    ]);
    // Fleet passes when there are any; a whole-walk run's cursor otherwise.
    const completed = pass
      ? { count: pass.passesCompleted, at: pass.lastPassCompletedAt }
      : { count: cursor?.passesCompleted ?? 0, at: cursor?.lastPassCompletedAt ?? null };
    return {
      passes_completed: completed.count,
      last_pass_completed_at: completed.at,
      current_pass:
        cursor && cursor.lastExternalUserId !== null
          ? { started_at: cursor.passStartedAt, position: cursor.lastExternalUserId }
          : null,
      fleet_pass: pass && fleetPassView(pass),
      passes: passes.map(passHistoryView),
      runs: runs.map(runView),
      failing_users: failures
        .sort((a, b) => b.attempts - a.attempts || a.externalUserId.localeCompare(b.externalUserId))
        .slice(0, FAILURES_SHOWN)
        .map((f) => ({ external_user_id: f.externalUserId, ...failureView(f) })),
    };
  }
}

function fleetDayView(day: FleetDay): FleetDayView {
  return {
    day: day.day,
    connection: day.connection,
    stale_devices: day.stale,
    sync_passes: day.passes,
    sync_pass_duration_ms:
      day.passDurationMsMean === null
        ? null
        : { mean: Math.round(day.passDurationMsMean), max: day.passDurationMsMax ?? day.passDurationMsMean },
    webhook_attempts: { delivered: day.webhooksDelivered, failed: day.webhooksFailed },
  };
}

/** Devices per connection state. */
function connectionCounts(snapshots: readonly DeviceSnapshot[]): UserListItem['connection'] {
  const counts = Object.fromEntries(CONNECTION_STATES.map((s) => [s, 0])) as UserListItem['connection'];
  for (const snapshot of snapshots) counts[connectionStateOf(snapshot.device)]++;
  return counts;
}

/**
 * The filters on a user's devices: at least one heat pump in the asked connection state or optimisation, at
 * least one device of any kind in the asked health.
 */
function matchesDeviceFilters(row: UserListItem, query: ListUsersQuery): boolean {
  if (query.connection_state !== undefined && row.connection[query.connection_state] === 0) return false;
  if (query.optimization !== undefined && row.optimization[query.optimization] === 0) return false;
  if (query.health !== undefined && row.health[query.health] === 0) return false;
  return true;
}

function failureView(failure: SyncFailure) {
  return {
    error_code: failure.errorCode,
    message: failure.message,
    attempts: failure.attempts,
    first_failed_at: failure.firstFailedAt,
    last_failed_at: failure.lastFailedAt,
  };
}

/** The filters a cursor was issued for: a cursor is only valid with the same ones. */
// The optimisation, e-mail and health filters came later: without them the string is what earlier cursors carry, so they stay valid.
const filtersOf = (query: ListUsersQuery) => {
  const later = [
    query.optimization,
    query.email,
    query.health === undefined ? undefined : `health=${query.health}`,
  ]
    .map((v) => (v === undefined ? '' : `|${v}`))
    .join('');
  return `${query.connection_state ?? ''}|${query.sync_failed ?? ''}${later}`;
};

function encodeCursor(after: string, query: ListUsersQuery): string {
  return Buffer.from(JSON.stringify({ v: 1, after, f: filtersOf(query) }), 'utf8').toString('base64url');
}

/** A search's filters and query, hashed: the query may be long, the cursor may not. */
const searchFiltersOf = (query: ListUsersQuery) =>
  createHash('sha256')
    .update(JSON.stringify([filtersOf(query), parseSearchQuery(query.q ?? '')]))
    .digest('base64url')
    .slice(0, 16);

/** A search's cursor: where its index page ended, valid only for the same query and filters. */
function encodeSearchCursor(position: SearchPosition, query: ListUsersQuery): string {
  return Buffer.from(
    JSON.stringify({ v: 2, t: position.term, u: position.externalUserId, f: searchFiltersOf(query) }),
    'utf8',
  ).toString('base64url');
}

function decodeSearchCursor(cursor: string, query: ListUsersQuery): SearchPosition {
  const value = parseCursor(cursor) as { v?: unknown; t?: unknown; u?: unknown; f?: unknown };
  const position = searchPositionSchema.safeParse({ term: value?.t, externalUserId: value?.u });
  if (value?.v !== 2 || !position.success || value.f !== searchFiltersOf(query)) {
    throw new InvalidUsersCursorError();
  }
  return position.data;
}

function parseCursor(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw new InvalidUsersCursorError();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidUsersCursorError();
  }
}

function decodeCursor(cursor: string, query: ListUsersQuery): string {
  const value = parseCursor(cursor) as { v?: unknown; after?: unknown; f?: unknown };
  if (value?.v !== 1 || typeof value.after !== 'string' || value.f !== filtersOf(query)) {
    throw new InvalidUsersCursorError();
  }
  return value.after;
}
