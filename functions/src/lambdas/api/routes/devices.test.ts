/**
 * A second device kind, declared here only (a wallbox with one control), run through what the API generates
 * from a kind: its route declarations, its routes, its view and the device service. The proof that a new kind
 * is a new module, as sync/plan.test.ts is for the sync.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { deviceRouteDeclarations } from '../../../declarations';
import { DeviceService, DeviceServices, SettingsConflictError } from '../../../devices/service';
import { fieldEcho } from '../../../domain/devices/changes';
import type { DeviceKind } from '../../../domain/devices/kinds';
import { snapshotFieldsOf } from '../../../domain/devices/snapshot-fields';
import { type DeviceJson, newSnapshot } from '../../../domain/devices/state';
import {
  actionsViewSchema,
  connectionSchema,
  deviceEnvelopesOf,
  deviceHealthSchema,
  deviceViewOf,
  optionalFields,
} from '../../../domain/devices/view';
import type { DeviceSnapshotStore } from '../../../storage/device-snapshots';
import type { OutboxStore } from '../../../storage/outbox';
import type { ReadingsStore } from '../../../storage/readings';
import { toApiError } from '../errors';
import { deviceRoutes } from './devices';
import type { RouteContext } from './types';

const USER = 'ada';
const PODERO_USER = 'p-ada';
const WALLBOX = '0b5f6a0e-4c1a-4f7e-9d3b-2a6c8e1f0a11';

interface WallboxUpstream {
  wallboxes: {
    list(userId: string): Promise<DeviceJson[]>;
    get(userId: string, id: string): Promise<DeviceJson>;
    softDelete(userId: string, id: string): Promise<DeviceJson>;
    setMode(userId: string, id: string, mode: string): Promise<DeviceJson>;
  };
}

const wallboxFields = { id: z.string(), mode: z.string().nullish(), power_w: z.number().nullish() };
const wallboxSchema = z.strictObject({
  ...optionalFields(wallboxFields),
  id: z.string(),
  actions: actionsViewSchema,
  connection: connectionSchema,
  health: deviceHealthSchema,
});
const envelopes = deviceEnvelopesOf({ name: 'wallbox', singular: 'Wallbox', noun: 'wallbox' }, wallboxSchema);
const modeSchema = z.strictObject({ mode: z.enum(['eco', 'fast']) });

const wallboxKind = {
  name: 'wallbox',
  noun: 'wallbox',
  poderoPaths: { list: '/wallboxes', one: '/wallboxes/{wallbox_id}' },
  list: (podero: WallboxUpstream, userId: string) => podero.wallboxes.list(userId),
  get: (podero: WallboxUpstream, userId: string, id: string) => podero.wallboxes.get(userId, id),
  softDelete: (podero: WallboxUpstream, userId: string, id: string) =>
    podero.wallboxes.softDelete(userId, id),
  visible: (listed: readonly DeviceJson[]) => [...listed],
  api: {
    name: 'wallbox',
    resource: 'wallboxes',
    idParam: 'wallbox_id',
    singular: 'Wallbox',
    plural: 'Wallboxes',
    noun: 'wallbox',
    nounPlural: 'wallboxes',
    aNoun: 'a wallbox',
    controls: [
      {
        name: 'mode',
        operationId: 'setWallboxMode',
        method: 'POST',
        path: '/mode',
        summary: "Set a wallbox's charging mode",
        answer: 'The wallbox (live from Podero)',
        logMessage: 'wallbox mode set',
      },
    ],
    statistics: false,
    savings: false,
    reauthentication: false,
  },
  viewSchema: wallboxSchema,
  listResponseSchema: envelopes.list,
  responseSchema: envelopes.one,
  view: deviceViewOf<z.infer<typeof wallboxSchema>>(wallboxFields),
  changeTimeoutSeconds: 600,
  controls: {
    mode: {
      body: modeSchema,
      refusal: 'the mode does not suit the wallbox',
      issues: (body: z.output<typeof modeSchema>, current: Readonly<Record<string, unknown>>) =>
        body.mode === 'fast' && current.phases === 1
          ? [{ path: ['mode'], message: 'a one-phase wallbox has no fast mode' }]
          : [],
      apply: (podero: WallboxUpstream, userId: string, id: string, body: z.output<typeof modeSchema>) =>
        podero.wallboxes.setMode(userId, id, body.mode),
      applied: fieldEcho(),
    },
  },
  storage: {
    kind: 'wallbox',
    skPrefix: 'WALLBOX#',
    listMarkerSk: 'WALLBOXES',
    idAttribute: 'wallbox_id',
    jsonAttribute: 'wallbox_json',
    idsAttribute: 'wallbox_ids',
    snapshotEntity: 'wallbox_snapshot',
    markerEntity: 'wallbox_list_marker',
    snapshotFields: snapshotFieldsOf({
      viewFields: { mode: true, power_w: true },
      readingFields: ['power_w'],
    }),
  },
  health: { staleAfterSyncIntervals: 3 },
  readingFields: ['power_w'],
  history: { available: false, reason: 'no series in this test' },
  statement: { powerField: 'power_w' },
  figure: 'wallboxes',
  metric: 'SyncWallboxes',
  eventTypes: [],
  changeEvents: () => [],
  deletedEvents: () => [],
} as const satisfies DeviceKind<WallboxUpstream>;

/** Podero's wallbox: with an owner, a claim token and a field the bridge has never heard of. */
const poderoWallbox = (mode: string, phases = 3): DeviceJson => ({
  id: WALLBOX,
  mode,
  phases,
  power_w: 7400,
  is_authenticated: true,
  owner: { id: PODERO_USER, email: 'ada@example.com' },
  claim_token: 'ct_secret',
  brand_new_field: { x: 1 },
});

function world(phases = 3) {
  const sent: string[] = [];
  const stored: string[] = [];
  const podero: WallboxUpstream = {
    wallboxes: {
      list: async () => [poderoWallbox('eco', phases)],
      get: async () => poderoWallbox('eco', phases),
      softDelete: async () => poderoWallbox('eco', phases),
      setMode: async (_user, _id, mode) => {
        sent.push(mode);
        return poderoWallbox(mode, phases);
      },
    },
  };
  const snapshots = {
    get: async () => null,
    put: async (snapshot: { kind: string; deviceId: string }) => {
      stored.push(`${snapshot.kind} ${snapshot.deviceId}`);
      return 'updated' as const;
    },
  } as unknown as DeviceSnapshotStore;
  const service = new DeviceService(wallboxKind, {
    podero,
    findPoderoUserId: async (id) => (id === USER ? PODERO_USER : null),
    removeUnlessOnboarded: async () => true,
    snapshots,
    readings: {} as ReadingsStore,
    outbox: {} as OutboxStore,
    changes: {
      get: async () => null,
      list: async () => ({ changes: [], nextCursor: null }),
    },
    tracker: {
      read: async () => ({ changes: { open: [], last: {} }, version: 0 }),
      record: async (change) => change,
      settle: async () => [],
      forgetDevice: async () => {},
    },
    requestErasure: async () => {},
    syncIntervalMs: 15 * 60_000,
    now: () => Date.parse('2026-12-01T10:00:00Z'),
  });
  const deps = { services: { devices: new DeviceServices([service]) } };
  const context = (params: Record<string, string>, body?: unknown, query?: unknown) =>
    ({
      params,
      body,
      query,
      deps,
      headers: {},
      logger: { info: () => {} },
    }) as unknown as RouteContext<never, never, never>;
  return { service, sent, stored, context };
}

describe('a second device kind, declared as data', () => {
  it('gets its own route declarations, named from the kind, without the extras it does not declare', () => {
    const { resource, history } = deviceRouteDeclarations(wallboxKind.api);
    expect([...resource, ...history].map((r) => `${r.operationId} ${r.method} ${r.path}`)).toEqual([
      'listWallboxes GET /users/{external_user_id}/wallboxes',
      'getWallbox GET /users/{external_user_id}/wallboxes/{wallbox_id}',
      'setWallboxMode POST /users/{external_user_id}/wallboxes/{wallbox_id}/mode',
      'deleteWallbox DELETE /users/{external_user_id}/wallboxes/{wallbox_id}',
      'listWallboxReadings GET /users/{external_user_id}/wallboxes/{wallbox_id}/readings',
      'getWallboxReadingCoverage GET /users/{external_user_id}/wallboxes/{wallbox_id}/readings/coverage',
      'listWallboxChanges GET /users/{external_user_id}/wallboxes/{wallbox_id}/changes',
      'getWallboxChange GET /users/{external_user_id}/wallboxes/{wallbox_id}/changes/{change_id}',
    ]);
    expect(Object.keys(deviceRoutes(wallboxKind)).sort()).toEqual(
      [
        'deleteWallbox',
        'getWallbox',
        'getWallboxReadingCoverage',
        'getWallboxChange',
        'listWallboxChanges',
        'listWallboxReadings',
        'listWallboxes',
        'setWallboxMode',
      ].sort(),
    );
  });

  it("validates the kind's path parameter and its control's body", () => {
    const routes = deviceRoutes(wallboxKind);
    expect(routes.getWallbox.params?.safeParse({ external_user_id: USER, wallbox_id: WALLBOX }).success).toBe(
      true,
    );
    const badId = routes.getWallbox.params?.safeParse({ external_user_id: USER, wallbox_id: 'nope' });
    expect(badId?.error?.issues[0]?.path).toEqual(['wallbox_id']);
    const badMode = routes.setWallboxMode.body?.safeParse({ mode: 'turbo' });
    expect(badMode?.error?.issues[0]?.path).toEqual(['mode']);
  });

  it("answers a device under the kind's name, allow-listed: no owner, claim token or unknown field", async () => {
    const { context, stored } = world();
    const answer = await deviceRoutes(wallboxKind).getWallbox.handle(
      context({ external_user_id: USER, wallbox_id: WALLBOX }, undefined, {
        max_age_seconds: 0,
        stale_if_error_seconds: 0,
      }),
    );
    expect(answer.status).toBe(200);
    const body = answer.body as { wallbox: Record<string, unknown>; source: string };
    expect(body.source).toBe('live');
    expect(body.wallbox).toEqual({
      id: WALLBOX,
      mode: 'eco',
      power_w: 7400,
      actions: [],
      connection: { state: 'connected', action_needed: false, since: null },
      // The kind's health, judged now: this Podero answer has no state time and no steering status.
      health: expect.objectContaining({
        steerable: false,
        not_steerable_because: ['not_reporting', 'steering_not_ok'],
      }),
    });
    expect(JSON.stringify(body)).not.toMatch(/ct_secret|ada@example|brand_new_field|phases/);
    expect(wallboxKind.responseSchema.safeParse(body).success).toBe(true);
    // The stored snapshot knows its kind.
    expect(stored).toEqual([`wallbox ${WALLBOX}`]);
  });

  it("applies a control through the kind's Podero call once its check passes", async () => {
    const { context, sent } = world();
    const answer = await deviceRoutes(wallboxKind).setWallboxMode.handle(
      context({ external_user_id: USER, wallbox_id: WALLBOX }, { mode: 'fast' }),
    );
    expect(sent).toEqual(['fast']);
    expect((answer.body as { wallbox: { mode: string } }).wallbox.mode).toBe('fast');
  });

  it("refuses a control its check finds wrong, naming the body's field, and sends nothing to Podero", async () => {
    const { service, sent } = world(1);
    const error = await service.control(USER, WALLBOX, 'mode', { mode: 'fast' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingsConflictError);
    const answer = toApiError(error);
    expect(answer?.status).toBe(400);
    expect(answer?.message).toBe('the mode does not suit the wallbox');
    expect(answer?.details).toEqual([
      { field: 'body.mode', message: 'a one-phase wallbox has no fast mode' },
    ]);
    expect(sent).toEqual([]);
  });

  it('says "wallbox not found" for a device that is not the user\'s', async () => {
    const { service } = world();
    const error = await service
      .get(USER, '7c1d1c5e-0000-4000-8000-000000000000', { max_age_seconds: 0, stale_if_error_seconds: 0 })
      .catch((e: unknown) => e);
    expect(toApiError(error)).toMatchObject({ status: 404, message: 'wallbox not found' });
  });

  it('makes snapshots that carry the kind they were made for', () => {
    expect(newSnapshot(USER, { id: WALLBOX }, '2026-12-01T10:00:00Z', null, null, 'wallbox').kind).toBe(
      'wallbox',
    );
  });
});
