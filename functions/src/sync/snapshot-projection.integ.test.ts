import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, userClaims } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  STATE_INTERVAL_SECONDS,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import { deviceKinds } from '../domain/devices/kinds';
import { DeviceSnapshotStore, userPk } from '../storage/device-snapshots';
import { UserStore } from '../storage/users';

/**
 * Issue 39: a snapshot keeps the kind's projection of Podero's object in one write unit, the sync rewrites
 * nothing that did not change, and items stored whole before still read. Against the simulator (every kind)
 * and dynalite, counting the sync's write requests.
 */
let world: HeatPumpWorld;
const owners = new Map<string, { user: OnboardedTestUser; id: string }>();
/** Items the sync's BatchWriteItem calls put or deleted, by table, since the last reset. */
const written: { table: string; sk: string }[] = [];

function countingDb(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = db.send.bind(db);
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: unknown) => {
        if (command instanceof BatchWriteCommand) {
          for (const [table, requests] of Object.entries(command.input.RequestItems ?? {})) {
            for (const request of requests) {
              const item = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};
              written.push({ table, sk: String(item.sk ?? '') });
            }
          }
        }
        return send(command as never);
      };
    },
  });
}

/** An item's size as DynamoDB bills writes: attribute names and values (strings, binary) in bytes. */
function itemBytes(item: Record<string, unknown>): number {
  const size = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (value instanceof Uint8Array) return value.byteLength;
    if (typeof value === 'number') return 21;
    if (value === null || typeof value === 'boolean') return 1;
    if (Array.isArray(value)) return 3 + value.reduce((a: number, v) => a + 1 + size(v), 0);
    if (typeof value === 'object')
      return 3 + Object.entries(value).reduce((a, [k, v]) => a + 1 + Buffer.byteLength(k) + size(v), 0);
    return 0;
  };
  return Object.entries(item).reduce((a, [k, v]) => a + Buffer.byteLength(k) + size(v), 0);
}

async function storedItems(externalUserId: string, skPrefix: string) {
  const out = await world.aws.db.send(
    new QueryCommand({
      TableName: world.aws.tableNames.main,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':sk': skPrefix },
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  world = await startHeatPumpWorld({ syncConcurrency: 2, wrapSyncDb: countingDb });
  const [hp] = await world.onboard(1, 1, 'projection-hp');
  owners.set('heat_pump', { user: hp as OnboardedTestUser, id: hp?.deviceIds[0] ?? '' });
  const others = await world.onboard(3, 0, 'projection-other');
  const store = new UserStore(world.aws.db, world.aws.tableNames.main);
  const at = new Date(world.clock.now).toISOString();
  for (const [index, kind] of (['electric_vehicle', 'wallbox', 'inverter'] as const).entries()) {
    const user = others[index] as OnboardedTestUser;
    const { id } = world.sim.control.addDevice(user.poderoUserId, { kind });
    await store.addDeviceKind(user.externalUserId, kind, at);
    owners.set(kind, { user, id });
  }
  // A heat pump whose connection lapsed: Podero lists a `reauthenticate` cue with its secret link.
  world.sim.control.setConnection(owners.get('heat_pump')?.id ?? '', {
    authenticated: false,
    reauthentication: true,
  });
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('the stored snapshot of every kind', () => {
  it('shows what Podero answered, holds no secret or owner data, and fits one write unit', async () => {
    const run = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(run.failures).toBe(0);
    for (const kind of deviceKinds) {
      const owner = owners.get(kind.name);
      if (!owner) throw new Error(`no ${kind.name} seeded`);
      const [item, ...more] = await storedItems(owner.user.externalUserId, kind.storage.skPrefix);
      expect(more).toEqual([]);
      if (!item) throw new Error(`no ${kind.name} snapshot stored`);
      // The state itself: pending events ride along until the relay publishes them (within a minute), so a
      // rewrite a pass later carries none.
      const { outbox: _o, outbox_pk: _p, outbox_sk: _s, ...state } = item;
      expect(itemBytes(state), kind.name).toBeLessThanOrEqual(1024);

      const snapshot = await new DeviceSnapshotStore(
        world.aws.db,
        world.aws.tableNames.main,
        kind.storage,
      ).get(owner.user.externalUserId, owner.id);
      const live = (await kind.list(world.apiDeps.podero as never, owner.user.poderoUserId)).find(
        (device) => device.id === owner.id,
      );
      if (!snapshot || !live) throw new Error(`${kind.name}: nothing to compare`);
      // The cached view is the live view, field for field.
      expect(kind.view(snapshot.device, snapshot.connection), kind.name).toEqual(
        kind.view(live, snapshot.connection),
      );
      const stored = JSON.stringify(snapshot.device);
      expect(stored).not.toMatch(/resolution_link|secret|email|external_device_id/);
      expect(JSON.stringify(live).length).toBeGreaterThan(stored.length);
    }
    // The lapsed heat pump's cue is there by code (the connection rule reads it), without its link.
    const hp = owners.get('heat_pump');
    const [hpItem] = await storedItems(hp?.user.externalUserId ?? '', 'HEATPUMP#');
    expect(hpItem?.connection_state).toBe('reauthentication_required');
  });

  it('rewrites nothing that did not change, and a changed device without its unchanged list marker', async () => {
    // Less than a state interval later Podero answers the same: no write at all.
    world.advance(STATE_INTERVAL_SECONDS / 3);
    written.length = 0;
    const same = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(same.failures).toBe(0);
    expect(written).toEqual([]);

    // A state interval later every living device has a new state: its reading and its snapshot, no marker.
    world.advance(STATE_INTERVAL_SECONDS);
    written.length = 0;
    const moved = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(moved.failures).toBe(0);
    const main = written.filter((w) => w.table === world.aws.tableNames.main).map((w) => w.sk);
    const readings = written.filter((w) => w.table === world.aws.tableNames.readings);
    expect(main.length).toBeGreaterThan(0);
    for (const kind of deviceKinds) expect(main).not.toContain(kind.storage.listMarkerSk);
    expect(main.every((sk) => deviceKinds.some((kind) => sk.startsWith(kind.storage.skPrefix)))).toBe(true);
    expect(readings.length).toBe(moved.readings_written);

    // The list cache dates the list by the new snapshots (they carry the unchanged list's fingerprint).
    const owner = owners.get('electric_vehicle');
    const res = await world.api(
      apiEvent('listElectricVehicles', {
        params: { external_user_id: owner?.user.externalUserId ?? '' },
        query: { max_age_seconds: String(STATE_INTERVAL_SECONDS) },
        claims: userClaims(owner?.user.externalUserId ?? ''),
      }),
    );
    expect(bodyOf(res)).toMatchObject({
      source: 'cache',
      fetched_at: new Date(world.clock.now).toISOString(),
    });
  });

  it('reads a snapshot stored whole before projections, and the next pass replaces it by the projection', async () => {
    const hp = owners.get('heat_pump');
    if (!hp) throw new Error('no heat pump seeded');
    const [item] = await storedItems(hp.user.externalUserId, 'HEATPUMP#');
    const live = (await deviceKinds[0].list(world.apiDeps.podero as never, hp.user.poderoUserId))[0];
    if (!item || !live) throw new Error('nothing stored');
    // As the bridge stored it until now: Podero's object verbatim, as a string, no fingerprint.
    const { listed_with: _none, ...old } = item;
    await world.aws.db.send(
      new PutCommand({
        TableName: world.aws.tableNames.main,
        Item: { ...old, heat_pump_json: JSON.stringify(live) },
      }),
    );
    const store = new DeviceSnapshotStore(world.aws.db, world.aws.tableNames.main);
    expect((await store.get(hp.user.externalUserId, hp.id))?.device).toEqual(live);
    const cached = await world.api(
      apiEvent('getHeatPump', {
        params: { external_user_id: hp.user.externalUserId, heat_pump_id: hp.id },
        query: { max_age_seconds: '86400' },
        claims: userClaims(hp.user.externalUserId),
      }),
    );
    expect(bodyOf(cached)).toMatchObject({ source: 'cache', heat_pump: { id: hp.id } });

    written.length = 0;
    await world.sync({ source: 'schedule' }, world.syncContext());
    expect(written.map((w) => w.sk)).toContain(`HEATPUMP#${hp.id}`);
    const [rewritten] = await storedItems(hp.user.externalUserId, 'HEATPUMP#');
    expect(rewritten?.heat_pump_json).toBeInstanceOf(Uint8Array);
    expect(JSON.stringify((await store.get(hp.user.externalUserId, hp.id))?.device)).not.toMatch(/secret/);
  });
});
