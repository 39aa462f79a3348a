/**
 * HeatPumpService round trips: the list route reads the user and its stored list in one Query, the
 * other reads send the user lookup and the storage read together, a live list's writes go out
 * together, and no shortcut changes which error wins or which answer survives. Real stores on
 * dynalite; Podero and (outside the list route) the user lookup are fakes the tests steer.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { tableDeclarations } from '../declarations';
import { type HeatPumpUpstream, heatPumpKind } from '../domain/devices/heat-pump';
import { UnknownUserError } from '../domain/errors';
import { DeviceChangeStore } from '../storage/device-changes';
import { type DeviceJson, DeviceSnapshotStore, newSnapshot } from '../storage/device-snapshots';
import { OpenChangesStore } from '../storage/open-changes';
import { OutboxStore } from '../storage/outbox';
import { ReadingsStore } from '../storage/readings';
import { UserStore } from '../storage/users';
import { ChangeTracker } from './change-tracker';
import { DeviceService } from './service';

const tables = { main: 'hp-service-main', readings: 'hp-service-readings' };
const PODERO_USER = 'podero-user-1';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;

/** What the DynamoDB client was asked to do, and how many calls were in flight at once. */
interface SendLog {
  started: string[];
  inFlight: number;
  maxInFlight: number;
  failQueries: boolean;
  /** Snapshot GetItems fail (the user profile is never read through this client). */
  failGets: boolean;
}
let sends: SendLog;

function freshSendLog(): SendLog {
  return {
    started: [],
    inFlight: 0,
    maxInFlight: 0,
    failQueries: false,
    failGets: false,
  };
}

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      sends.started.push(name);
      if (name === 'QueryCommand' && sends.failQueries) throw new Error('simulated storage failure');
      if (name === 'GetItemCommand' && sends.failGets) throw new Error('simulated storage failure');
      sends.inFlight++;
      sends.maxInFlight = Math.max(sends.maxInFlight, sends.inFlight);
      try {
        return await next(args);
      } finally {
        sends.inFlight--;
      }
    },
    { step: 'initialize', name: 'recordSends' },
  );
});
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});
beforeEach(() => {
  sends = freshSendLog();
});

const device = (id: string, extra: Record<string, unknown> = {}): DeviceJson => ({
  id,
  owner: { id: PODERO_USER },
  current_state_last_updated_at: '2026-03-01T11:59:00Z',
  deleted_at: null,
  ...extra,
});

function fakePodero(list: () => Promise<DeviceJson[]>): HeatPumpUpstream {
  const unused = () => Promise.reject(new Error('not used by these tests'));
  return { heatPumps: { list: () => list(), get: unused, update: unused, softDelete: unused } };
}

/** A Podero that lists no heat pumps and counts how often it was asked. */
function countingPodero(): { podero: HeatPumpUpstream; calls: () => number } {
  let calls = 0;
  const podero = fakePodero(async () => {
    calls++;
    return [];
  });
  return { podero, calls: () => calls };
}

function service(options: {
  findPoderoUserId: (externalUserId: string) => Promise<string | null>;
  podero?: HeatPumpUpstream;
  now?: number;
}) {
  const snapshots = new DeviceSnapshotStore(doc, tables.main);
  const hps = new DeviceService(heatPumpKind, {
    podero: options.podero ?? fakePodero(async () => []),
    findPoderoUserId: options.findPoderoUserId,
    // These users live only in the lookup above; erasure under DELETE is tested in test/reliability.
    removeUnlessOnboarded: async () => true,
    snapshots,
    readings: new ReadingsStore(doc, tables.readings),
    outbox: new OutboxStore(doc, tables.main),
    changes: new DeviceChangeStore(doc, tables.main),
    tracker: new ChangeTracker({
      open: new OpenChangesStore(doc, tables.main),
      history: new DeviceChangeStore(doc, tables.main),
    }),
    // A device's offboarding erases its readings (tested in erasure/erasure.integ.test.ts).
    requestErasure: async () => {},
    syncIntervalMs: 15 * 60_000,
    now: () => options.now ?? T0,
  });
  return { hps, snapshots };
}

const live = { max_age_seconds: 0, stale_if_error_seconds: 0 };

/** An onboarded user's profile item, as POST /users leaves it (the list route reads it). */
const onboard = (externalUserId: string) =>
  seedOnboardedUsers(doc, tables.main, [{ externalUserId, poderoUserId: PODERO_USER }]);

describe('DeviceService.list round trips', () => {
  it('reads the user, the stored list and its open changes in one Query, and nothing else before Podero', async () => {
    await onboard('ursula');
    sends = freshSendLog();
    let readsBeforePodero: string[] = [];
    const { hps } = service({
      findPoderoUserId: async () => {
        throw new Error('the list route looks the user up in its one Query');
      },
      podero: fakePodero(async () => {
        readsBeforePodero = [...sends.started];
        return [];
      }),
    });
    const answer = await hps.list('ursula', live);
    expect(readsBeforePodero).toEqual(['QueryCommand']);
    expect(answer).toMatchObject({ items: [], next_cursor: null, source: 'live', stale: false });
  });

  it('sends every write of a live list at once: snapshots, deletions and the list marker', async () => {
    const [a, b, c] = ['a1', 'b2', 'c3'].map((s) => `${s}000000-0000-4000-8000-000000000000`);
    if (!a || !b || !c) throw new Error('ids');
    const { hps, snapshots } = service({
      findPoderoUserId: async () => PODERO_USER,
      podero: fakePodero(async () => [device(a), device(b)]),
    });
    await onboard('victor');
    // c was listed before and is gone at Podero now: its snapshot must be deleted.
    await snapshots.put(newSnapshot('victor', device(c), new Date(T0 - 60_000).toISOString()));
    sends = freshSendLog();

    await hps.list('victor', live);

    const writes = sends.started.filter((name) => name !== 'GetItemCommand' && name !== 'QueryCommand');
    // The marker is an update too now: its pending events must survive the write (storage/outbox.ts).
    expect(writes.sort()).toEqual([
      'DeleteItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
    ]);
    expect(sends.maxInFlight).toBe(4);
    const state = (await snapshots.loadUserWithProfile('victor')).state;
    // c's removal is announced with the list that no longer names it.
    expect(state.marker?.outbox?.map((json) => JSON.parse(json).type)).toEqual(['heat_pump.deleted']);
    expect(JSON.parse(state.marker?.outbox?.[0] ?? '{}').data).toEqual({
      external_user_id: 'victor',
      heat_pump_id: c,
    });
    expect(state.marker?.deviceIds.sort()).toEqual([a, b].sort());
    expect([...state.snapshots.keys()].sort()).toEqual([a, b].sort());
  });

  it('labels a cached list with its oldest part, so a snapshot update that did not land is not passed off as fresh', async () => {
    const [a, b] = ['f6', 'a7'].map((s) => `${s}000000-0000-4000-8000-000000000000`);
    if (!a || !b) throw new Error('ids');
    const { hps, snapshots } = service({ findPoderoUserId: async () => PODERO_USER, now: T0 + 20_000 });
    // The marker of a live read at T0 landed; of its two snapshot updates only a's did, b's is from T0 - 120 s.
    const at = (ms: number) => new Date(ms).toISOString();
    await onboard('yara');
    await snapshots.put(newSnapshot('yara', device(a), at(T0)));
    await snapshots.put(newSnapshot('yara', device(b), at(T0 - 120_000)));
    await snapshots.putListMarker({ externalUserId: 'yara', fetchedAt: at(T0), deviceIds: [a, b] });

    const within = await hps.list('yara', { max_age_seconds: 600, stale_if_error_seconds: 0 });
    expect(within).toMatchObject({ source: 'cache', fetched_at: at(T0 - 120_000) });
    // 60 s would accept the marker's age (20 s) but not b's (140 s): the list is read live.
    const tight = await hps.list('yara', { max_age_seconds: 60, stale_if_error_seconds: 0 });
    expect(tight.source).toBe('live');
  });

  it('keeps the newer list when an older live read finishes last', async () => {
    const [a, b] = ['d4', 'e5'].map((s) => `${s}000000-0000-4000-8000-000000000000`);
    if (!a || !b) throw new Error('ids');
    const newer = service({
      findPoderoUserId: async () => PODERO_USER,
      podero: fakePodero(async () => [device(a, { indoor_actual_temperature: 21 })]),
      now: T0 + 10_000,
    });
    await onboard('wanda');
    await newer.hps.list('wanda', live);
    // An older read (fetched before the newer one) that still lists b and an older a.
    const older = service({
      findPoderoUserId: async () => PODERO_USER,
      podero: fakePodero(async () => [device(a, { indoor_actual_temperature: 18 }), device(b)]),
      now: T0,
    });
    await older.hps.list('wanda', live);

    const state = (await newer.snapshots.loadUserWithProfile('wanda')).state;
    expect(state.marker).toMatchObject({ fetchedAt: new Date(T0 + 10_000).toISOString(), deviceIds: [a] });
    expect(state.snapshots.get(a)?.device.indoor_actual_temperature).toBe(21);
    // The older read's snapshot of b is stored (nothing newer existed), but the marker does not
    // name it, so the cached list is still the newer one.
    const cached = await newer.hps.list('wanda', { max_age_seconds: 60, stale_if_error_seconds: 0 });
    expect(cached).toMatchObject({ source: 'cache', items: [{ id: a, indoor_actual_temperature: 21 }] });
  });

  it('answers an unknown user, or one still being created, with UnknownUserError and never calls Podero', async () => {
    const counted = countingPodero();
    const { hps } = service({ findPoderoUserId: async () => PODERO_USER, podero: counted.podero });
    await expect(hps.list('nobody', live)).rejects.toBeInstanceOf(UnknownUserError);
    const users = new UserStore(doc, tables.main);
    expect(await users.acquireCreationLease('halfway', 'lease-1', T0, 60_000)).toBe(true);
    await expect(hps.list('halfway', live)).rejects.toBeInstanceOf(UnknownUserError);
    expect(counted.calls()).toBe(0);
  });

  it('surfaces a failing read, and calls Podero never', async () => {
    await onboard('yvonne');
    const counted = countingPodero();
    const { hps } = service({ findPoderoUserId: async () => PODERO_USER, podero: counted.podero });
    sends.failQueries = true;
    await expect(hps.list('yvonne', live)).rejects.toThrow('simulated storage failure');
    expect(counted.calls()).toBe(0);
  });
});

describe('DeviceService.get and readings: the user lookup still decides first', () => {
  const id = 'f6000000-0000-4000-8000-000000000000';
  const readingsQuery = { limit: 10, order: 'asc' as const };

  it('answers an unknown user with UnknownUserError even when the snapshot read fails too', async () => {
    const { hps } = service({ findPoderoUserId: async () => null });
    sends.failGets = true;
    await expect(hps.get('nobody', id, live)).rejects.toBeInstanceOf(UnknownUserError);
    await expect(hps.readings('nobody', id, readingsQuery)).rejects.toBeInstanceOf(UnknownUserError);
  });

  it('surfaces a failing snapshot read once the user is known', async () => {
    const { hps } = service({ findPoderoUserId: async () => PODERO_USER });
    sends.failGets = true;
    await expect(hps.get('zoe', id, live)).rejects.toThrow('simulated storage failure');
    await expect(hps.readings('zoe', id, readingsQuery)).rejects.toThrow('simulated storage failure');
  });
});
