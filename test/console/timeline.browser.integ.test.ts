import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHeatPump, onboardUser } from '../support/flows';
import type { TestStack } from '../support/local-stack';
import { rawRequest } from '../support/raw-http';
import { startReceiver } from '../support/webhook-receiver';
import { type ConsoleStack, newPage, startConsoleStack, waitUntilLoaded } from './browser';

/**
 * Issue 36's customer timeline and audit page in Debian's Chromium against the local stack: an optimisation
 * switch made in the console by a support agent appears on the customer's timeline (the write, with its actor,
 * and the change event the relay published) and on the organisation's audit page, filtered by that actor; each
 * event shows its delivery to the registered webhook endpoint, and an admin opens the attempt from there.
 * The README's timeline and audit screenshots (docs/console/timeline.png, audit.png) are taken here.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const USER = 'timeline-page-1';
const POLL = { timeout: 60_000, interval: 500 };
/** The subject the local stack's console session gives a support token (local/src/auth/tokens.ts). */
const SUPPORT_SUB = 'local-support';

let consoleStack: ConsoleStack;
let t: TestStack;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const RECEIVER_NAME = 'CRM receiver';

beforeAll(async () => {
  consoleStack = await startConsoleStack();
  ({ test: t, browser } = consoleStack);
  const admin = await t.stack.mintToken({ admin: true });
  // A partner's endpoint (answers 200), registered first: every event of the customer is delivered to it.
  receiver = await startReceiver();
  const registered = await rawRequest(t.stack.apiUrl, {
    method: 'POST',
    path: '/webhooks',
    headers: {
      authorization: `Bearer ${admin}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify({ url: receiver.url, description: RECEIVER_NAME }),
  });
  expect(registered.status, registered.text).toBe(201);
  await onboardUser(t.stack.apiUrl, admin, USER);
  await connectHeatPump(t.stack.apiUrl, admin, USER);
  // The customer page lists the devices the sync stored.
  const run = await t.stack.runSchedule('heat-pump-sync');
  expect(run.ok, JSON.stringify(run)).toBe(true);
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
  await receiver?.close();
});

const pageAs = (role: 'viewer' | 'support' | 'admin') =>
  newPage(browser, { role, viewport: { width: 1280, height: 1000 } });

describe('the customer timeline and the audit page in Chromium against the local stack', {
  timeout: 180_000,
}, () => {
  it("shows a support agent's optimisation switch on the customer's timeline and on the audit page, with its actor", async () => {
    const page = await pageAs('support');
    await page.goto(`${t.stack.apiUrl}/console/#/customers/${USER}`);
    const toggle = page.getByRole('switch', { name: 'Smart optimisation' }).first();
    const wasOn = await toggle.isChecked();
    await toggle.click();
    await expect.poll(() => toggle.isChecked(), POLL).toBe(!wasOn);

    const timeline = page.getByRole('region', { name: 'Timeline', exact: true });
    const write = timeline.locator('li.timeline-audit', { hasText: 'updateHeatPump' });
    const event = timeline.locator('li.timeline-event', { hasText: 'heat_pump.optimization_changed' });
    // The relay publishes on the local stack's poll: reload until the event is on the timeline.
    await expect
      .poll(async () => {
        await page.reload();
        await timeline.waitFor();
        await page
          .getByText('Loading…')
          .first()
          .waitFor({ state: 'detached' })
          .catch(() => undefined);
        return [await write.count(), await event.count()];
      }, POLL)
      .toEqual([1, 1]);
    expect(await write.textContent()).toContain(`by ${SUPPORT_SUB} (support)`);
    expect(await write.textContent()).toContain(`is_smart_optimization_active: ${!wasOn}`);
    await waitUntilLoaded(page);
    await timeline.screenshot({ path: `${SCREENSHOTS}timeline.png` });
    await page.context().close();

    // Every role has the audit page in its header; a viewer filters it by the agent.
    const viewer = await pageAs('viewer');
    await viewer.goto(`${t.stack.apiUrl}/console/#/`);
    await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    // The whole trail first: the admin's onboarding and the agent's switch, each with its actor and role.
    await viewer
      .getByRole('row', { name: /updateHeatPump/ })
      .first()
      .waitFor();
    await waitUntilLoaded(viewer);
    await viewer.screenshot({ path: `${SCREENSHOTS}audit.png`, fullPage: true });
    await viewer.getByLabel('Actor').fill(SUPPORT_SUB);
    await viewer.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => viewer.url()).toContain(`#/audit?actor=${SUPPORT_SUB}`);
    const row = viewer.getByRole('row', { name: /updateHeatPump/ });
    await row.first().waitFor();
    const text = (await row.first().textContent()) ?? '';
    expect(text).toContain(SUPPORT_SUB);
    expect(text).toContain(USER);
    expect(text).toContain('succeeded');
    // Only that actor's writes: the admin's onboarding is not listed.
    expect(await viewer.getByRole('row', { name: /createUser/ }).count()).toBe(0);
    await viewer.context().close();
  });

  it("shows each event's delivery to the webhook endpoint; an admin opens the attempt's detail from it, a support agent has no link", async () => {
    const page = await pageAs('admin');
    await page.goto(`${t.stack.apiUrl}/console/#/customers/${USER}`);
    const timeline = page.getByRole('region', { name: 'Timeline', exact: true });
    // The switch of the first test, delivered by the local stack's delivery worker.
    const switched = timeline
      .locator('li.timeline-event', { hasText: 'heat_pump.optimization_changed' })
      .first();
    const delivery = switched.locator('li.timeline-delivery');
    await expect
      .poll(async () => {
        await page.reload();
        await timeline.waitFor();
        await page
          .getByText('Loading…')
          .first()
          .waitFor({ state: 'detached' })
          .catch(() => undefined);
        return (await delivery.count()) === 0
          ? null
          : await delivery.first().getAttribute('data-delivery-status');
      }, POLL)
      .toBe('delivered');
    const line = (await delivery.first().textContent()) ?? '';
    expect(line).toContain(`delivered to ${RECEIVER_NAME} at `);
    expect(line).toMatch(/HTTP 200 · 1 attempt · \d+ ms/);

    await delivery
      .first()
      .getByRole('link', { name: `Attempt detail: delivered to ${RECEIVER_NAME}` })
      .click();
    await expect.poll(() => page.url()).toContain('#/webhooks?webhook=wh_');
    const detail = page.getByRole('heading', {
      name: 'Delivery of heat_pump.optimization_changed, attempt 1',
    });
    await detail.waitFor();
    const facts = page.getByRole('definition').filter({ hasText: /^delivered$/ });
    expect(await facts.count()).toBeGreaterThan(0);
    await page.context().close();

    // A support agent sees the same delivery, named by the endpoint's id (the endpoints are an admin's), unlinked.
    const support = await pageAs('support');
    await support.goto(`${t.stack.apiUrl}/console/#/customers/${USER}`);
    const seen = support
      .getByRole('region', { name: 'Timeline', exact: true })
      .locator('li.timeline-event', { hasText: 'heat_pump.optimization_changed' })
      .first()
      .locator('li.timeline-delivery');
    await seen.first().waitFor();
    expect(await seen.first().textContent()).toMatch(/delivered to wh_[0-9a-f]{24} at /);
    expect(await support.getByRole('link', { name: /Attempt detail/ }).count()).toBe(0);
    await support.context().close();
  });
});
