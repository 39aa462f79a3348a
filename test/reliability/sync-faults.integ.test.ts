import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SyncStateStore } from '@podero-bridge/functions';
import type { SeededUser } from '@podero-bridge/podero-simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bridge, type BridgeOptions, startBridge } from '../support/bridge';
import { scanTable } from '../support/tables';

/**
 * heat-pump-sync against the simulator over HTTP and dynalite over the real SDK, with Podero and
 * DynamoDB misbehaving. The simulator's clock is manual (it never moves here), so every heat pump has
 * exactly one state timestamp and must end with exactly one reading at that timestamp.
 */
const START = new Date('2026-03-02T08:00:00.000Z');
const LIST_HEAT_PUMPS = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps';
const isHeatPumpList = (request: string) =>
  /^GET \/api\/partners\/v2\.0\/org\/[^/]+\/users\/[^/]+\/heat-pumps$/.test(request);
const userIdOf = (request: string) => request.split('/users/')[1]?.split('/')[0] ?? '';

let bridge: Bridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

async function seeded(
  users: number,
  heatPumpsPerUser: number,
  options: BridgeOptions = {},
): Promise<{ bridge: Bridge; users: SeededUser[] }> {
  bridge = await startBridge({
    ...options,
    simulator: { startTime: START, ...options.simulator },
    env: { SYNC_CONCURRENCY: '8', ...options.env },
  });
  const made = bridge.simulator.control.seed({ users, heatPumpsPerUser, externalIdPrefix: 'sync' }).users;
  await bridge.addOnboardedUsers(made);
  return { bridge, users: made };
}

/** Readings by heat pump id, and the snapshots' state timestamps by heat pump id. */
async function storedState(b: Bridge) {
  const readings = new Map<string, string[]>();
  for (const item of await scanTable(b.aws.db, b.tableNames.readings)) {
    const id = String(item.pk).replace(/^HEATPUMP#/, '');
    readings.set(id, [...(readings.get(id) ?? []), String(item.sk)]);
  }
  const snapshots = new Map<string, string>();
  for (const item of await scanTable(b.aws.db, b.tableNames.main)) {
    if (String(item.sk).startsWith('HEATPUMP#'))
      snapshots.set(String(item.heat_pump_id), String(item.state_updated_at));
  }
  return { readings, snapshots };
}

/** Every heat pump: exactly one reading, at the state timestamp its snapshot records. */
async function expectOneReadingPerState(b: Bridge, users: readonly SeededUser[]) {
  const { readings, snapshots } = await storedState(b);
  const deviceIds = users.flatMap((u) => u.heat_pump_ids);
  const problems = deviceIds.flatMap((id) => {
    const at = readings.get(id) ?? [];
    const state = snapshots.get(id);
    return at.length === 1 && state !== undefined && at[0] === state
      ? []
      : [`${id}: readings ${JSON.stringify(at)}, snapshot state ${state ?? 'missing'}`];
  });
  expect(problems).toEqual([]);
  expect([...readings.keys()].sort()).toEqual([...deviceIds].sort());
}

describe('heat-pump-sync under faults', () => {
  it('survives a token revoked mid-sync: one forced refresh, every user synced', async () => {
    let listed = 0;
    const revokeAfter = 40;
    const { bridge: b, users } = await seeded(120, 2, {
      onPoderoRequest: (request) => {
        if (!isHeatPumpList(request)) return;
        listed += 1;
        // Revoke every token while the sync is in full flow (8 users in flight).
        if (listed === revokeAfter) b.simulator.control.revokeTokens();
      },
    });
    const issuedBefore = b.simulator.control.counters().token_issuances;

    const summary = await b.runSync();

    const counters = b.simulator.control.counters();
    expect(counters.requests[LIST_HEAT_PUMPS]?.['401']).toBeGreaterThan(0); // the revocation did bite
    expect(counters.token_issuances - issuedBefore).toBe(1);
    expect(b.issuedTokens).toHaveLength(2);
    expect(summary).toMatchObject({ users: 120, heat_pumps: 240, failures: 0, completed_pass: true });
    // No user skipped: every user's heat pumps were listed successfully at least once.
    const listedOk = new Set(b.poderoRequests.filter(isHeatPumpList).map(userIdOf));
    expect(listedOk.size).toBe(120);
    await expectOneReadingPerState(b, users);
    expect(await new SyncStateStore(b.aws.db, b.tableNames.main).listFailures()).toEqual([]);
  });

  it('fails nobody when two tokens are revoked within the token cache age', async () => {
    const { bridge: b, users } = await seeded(10, 1);
    const listLive = () =>
      b.apiDeps.podero.heatPumps.list(users[0]?.id ?? '').then(
        () => 'ok',
        (error: Error) => error.name,
      );
    expect(await b.runSync()).toMatchObject({ failures: 0 }); // the sync caches token 1
    const [first] = b.issuedTokens;
    b.simulator.control.revokeTokens(first);
    expect(await listLive()).toBe('ok'); // the API recovers: token 2 is stored
    b.simulator.control.revokeTokens(b.issuedTokens.at(-1));

    // The sync still holds token 1 (cached): its 401 finds token 2 already stored, which is revoked
    // too; the second refresh of the same request fetches token 3.
    expect(await b.runSync()).toMatchObject({ users: 10, failures: 0, completed_pass: true });
    await expectOneReadingPerState(b, users);
    expect(await new SyncStateStore(b.aws.db, b.tableNames.main).listFailures()).toEqual([]);
    expect(b.issuedTokens).toHaveLength(3);
  });

  it('stores the others when 5% of 1,000 users fail, records the failures, and picks them up next run', async () => {
    const { bridge: b, users } = await seeded(1000, 1);
    const failing = users.filter((_, i) => i % 20 === 7);
    expect(failing).toHaveLength(50);
    b.simulator.control.setFaults([
      { route: LIST_HEAT_PUMPS, status: 503, user_ids: failing.map((u) => u.id) },
    ]);

    const first = await b.runSync();
    expect(first).toMatchObject({
      users: 1000,
      heat_pumps: 950,
      failures: 50,
      readings_written: 950,
      completed_pass: true,
    });
    const state = new SyncStateStore(b.aws.db, b.tableNames.main);
    const recorded = await state.listFailures();
    expect(recorded.map((f) => f.externalUserId).sort()).toEqual(
      failing.map((u) => u.external_user_id).sort(),
    );
    expect(recorded.every((f) => f.attempts === 1 && f.errorCode === 'PoderoServerError')).toBe(true);
    const afterFirst = await storedState(b);
    const failingHeatPumps = new Set(failing.flatMap((u) => u.heat_pump_ids));
    expect(afterFirst.readings.size).toBe(950);
    expect([...afterFirst.readings.keys()].some((id) => failingHeatPumps.has(id))).toBe(false);
    // Retries stayed within the client's budget: at most 1 + 3 attempts per failing user.
    const attemptsOnFailing = b.poderoRequests
      .filter(isHeatPumpList)
      .filter((r) => failing.some((u) => u.id === userIdOf(r))).length;
    expect(attemptsOnFailing).toBeLessThanOrEqual(50 * 4);

    b.simulator.control.clearFaults();
    const second = await b.runSync();
    expect(second).toMatchObject({ users: 1000, failures: 0, readings_written: 50, completed_pass: true });
    await expectOneReadingPerState(b, users);
    expect(await state.listFailures()).toEqual([]);
  }, 120_000); // two passes over 1,000 users through HTTP and dynalite: ~20 s on a quiet machine

  it('resumes from the cursor after a run stops on its time budget: each user listed once, one reading per state', async () => {
    let listed = 0;
    const { bridge: b, users } = await seeded(70, 2, {
      env: { SYNC_CONCURRENCY: '4' },
      onPoderoRequest: (request) => {
        if (isHeatPumpList(request)) listed += 1;
      },
    });
    // Plenty of time until 30 users were started, then less than the 60 s safety margin.
    const budget = () => (listed < 30 ? 600_000 : 10_000);

    const first = await b.runSync({ getRemainingTimeInMillis: budget });
    expect(first).toMatchObject({ stopped: 'time_budget', completed_pass: false });
    expect(first.users).toBeGreaterThanOrEqual(30);
    expect(first.users).toBeLessThan(70);
    const cursor = await new SyncStateStore(b.aws.db, b.tableNames.main).getCursor();
    expect(cursor?.lastExternalUserId).toBe(first.cursor);
    const firstRun = new Set(b.poderoRequests.filter(isHeatPumpList).map(userIdOf));

    listed = -1_000_000; // no budget limit for the second run
    b.poderoRequests.length = 0;
    const second = await b.runSync();
    expect(second).toMatchObject({ completed_pass: true, failures: 0 });
    expect(first.users + second.users).toBe(70);
    const secondRun = b.poderoRequests.filter(isHeatPumpList).map(userIdOf);
    // Resumed after the cursor: nobody from the first run again, nobody missed.
    expect(secondRun.filter((id) => firstRun.has(id))).toEqual([]);
    expect(new Set([...firstRun, ...secondRun]).size).toBe(70);
    await expectOneReadingPerState(b, users);
  });

  // A run killed while its writes are in flight (Lambda timeout, crash): the killed BatchWriteItem never
  // returns, the calls issued beside it complete, and the run hangs until its lease runs out. The first
  // page (25 users x 3 heat pumps) writes 75 readings in calls 1-3, then snapshots and markers: the kill
  // points cover both phases. A snapshot stored without its reading would make the resumed run skip
  // that state for good (it looks unchanged), so that is asserted right after the kill too.
  it.each([1, 2, 3, 5])(
    'resumes after a run killed at BatchWriteItem call %i: no gaps, no duplicates',
    async (killAt) => {
      let batchCalls = 0;
      let killing = true;
      let inFlight = 0;
      let killed: () => void = () => {};
      const killedSignal = new Promise<void>((resolve) => {
        killed = resolve;
      });
      const { bridge: b, users } = await seeded(60, 3, {
        env: { SYNC_CONCURRENCY: '4' },
        configureSyncDynamo: (client: DynamoDBClient) => {
          client.middlewareStack.add(
            (next, context) => async (args) => {
              if (context.commandName !== 'BatchWriteItemCommand' || !killing) return next(args);
              batchCalls += 1;
              if (batchCalls === killAt) {
                killed();
                return new Promise<never>(() => {}); // this call never returns: the run hangs on it
              }
              inFlight += 1;
              try {
                return await next(args);
              } finally {
                inFlight -= 1;
              }
            },
            { step: 'initialize', name: 'killMidRun' },
          );
        },
      });

      void b.runSync({ awsRequestId: 'killed-run' });
      await killedSignal;
      // The other writes of the page go on (they were issued beside the killed one) until the run is stuck
      // waiting for the killed call: wait for the writes to go quiet (bounded), then the run is dead.
      for (let turn = 0, quiet = 0; turn < 10_000 && quiet < 20; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        quiet = inFlight === 0 ? quiet + 1 : 0;
      }
      killing = false;
      const { readings, snapshots } = await storedState(b);
      const split = [...snapshots.keys()].filter((id) => !readings.has(id));
      expect(readings.size).toBeLessThan(180); // the run really died part-way
      expect(split).toEqual([]); // readings are written before snapshots

      // The killed run's lease expires (it was taken for the run's time budget); the next run takes over.
      const early = await b.runSync({ awsRequestId: 'too-early' });
      expect(early.stopped).toBe('lease_held');
      b.advanceSyncClock(functionTimeoutMs() + 1000);
      const resumed = await b.runSync({ awsRequestId: 'resumed-run' });
      expect(resumed).toMatchObject({ completed_pass: true, failures: 0 });
      await expectOneReadingPerState(b, users);
    },
  );

  it('retries DynamoDB UnprocessedItems until every item is written', async () => {
    let throttledCalls = 0;
    const { bridge: b, users } = await seeded(40, 2, {
      configureSyncDynamo: (client: DynamoDBClient) => {
        // DynamoDB under pressure: the first 12 BatchWriteItem calls process only the first half of their
        // items and return the rest as UnprocessedItems, exactly as the service does.
        client.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName !== 'BatchWriteItemCommand' || throttledCalls >= 12) return next(args);
            throttledCalls += 1;
            const input = args.input as { RequestItems: Record<string, unknown[]> };
            const entries = Object.entries(input.RequestItems).flatMap(([table, requests]) =>
              requests.map((request) => [table, request] as const),
            );
            const keep = entries.slice(0, Math.ceil(entries.length / 2));
            const held = entries.slice(keep.length);
            const group = (list: (readonly [string, unknown])[]) => {
              const out: Record<string, unknown[]> = {};
              for (const [table, request] of list) out[table] = [...(out[table] ?? []), request];
              return out;
            };
            const result = await next({ ...args, input: { ...input, RequestItems: group(keep) } });
            (result.output as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems =
              group(held);
            return result;
          },
          { step: 'initialize', name: 'halfUnprocessed' },
        );
      },
    });

    const summary = await b.runSync();
    expect(throttledCalls).toBe(12);
    // 80 readings + 80 snapshots + 40 markers = 200 items: 8 calls without throttling.
    expect(summary.batch_write_calls).toBeGreaterThan(8);
    expect(summary).toMatchObject({
      failures: 0,
      readings_written: 80,
      snapshots_written: 120,
      completed_pass: true,
    });
    await expectOneReadingPerState(b, users);
  });
});

function functionTimeoutMs(): number {
  return 900 * 1000;
}
