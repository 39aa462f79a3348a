/**
 * The rules that guard which heat pumps a user sees and changes, as behaviour: Podero answers naming
 * another owner or a deleted device, stored snapshots of someone else, stale-if-error on errors that are
 * not an outage. Real stores on dynalite, a scripted Podero. (Mutation testing found each of these
 * unguarded: the whole suite stayed green with the check removed; issue 23.)
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import {
  PoderoAuthError,
  PoderoNotFoundError,
  PoderoServerError,
  type UpdateHeatPumpRequest,
} from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { tableDeclarations } from '../declarations';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { UnknownUserError } from '../domain/errors';
import { DeviceChangeStore } from '../storage/device-changes';
import { type DeviceJson, DeviceSnapshotStore, newSnapshot } from '../storage/device-snapshots';
import { OpenChangesStore } from '../storage/open-changes';
import { OutboxStore } from '../storage/outbox';
import { ReadingsStore } from '../storage/readings';
import { UserStore } from '../storage/users';
import { ChangeTracker } from './change-tracker';
import { DeviceService, UnknownDeviceError } from './service';

const tables = { main: 'hp-owner-main', readings: 'hp-owner-readings' };
const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const HP = '33333333-3333-4333-8333-333333333333';
const HP2 = '44444444-4444-4444-8444-444444444444';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const init = { method: 'GET' as const, path: '/x' };

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
let n = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});

const device = (id: string, owner: string, extra: Record<string, unknown> = {}): DeviceJson => ({
  id,
  owner: { id: owner, email: 'x@example.com' },
  deleted_at: null,
  current_state_last_updated_at: new Date(T0).toISOString(),
  ...extra,
});

/** A scripted Podero: each method answers from the test's functions, and counts its calls. */
function podero(script: {
  list?: () => Promise<DeviceJson[]>;
  get?: (id: string, includeDeleted: boolean) => Promise<DeviceJson>;
  update?: () => Promise<DeviceJson>;
  softDelete?: () => Promise<DeviceJson>;
}) {
  const calls = { list: 0, get: 0, update: 0, softDelete: 0, includeDeleted: [] as boolean[] };
  const upstream = {
    heatPumps: {
      list: async () => {
        calls.list++;
        return (script.list ?? (async () => []))();
      },
      get: async (_user: string, id: string, options?: { includeDeleted?: boolean }) => {
        calls.get++;
        calls.includeDeleted.push(options?.includeDeleted ?? false);
        return (script.get ?? (async () => Promise.reject(new Error('unused'))))(
          id,
          options?.includeDeleted ?? false,
        );
      },
      update: async (_user: string, id: string, body: UpdateHeatPumpRequest) => {
        calls.update++;
        if (script.update) return script.update();
        return device(id, ME, body as Record<string, unknown>);
      },
      softDelete: async (_user: string, id: string, at?: Date) => {
        calls.softDelete++;
        if (script.softDelete) return script.softDelete();
        return device(id, ME, { deleted_at: (at ?? new Date()).toISOString() });
      },
    },
  };
  return { upstream, calls };
}

async function world(
  script: Parameters<typeof podero>[0] & { update?: () => Promise<DeviceJson>; stillOnboarded?: boolean },
) {
  n++;
  const ext = `owner-test-${n}`;
  await seedOnboardedUsers(doc, tables.main, [{ externalUserId: ext, poderoUserId: ME }]);
  const users = new UserStore(doc, tables.main);
  const snapshots = new DeviceSnapshotStore(doc, tables.main);
  const { upstream, calls } = podero(script);
  const guarded: string[][] = [];
  const service = new DeviceService(heatPumpKind, {
    podero: upstream,
    findPoderoUserId: async (id) => (await users.get(id))?.podero_user_id ?? null,
    removeUnlessOnboarded: async (id, podero, keys) => {
      guarded.push([...keys]);
      if (script.stillOnboarded === false) return false;
      return users.removeUnlessOnboarded(id, podero, keys);
    },
    snapshots,
    readings: new ReadingsStore(doc, tables.readings),
    outbox: new OutboxStore(doc, tables.main),
    changes: new DeviceChangeStore(doc, tables.main),
    tracker: new ChangeTracker({
      open: new OpenChangesStore(doc, tables.main),
      history: new DeviceChangeStore(doc, tables.main),
    }),
    requestErasure: async () => {},
    syncIntervalMs: 15 * 60_000,
    now: () => T0,
  });
  return { ext, service, snapshots, calls, guarded };
}

const live = { max_age_seconds: 0, stale_if_error_seconds: 0 };
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('heat-pump ownership', () => {
  it('a live read of a device Podero says belongs to someone else is 404, and nothing is stored', async () => {
    const w = await world({ get: async (id) => device(id, OTHER) });
    expect(await failure(w.service.get(w.ext, HP, live))).toBeInstanceOf(UnknownDeviceError);
    expect(await w.snapshots.get(w.ext, HP)).toBeNull();
  });

  it('a live read of a deleted device is 404, and a device answered under another id is 404', async () => {
    const deleted = await world({
      get: async (id) => device(id, ME, { deleted_at: '2026-02-01T00:00:00Z' }),
    });
    expect(await failure(deleted.service.get(deleted.ext, HP, live))).toBeInstanceOf(UnknownDeviceError);
    const swapped = await world({ get: async () => device(HP2, ME) });
    expect(await failure(swapped.service.get(swapped.ext, HP, live))).toBeInstanceOf(UnknownDeviceError);
  });

  it('a settings update of someone else’s device is refused before Podero is asked to change it', async () => {
    const w = await world({ get: async (id) => device(id, OTHER) });
    const error = await failure(
      w.service.control(w.ext, HP, 'settings', { is_smart_optimization_active: false }),
    );
    expect(error).toBeInstanceOf(UnknownDeviceError);
    expect(w.calls.update).toBe(0);
  });

  it('a live list leaves out, and does not cache, other owners’ and deleted devices', async () => {
    const w = await world({
      list: async () => [
        device(HP, ME),
        device(HP2, OTHER),
        device('gone', ME, { deleted_at: '2026-02-01T00:00:00Z' }),
      ],
    });
    const result = await w.service.list(w.ext, live);
    expect(result.items.map((hp) => hp.id)).toEqual([HP]);
    expect(await w.snapshots.get(w.ext, HP2)).toBeNull();
    expect(await w.snapshots.get(w.ext, 'gone')).toBeNull();
    // And the cached list served next is the same one.
    const cached = await w.service.list(w.ext, { max_age_seconds: 60, stale_if_error_seconds: 0 });
    expect(cached.source).toBe('cache');
    expect(cached.items.map((hp) => hp.id)).toEqual([HP]);
  });

  it('a stored snapshot of someone else’s device is never served from the cache', async () => {
    const w = await world({ get: async (id) => device(id, ME) });
    await w.snapshots.put(newSnapshot(w.ext, device(HP, OTHER), new Date(T0).toISOString()));
    const result = await w.service.get(w.ext, HP, { max_age_seconds: 3600, stale_if_error_seconds: 0 });
    expect(result.source).toBe('live');
    expect(w.calls.get).toBe(1);
  });

  it('readings need a device the user owns, proven by Podero including deleted devices when no snapshot is stored', async () => {
    const mine = await world({
      get: async (id, includeDeleted) =>
        device(id, ME, includeDeleted ? { deleted_at: '2026-02-01T00:00:00Z' } : {}),
    });
    const page = await mine.service.readings(mine.ext, HP, { limit: 10, order: 'asc' });
    expect(page.items).toEqual([]);
    const theirs = await world({ get: async (id) => device(id, OTHER) });
    expect(
      await failure(theirs.service.readings(theirs.ext, HP, { limit: 10, order: 'asc' })),
    ).toBeInstanceOf(UnknownDeviceError);
    const unknown = await world({
      get: async () => Promise.reject(new PoderoNotFoundError('no', { ...init, status: 404 })),
    });
    expect(
      await failure(unknown.service.readings(unknown.ext, HP, { limit: 10, order: 'asc' })),
    ).toBeInstanceOf(UnknownDeviceError);
  });
});

describe('stale-if-error', () => {
  const staleOk = { max_age_seconds: 0, stale_if_error_seconds: 3600 };

  it('serves the stored snapshot, marked stale, when Podero is out', async () => {
    const w = await world({
      get: async () => Promise.reject(new PoderoServerError('down', { ...init, status: 503 })),
    });
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), new Date(T0 - 60_000).toISOString()));
    const result = await w.service.get(w.ext, HP, staleOk);
    expect(result).toMatchObject({ source: 'cache', stale: true });
  });

  it.each([
    ['a 404', () => new PoderoNotFoundError('gone', { ...init, status: 404 })],
    ['an auth error', () => new PoderoAuthError('no', { ...init, status: 401 })],
  ])('does not hide %s behind a stale snapshot', async (_name, error) => {
    const w = await world({ get: async () => Promise.reject(error()) });
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), new Date(T0 - 60_000).toISOString()));
    const result = await failure(w.service.get(w.ext, HP, staleOk));
    expect(result).toBeInstanceOf(Error);
    expect(result).not.toHaveProperty('heat_pump');
  });

  it('does not hide a non-outage error of the live list either', async () => {
    const w = await world({ list: async () => [device(HP, ME)] });
    await w.service.list(w.ext, live);
    const failing = await world({
      list: async () => Promise.reject(new PoderoAuthError('no', { ...init, status: 401 })),
    });
    expect(await failure(failing.service.list(failing.ext, staleOk))).toBeInstanceOf(PoderoAuthError);
  });
});

describe('the edges of reads and updates', () => {
  const notFound = () => new PoderoNotFoundError('no', { ...init, status: 404 });

  it('proves a deleted device’s ownership by asking Podero to include deleted devices', async () => {
    // Like Podero: a deleted device is a 404 unless deleted devices are asked for.
    const w = await world({
      get: async (id, includeDeleted) =>
        includeDeleted ? device(id, ME, { deleted_at: '2026-02-01T00:00:00Z' }) : Promise.reject(notFound()),
    });
    expect((await w.service.readings(w.ext, HP, { limit: 5, order: 'asc' })).items).toEqual([]);
  });

  it('refuses readings when Podero answers with another device, and surfaces Podero’s own failures', async () => {
    const swapped = await world({ get: async () => device(HP2, ME) });
    expect(
      await failure(swapped.service.readings(swapped.ext, HP, { limit: 5, order: 'asc' })),
    ).toBeInstanceOf(UnknownDeviceError);
    const down = await world({
      get: async () => Promise.reject(new PoderoServerError('down', { ...init, status: 503 })),
    });
    expect(await failure(down.service.readings(down.ext, HP, { limit: 5, order: 'asc' }))).toBeInstanceOf(
      PoderoServerError,
    );
  });

  it('takes a stored, owned snapshot as proof for readings without asking Podero', async () => {
    const w = await world({ get: async () => Promise.reject(new Error('must not be called')) });
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), new Date(T0).toISOString()));
    expect((await w.service.readings(w.ext, HP, { limit: 5, order: 'asc' })).items).toEqual([]);
    expect(w.calls.get).toBe(0);
  });

  it('an update Podero no longer knows is 404; a successful one is live and not stale', async () => {
    const gone = await world({
      get: async (id) => device(id, ME),
      update: async () => Promise.reject(notFound()),
    });
    expect(
      await failure(gone.service.control(gone.ext, HP, 'settings', { is_smart_optimization_active: true })),
    ).toBeInstanceOf(UnknownDeviceError);
    const ok = await world({ get: async (id) => device(id, ME) });
    expect(
      await ok.service.control(ok.ext, HP, 'settings', { is_smart_optimization_active: true }),
    ).toMatchObject({
      source: 'live',
      stale: false,
    });
  });

  it('checks the user after creating a snapshot, and only then; an offboarded user is 404', async () => {
    const w = await world({ get: async (id) => device(id, ME) });
    await w.service.get(w.ext, HP, live);
    expect(w.guarded).toEqual([[`HEATPUMP#${HP}`]]);
    await w.service.get(w.ext, HP, live); // an update of the same snapshot: no check needed
    expect(w.guarded).toHaveLength(1);
    const offboarded = await world({ get: async (id) => device(id, ME), stillOnboarded: false });
    expect(await failure(offboarded.service.get(offboarded.ext, HP, live))).toBeInstanceOf(UnknownUserError);
  });

  it('serves a snapshot exactly max_age_seconds old from the cache, and one exactly as old as stale_if_error allows', async () => {
    const w = await world({
      get: async () => Promise.reject(new PoderoServerError('down', { ...init, status: 503 })),
    });
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), new Date(T0 - 60_000).toISOString()));
    expect((await w.service.get(w.ext, HP, { max_age_seconds: 60, stale_if_error_seconds: 0 })).source).toBe(
      'cache',
    );
    expect(await w.service.get(w.ext, HP, { max_age_seconds: 0, stale_if_error_seconds: 60 })).toMatchObject({
      stale: true,
    });
    expect(
      await failure(w.service.get(w.ext, HP, { max_age_seconds: 0, stale_if_error_seconds: 59 })),
    ).toBeInstanceOf(PoderoServerError);
  });

  it('reads the list live when the cached marker names a snapshot that is not stored', async () => {
    const w = await world({ list: async () => [device(HP, ME)] });
    await w.snapshots.putListMarker({
      externalUserId: w.ext,
      fetchedAt: new Date(T0).toISOString(),
      deviceIds: [HP],
    });
    const result = await w.service.list(w.ext, { max_age_seconds: 3600, stale_if_error_seconds: 0 });
    expect(result.source).toBe('live');
    expect(w.calls.list).toBe(1);
  });
});

describe('the cache edges of the list and the single read', () => {
  it('does not hide a non-outage error of the live list behind its cached list', async () => {
    let fail = false;
    const w = await world({
      list: async () =>
        fail ? Promise.reject(new PoderoAuthError('no', { ...init, status: 401 })) : [device(HP, ME)],
    });
    await w.service.list(w.ext, live);
    fail = true;
    expect(
      await failure(w.service.list(w.ext, { max_age_seconds: 0, stale_if_error_seconds: 3600 })),
    ).toBeInstanceOf(PoderoAuthError);
  });

  it('max_age_seconds 0 reads live even when a fresh snapshot is stored', async () => {
    const w = await world({ get: async (id) => device(id, ME) });
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), new Date(T0).toISOString()));
    expect((await w.service.get(w.ext, HP, live)).source).toBe('live');
  });

  it('labels a cached list with its oldest part whatever the order, and serves it at exactly max_age_seconds', async () => {
    const w = await world({ list: async () => Promise.reject(new Error('must not be called')) });
    const at = (ms: number) => new Date(ms).toISOString();
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), at(T0 - 120_000)));
    await w.snapshots.put(newSnapshot(w.ext, device(HP2, ME), at(T0 - 30_000)));
    await w.snapshots.putListMarker({
      externalUserId: w.ext,
      fetchedAt: at(T0 - 10_000),
      deviceIds: [HP, HP2],
    });
    const result = await w.service.list(w.ext, { max_age_seconds: 120, stale_if_error_seconds: 0 });
    expect(result).toMatchObject({ source: 'cache', fetched_at: at(T0 - 120_000) });
  });
});

describe('offboarding one heat pump', () => {
  const stored = async (w: Awaited<ReturnType<typeof world>>) => {
    await w.snapshots.put(newSnapshot(w.ext, device(HP, ME), new Date(T0 - 60_000).toISOString()));
    await w.snapshots.putListMarker({
      externalUserId: w.ext,
      fetchedAt: new Date(T0 - 60_000).toISOString(),
      deviceIds: [HP],
    });
  };

  it("soft-deletes the user's device at Podero, then forgets its snapshot and the cached list", async () => {
    const w = await world({ get: async (id) => device(id, ME) });
    await stored(w);
    await w.service.offboard(w.ext, HP);
    expect(w.calls.softDelete).toBe(1);
    expect(w.calls.includeDeleted).toEqual([true]);
    expect(await w.snapshots.get(w.ext, HP)).toBeNull();
    expect((await w.snapshots.loadUserWithProfile(w.ext)).state.marker).toBeNull();
  });

  it('an already deleted device of the user is not deleted again, but still forgotten (idempotent)', async () => {
    const w = await world({ get: async (id) => device(id, ME, { deleted_at: '2026-02-01T00:00:00Z' }) });
    await stored(w);
    await w.service.offboard(w.ext, HP);
    expect(w.calls.softDelete).toBe(0);
    expect(await w.snapshots.get(w.ext, HP)).toBeNull();
  });

  it('refuses a device of another owner, another id, or none, and deletes nothing', async () => {
    for (const get of [
      async (id: string) => device(id, OTHER),
      async () => device(HP2, ME),
      async () => Promise.reject(new PoderoNotFoundError('gone', { method: 'GET', path: '/x', status: 404 })),
    ]) {
      const w = await world({ get });
      await stored(w);
      expect(await failure(w.service.offboard(w.ext, HP))).toBeInstanceOf(UnknownDeviceError);
      expect(w.calls.softDelete).toBe(0);
      expect(await w.snapshots.get(w.ext, HP)).not.toBeNull();
    }
  });

  it('a Podero failure on the ownership read is that failure, not an unknown device', async () => {
    const w = await world({
      get: async () =>
        Promise.reject(new PoderoServerError('down', { method: 'GET', path: '/x', status: 503 })),
    });
    expect(await failure(w.service.offboard(w.ext, HP))).toBeInstanceOf(PoderoServerError);
    expect(w.calls.softDelete).toBe(0);
  });

  it('a device deleted meanwhile (404 on the delete) is the outcome wanted; a Podero failure is not', async () => {
    const raced = await world({
      get: async (id) => device(id, ME),
      softDelete: async () =>
        Promise.reject(new PoderoNotFoundError('gone', { method: 'PUT', path: '/x', status: 404 })),
    });
    await stored(raced);
    await raced.service.offboard(raced.ext, HP);
    expect(await raced.snapshots.get(raced.ext, HP)).toBeNull();
    const failing = await world({
      get: async (id) => device(id, ME),
      softDelete: async () =>
        Promise.reject(new PoderoServerError('down', { method: 'PUT', path: '/x', status: 503 })),
    });
    await stored(failing);
    expect(await failure(failing.service.offboard(failing.ext, HP))).toBeInstanceOf(PoderoServerError);
    // Nothing of ours was removed while Podero still has the device.
    expect(await failing.snapshots.get(failing.ext, HP)).not.toBeNull();
  });

  it('readLive proves ownership and hands back the device with its pending actions', async () => {
    const actions = [
      { code: 'reauthenticate', resolution_link: { url: 'https://p/cues/c/resolve?secret=s' } },
    ];
    const w = await world({ get: async (id) => device(id, ME, { is_authenticated: false, actions }) });
    const read = await w.service.readLive(w.ext, HP);
    expect(read.device.actions).toEqual(actions);
    expect((await w.snapshots.get(w.ext, HP))?.connection?.state).toBe('reauthentication_required');
    const theirs = await world({ get: async (id) => device(id, OTHER) });
    expect(await failure(theirs.service.readLive(theirs.ext, HP))).toBeInstanceOf(UnknownDeviceError);
  });
});
