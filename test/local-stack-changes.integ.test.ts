/**
 * Done-when of tracked changes, through the local stack (`pnpm dev`) on the simulated clock: the same settings
 * change on two heat pumps, one of which the simulator makes accept writes and never apply them. The device
 * that applies it ends `confirmed` at the next sync pass; the other stays `pending` until the first pass
 * after the heat pump's timeout, then ends `failed`. Each settlement's event is read from the stack's bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';

interface ChangeBody {
  id: string;
  status: string;
  reason: string | null;
  settled_at: string | null;
}

/** The heat pump's declared change timeout (heatPumpKind.changeTimeoutSeconds: 30 minutes). */
const HEAT_PUMP_CHANGE_TIMEOUT_SECONDS = 1800;

let t: TestStack;
let admin: string;
const devices = new Map<string, string>();

const pathOf = (user: string) => `/users/${user}/heat-pumps/${devices.get(user)}`;

async function patch(user: string): Promise<ChangeBody> {
  const answer = await apiCall(t.stack.apiUrl, admin, 'PATCH', pathOf(user), { optimization_level: 'Max' });
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as { change: ChangeBody }).change;
}

async function changeOf(user: string, id: string): Promise<ChangeBody> {
  const answer = await apiCall(t.stack.apiUrl, admin, 'GET', `${pathOf(user)}/changes/${id}`);
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as { change: ChangeBody }).change;
}

async function pass(): Promise<void> {
  const run = await t.stack.runSchedule('heat-pump-sync');
  expect(run.ok, JSON.stringify(run)).toBe(true);
}

/** The bus's change events of one change (the relay drained first). */
async function busEventsOf(changeId: string): Promise<string[]> {
  await t.stack.drainOutbox();
  return t.stack
    .events()
    .filter(
      (event) => (event.detail as { data?: { change?: { id?: string } } }).data?.change?.id === changeId,
    )
    .map((event) => event.detailType);
}

beforeAll(async () => {
  t = await startTestStack({ simulator: { startTime: new Date('2026-06-01T08:00:00.000Z') } });
  admin = await t.stack.mintToken({ admin: true });
  for (const user of ['applies-1', 'ignores-1']) {
    await onboardUser(t.stack.apiUrl, admin, user);
    devices.set(user, (await connectHeatPump(t.stack.apiUrl, admin, user)).deviceId);
  }
  const ignoring = await fetch(
    `${t.stack.simulator.baseUrl}/__sim/devices/${devices.get('ignores-1')}/write-fault`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'ignore' }),
    },
  );
  expect(ignoring.status).toBe(200);
  await pass();
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('tracked changes through the local stack', () => {
  it('a change the device applies ends confirmed, one the simulator ignores ends failed, each with its event', async () => {
    const applied = await patch('applies-1');
    const ignored = await patch('ignores-1');
    expect([applied.status, ignored.status]).toEqual(['pending', 'pending']);

    t.stack.simulator.control.advanceClock(300);
    await pass();
    expect(await changeOf('applies-1', applied.id)).toMatchObject({ status: 'confirmed', reason: null });
    expect((await changeOf('ignores-1', ignored.id)).status).toBe('pending');
    expect(await busEventsOf(applied.id)).toEqual(['heat_pump.change_confirmed']);

    t.stack.simulator.control.advanceClock(HEAT_PUMP_CHANGE_TIMEOUT_SECONDS);
    await pass();
    expect(await changeOf('ignores-1', ignored.id)).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(await busEventsOf(ignored.id)).toEqual(['heat_pump.change_failed']);
    // Settled once: later passes announce nothing again.
    await pass();
    expect(await busEventsOf(applied.id)).toEqual(['heat_pump.change_confirmed']);
  });
});
