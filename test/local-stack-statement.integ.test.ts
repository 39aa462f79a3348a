/**
 * Done-when of the monthly statement, through the local stack (`pnpm dev`) on the simulated clock: a user with
 * a heat pump and a fixed-price contract, sync passes a quarter-hour apart, then the month's statement shows
 * coverage and savings; once the month has closed (across Vienna's clock change) it is final, and the sync's
 * next passes announce it once (`statement.ready` at a webhook).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';
import { startReceiver } from './support/webhook-receiver';

interface Figure {
  kwh?: number | null;
  amount_minor?: number | null;
  coverage: { expected_quarter_hours: number; covered_quarter_hours: number; ratio: number };
}
interface StatementBody {
  month: string;
  status: string;
  from: string;
  devices: {
    type: string;
    device_id: string;
    consumption: Figure;
    baseline: Figure;
    cost: Figure;
    saving: Figure;
    saving_energy: Figure;
  }[];
  total: { consumption: Figure; cost: Figure; saving: Figure; currency: string | null };
}

const USER = 'statement-1';
const PASSES = 8;
let t: TestStack;
let admin: string;
let deviceId: string;

beforeAll(async () => {
  t = await startTestStack({ simulator: { startTime: new Date('2026-03-28T12:00:00.000Z') } });
  admin = await t.stack.mintToken({ admin: true });
  await onboardUser(t.stack.apiUrl, admin, USER);
  ({ deviceId } = await connectHeatPump(t.stack.apiUrl, admin, USER));
  const contract = await apiCall(t.stack.apiUrl, admin, 'POST', `/users/${USER}/energy-contracts`, {
    energy_contract_type: 'yearly',
    energy_prices: [{ price: 0.25, timestamp: '2026-01-01T00:00:00Z' }],
    currency_energy_price: 'EUR',
  });
  expect(contract.status, contract.text).toBe(201);
  for (let pass = 0; pass < PASSES; pass++) {
    const run = await t.stack.runSchedule('heat-pump-sync');
    expect(run.ok, JSON.stringify(run)).toBe(true);
    t.stack.simulator.control.advanceClock(900);
  }
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const statement = async (query = '') => {
  const answer = await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${USER}/statements/2026-03${query}`);
  expect(answer.status, answer.text).toBe(200);
  return answer.json as StatementBody;
};

describe('the monthly statement through the local stack', () => {
  it("shows the month's coverage and savings, in the customer's zone", async () => {
    const march = await statement('?time_zone=Europe/Vienna');
    expect(march).toMatchObject({
      month: '2026-03',
      status: 'provisional',
      from: '2026-02-28T23:00:00.000Z',
    });
    const pump = march.devices.find((device) => device.device_id === deviceId);
    if (!pump) throw new Error('the heat pump is not on the statement');
    // March in Vienna: 743 hours (the clocks go forward on the 29th); a reading in each synced quarter-hour.
    expect(pump.consumption.coverage.expected_quarter_hours).toBe(743 * 4);
    expect(pump.consumption.coverage.covered_quarter_hours).toBeGreaterThanOrEqual(PASSES - 1);
    expect(pump.consumption.kwh).toBeGreaterThan(0);
    expect(pump.baseline.coverage.covered_quarter_hours).toBeGreaterThan(0);
    expect(pump.cost.amount_minor).toEqual(expect.any(Number));
    expect(pump.saving.amount_minor).toEqual(expect.any(Number));
    expect(pump.saving.coverage.covered_quarter_hours).toBe(
      pump.saving_energy.coverage.covered_quarter_hours,
    );
    expect(march.total.currency).toBe('EUR');
    expect(march.total.saving.amount_minor).toBe(pump.saving.amount_minor);
  });

  it('answers CSV, and is final a day after the month closed on the simulated clock', async () => {
    const csv = await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${USER}/statements/2026-03?format=csv`);
    expect(csv.text.split('\r\n')[1]).toContain(`heat_pump,${deviceId}`);
    t.stack.simulator.control.advanceClock(5 * 86_400);
    const months = await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${USER}/statements`);
    expect(months.json).toMatchObject({
      items: [{ month: '2026-04' }, { month: '2026-03', status: 'final' }],
    });
    expect((await statement()).status).toBe('final');
  });

  it('announces the final month once: statement.ready at a webhook, however many passes follow', async () => {
    const receiver = await startReceiver();
    try {
      const created = await apiCall(t.stack.apiUrl, admin, 'POST', '/webhooks', {
        url: receiver.url,
        events: ['statement.ready'],
      });
      expect(created.status, created.text).toBe(201);
      // The simulated clock is in April (the test before moved it past March's close and a day).
      for (let pass = 0; pass < 3; pass++) {
        const run = await t.stack.runSchedule('heat-pump-sync');
        expect(run.ok, JSON.stringify(run)).toBe(true);
      }
      await receiver.waitFor((all) => all.length >= 1, 30_000);
      // Time for a second delivery to show up if one had been stored.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toEqual({
        type: 'statement.ready',
        timestamp: expect.any(String),
        data: {
          external_user_id: USER,
          month: '2026-03',
          time_zone: 'UTC',
          from: '2026-03-01T00:00:00.000Z',
          to: '2026-04-01T00:00:00.000Z',
        },
      });
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
