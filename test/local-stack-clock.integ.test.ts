import { addDays, dayInZone, marketDay } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/local-stack';
import { startReceiver } from './support/webhook-receiver';

/**
 * The local stack's clock seam (local/src/clock.ts): by default the functions read the simulator's clock, so a
 * trading deadline that has passed in simulated time has passed for the api too; `clock: 'wall'` keeps them on
 * the system clock, as deployed.
 */
const DAY_MS = 86_400_000;
// The day after tomorrow (Berlin): its upload deadline (09:00 Berlin tomorrow) is ahead on the wall clock.
const deliveryDay = addDays(dayInZone(Date.now()), 2);
const forecast = {
  prices: marketDay(deliveryDay).quarterHours.map((start, i) => ({ start, price_eur_mwh: 40 + (i % 8) })),
};

async function putPricesAfterThreeSimulatedDays(t: TestStack): Promise<{ status: number; body: string }> {
  t.stack.simulator.control.advanceClock((3 * DAY_MS) / 1000);
  const res = await t.api(`/trading/day-ahead/DE_LU/days/${deliveryDay}/prices`, {
    admin: true,
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(forecast),
  });
  return { status: res.status, body: await res.text() };
}

describe.each([
  { clock: 'simulator' as const, status: 409, code: 'upload_deadline_passed' },
  { clock: 'wall' as const, status: 201, code: undefined },
])('the local stack on the $clock clock', ({ clock, status, code }) => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack(clock === 'wall' ? { clock } : {});
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says which clock its functions read at /__local/info', async () => {
    const info = (await (await fetch(`${t.stack.apiUrl}/__local/info`)).json()) as Record<string, unknown>;
    expect(info.bridge_clock).toBe(clock);
  });

  it(`judges a forecast's upload deadline on that clock (${status} three simulated days on)`, async () => {
    const answer = await putPricesAfterThreeSimulatedDays(t);
    expect(answer.status, answer.body).toBe(status);
    if (code !== undefined) expect(JSON.parse(answer.body)).toMatchObject({ error: { code } });
  });

  it('delivers a webhook test event at once, however far the simulator was moved', async () => {
    // The clock was moved three days above; webhook-delivery keeps the wall clock (local/src/clock.ts), so
    // a test event scheduled on the api's simulated clock would wait there until the wall caught up.
    const receiver = await startReceiver();
    try {
      const created = await t.api('/webhooks', {
        admin: true,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const sent = await t.api(`/webhooks/${id}/test`, { admin: true, method: 'POST' });
      expect(sent.status).toBe(202);
      await receiver.waitFor((all) => all.length >= 1);
      expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ type: 'webhook.test' });
    } finally {
      await receiver.close();
    }
  });
});
