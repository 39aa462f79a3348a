/** The wallbox (§3.8): what the engine needs to know about it (kinds.ts). */
import type { AuthSessionRequest, AuthSessionResponse } from '@podero-bridge/podero-client';
import type { EventType } from '../events/catalogue';
import { boostApplied } from './changes';
import { type HealthEventNames, healthEvents } from './health';
import type { DeviceKind } from './kind';
import { deletedKindEvents, type KindEventNames, standardKindEvents } from './kind-events';
import { visibleDevices } from './rules';
import { snapshotFieldsOf } from './snapshot-fields';
import type { DeviceJson } from './state';
import { wallboxApi } from './wallbox-api';
import { type WallboxUpdateUpstream, wallboxSettingsControl } from './wallbox-controls';
import {
  wallboxFieldSchemas,
  wallboxListResponseSchema,
  wallboxResponseSchema,
  wallboxSchema,
  wallboxView,
} from './wallbox-view';

/** The Podero client call the sync needs for the kind. */
export interface WallboxListUpstream {
  wallboxes: { list(userId: string): Promise<DeviceJson[]> };
}

/** The Podero call of the kind's re-authentication session (§3.10). */
export interface WallboxAuthSessionUpstream {
  wallboxes: {
    authSession(userId: string, deviceId: string, body?: AuthSessionRequest): Promise<AuthSessionResponse>;
  };
}

/** Every Podero client call the wallbox needs (podero-client's `wallboxes` resource). */
export interface WallboxUpstream extends WallboxUpdateUpstream {
  wallboxes: WallboxListUpstream['wallboxes'] &
    WallboxUpdateUpstream['wallboxes'] & {
      get(userId: string, deviceId: string, options?: { includeDeleted?: boolean }): Promise<DeviceJson>;
      softDelete(userId: string, deviceId: string, at?: Date): Promise<DeviceJson>;
    };
}

const names = {
  idField: 'wallbox_id',
  connected: 'wallbox.connected',
  connectionLost: 'wallbox.connection_lost',
  connectionRestored: 'wallbox.connection_restored',
  optimizationChanged: 'wallbox.optimization_changed',
  deleted: 'wallbox.deleted',
} as const satisfies KindEventNames;

/** The kind's health events (domain/devices/health.ts healthEvents). */
const healthNames = {
  idField: 'wallbox_id',
  reportingStopped: 'wallbox.reporting_stopped',
  reportingResumed: 'wallbox.reporting_resumed',
  steeringFailed: 'wallbox.steering_failed',
  steeringRecovered: 'wallbox.steering_recovered',
} as const satisfies HealthEventNames;

const eventTypes = [
  'wallbox.connected',
  'wallbox.connection_lost',
  'wallbox.connection_restored',
  'wallbox.optimization_changed',
  'wallbox.deleted',
  'wallbox.reporting_stopped',
  'wallbox.reporting_resumed',
  'wallbox.steering_failed',
  'wallbox.steering_recovered',
  'wallbox.change_confirmed',
  'wallbox.change_failed',
] as const satisfies readonly EventType[];

/** The state fields copied into a reading (charts and billing). */
const READING_FIELDS = [
  'current_power_w',
  'mode',
  'is_plugged_in',
  'is_charging',
  'boost_state',
  'is_smart_optimization_active',
  'connection_status',
] as const;

/** The kind's controls, by the names its `api.controls` routes use. */
const CONTROLS = { settings: wallboxSettingsControl };

export const wallboxKind = {
  name: 'wallbox',
  noun: 'wallbox',
  poderoPaths: {
    list: '/org/{org_id}/users/{user_id}/wallboxes',
    one: '/org/{org_id}/users/{user_id}/wallboxes/{wallbox_id}',
  },
  list: (podero: WallboxListUpstream, poderoUserId: string) => podero.wallboxes.list(poderoUserId),
  get: (
    podero: WallboxUpstream,
    poderoUserId: string,
    deviceId: string,
    options?: { includeDeleted?: boolean },
  ) => podero.wallboxes.get(poderoUserId, deviceId, options),
  softDelete: (podero: WallboxUpstream, poderoUserId: string, deviceId: string, at: Date) =>
    podero.wallboxes.softDelete(poderoUserId, deviceId, at),
  visible: visibleDevices,
  api: wallboxApi,
  viewSchema: wallboxSchema,
  listResponseSchema: wallboxListResponseSchema,
  responseSchema: wallboxResponseSchema,
  view: wallboxView,
  // A wallbox is online while it is steered: two sync passes.
  changeTimeoutSeconds: 1800,
  controls: CONTROLS,
  // The charging service's boost (E6, W4) records a change of its own (charging.ts).
  changeChecks: { boost: boostApplied },
  authSession: (
    podero: WallboxAuthSessionUpstream,
    poderoUserId: string,
    deviceId: string,
    body: AuthSessionRequest,
  ) => podero.wallboxes.authSession(poderoUserId, deviceId, body),
  // `CHARGER#`, not `WALLBOX#`: a kind's keys must sort before the user's `PROFILE` (the snapshot store reads
  // the marker, the snapshots and the profile in one range).
  statement: {
    // The wallbox's charging power; Podero publishes no unoptimised series of a wallbox: no baseline.
    powerField: 'current_power_w',
  },
  storage: {
    kind: 'wallbox',
    skPrefix: 'CHARGER#',
    listMarkerSk: 'CHARGERS',
    idAttribute: 'wallbox_id',
    jsonAttribute: 'wallbox_json',
    idsAttribute: 'wallbox_ids',
    snapshotEntity: 'wallbox_snapshot',
    markerEntity: 'wallbox_list_marker',
    snapshotFields: snapshotFieldsOf({
      viewFields: wallboxFieldSchemas,
      readingFields: READING_FIELDS,
      controls: CONTROLS,
      // The view shows Podero's `connection` (the charger's presence) as `charger_connection`.
      alsoKept: ['boost_state', 'boost_for_next_session', 'connection'],
    }),
  },
  // An OCPP box reports while it is online, as a heat pump's cloud does: three missed intervals is an outage.
  health: { staleAfterSyncIntervals: 3 },
  readingFields: READING_FIELDS,
  history: {
    available: false,
    reason: 'Podero offers no 15-minute series (`/data`) for wallboxes: their missed quarter-hours stay gaps',
  },
  figure: 'wallboxes',
  metric: 'SyncWallboxes',
  eventTypes,
  changeEvents: (previous, next) => [
    ...standardKindEvents(names, previous, next),
    ...healthEvents(healthNames, previous, next),
  ],
  deletedEvents: (externalUserId, previousIds, currentIds, at) =>
    deletedKindEvents(names, externalUserId, previousIds, currentIds, at),
} as const satisfies DeviceKind<WallboxUpstream & WallboxAuthSessionUpstream>;
