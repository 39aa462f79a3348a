import { fileURLToPath } from 'node:url';
import { composeInProcess, createLogger, createRecordingMetrics } from '@podero-bridge/functions';
import { ENV } from '@podero-bridge/functions/declarations';
import { testLogLevel } from '@podero-bridge/functions/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/local-stack';
import {
  axeViolations,
  type ConsoleStack,
  newPage as newPageIn,
  POLL,
  seriesPixels as pixelsOn,
  startConsoleStack,
} from './browser';

/**
 * Issue 38's trading page in Debian's Chromium against the local stack (in this process, so the test can
 * reach its world): a forecast goes in through the API, the trading workflow uploads it, Podero's simulated
 * clock moves past the calculation, the workflow fetches the curves, the page draws both curves and the price
 * line with a countdown, an admin confirms, and the day ends confirmed. A token without the admin scope gets
 * the API's 403 on the page, and no confirm button.
 *
 * The stack's functions follow the simulator's clock (local/src/clock.ts), but its scheduler fires on
 * wall-clock timers, and the curves come 1.5 hours of market time after the upload deadline. The test
 * therefore runs trading-workflow's real handler itself (composeInProcess, as the stack composes it, against
 * the stack's DynamoDB, Secrets Manager and simulator) at the moments it chooses. The delivery day is the day
 * after tomorrow in Berlin, so its upload and confirmation deadlines are ahead of both clocks.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));
/** The simulator's seeded fleet is in AT (it refuses a forecast for a zone without devices). */
const ZONE = 'AT';
const OPTIMISED_RGB: [number, number, number] = [0x1f, 0x6f, 0xeb];
const UNOPTIMISED_RGB: [number, number, number] = [0x82, 0x50, 0xdf];

let consoleStack: ConsoleStack;
let test: TestStack;
let browser: Browser;
let runWorkflow: () => Promise<unknown>;
let closeWorkflow: () => void;
let deliveryDay: string;
/** The day after: another desk member decides it behind the page's back. */
let otherDay: string;

const berlinDay = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));

/** The quarter-hours of a Berlin day (92, 96 or 100), as UTC instants. */
function quarterHoursOf(day: string): string[] {
  const starts: string[] = [];
  const from = Date.parse(`${day}T00:00:00Z`) - 3 * 3_600_000;
  for (let ms = from; ms < from + 30 * 3_600_000; ms += 15 * 60_000) {
    if (berlinDay(ms) === day) starts.push(new Date(ms).toISOString());
  }
  return starts;
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return test.api(path, { ...init, admin: true });
}

async function storedDay(
  day = deliveryDay,
): Promise<{ state: string; deadlines: Record<string, string> } & Record<string, unknown>> {
  const response = await api(`/trading/day-ahead/${ZONE}/days/${day}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { state: string; deadlines: Record<string, string> };
}

async function setSimulatorClock(iso: string): Promise<void> {
  const response = await fetch(`${test.stack.simulatorUrl}/__sim/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ set: iso }),
  });
  expect(response.status).toBe(200);
}

const newPage = () => newPageIn(browser, { viewport: { width: 1280, height: 1000 } });

/** Pixels of a series colour on the chart's canvas: that line was drawn, not just the axes. */
const seriesPixels = (page: Page, rgb: [number, number, number]) =>
  pixelsOn(page.locator('figure[data-chart="trading-curves"] canvas'), rgb);

const pageUrl = (day = deliveryDay) => `${test.stack.apiUrl}/console/#/trading?zone=${ZONE}&day=${day}`;

async function putForecast(day: string): Promise<number> {
  const response = await api(`/trading/day-ahead/${ZONE}/days/${day}/prices`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      prices: quarterHoursOf(day).map((start, i) => ({
        start,
        price_eur_mwh: Math.round(80 * Math.sin(i / 8)) + 60,
      })),
    }),
  });
  return response.status;
}

function decide(day: string, accepted: boolean): Promise<Response> {
  return api(`/trading/day-ahead/${ZONE}/days/${day}/confirmation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accepted }),
  });
}

beforeAll(async () => {
  consoleStack = await startConsoleStack({
    simulator: { tradingVariant: 'guide' },
    env: { [ENV.poderoTradingVariant]: 'guide' },
  });
  ({ test, browser } = consoleStack);
  test.stack.simulator.control.seed({ users: 3, heatPumpsPerUser: 1, externalIdPrefix: 'trading-page' });
  const silent = (id: Parameters<typeof createLogger>[0]) => createLogger(id, { logLevel: testLogLevel() });
  const workflow = composeInProcess({
    environment: (id) => test.stack.world.environment(id),
    tokenRefresh: { logger: silent('tokenRefresh'), metrics: createRecordingMetrics() },
    tradingWorkflow: {
      logger: silent('tradingWorkflow'),
      metrics: createRecordingMetrics(),
      now: () => test.stack.simulator.control.now().getTime(),
    },
  });
  runWorkflow = () => workflow.tradingWorkflow({ source: 'manual' });
  closeWorkflow = () => workflow.close();
  const today = berlinDay(Date.now());
  const later = (days: number) =>
    new Date(Date.parse(`${today}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  deliveryDay = later(2);
  otherDay = later(3);
}, 240_000);

afterAll(async () => {
  closeWorkflow?.();
  await consoleStack?.close();
});

describe('the trading page in Chromium against the local stack', { timeout: 90_000 }, () => {
  it('shows a day the workflow uploaded: its state, the price line and a countdown to the curves', async () => {
    expect(await putForecast(deliveryDay)).toBe(201);
    expect(await putForecast(otherDay)).toBe(201);
    await runWorkflow();
    expect(await storedDay(deliveryDay)).toMatchObject({ state: 'uploaded', reason: null });
    expect(await storedDay(otherDay)).toMatchObject({ state: 'uploaded', reason: null });

    const page = await newPage();
    await page.goto(pageUrl());
    await page.getByRole('heading', { name: 'Day-ahead trading' }).waitFor();
    const card = page.locator(`[data-trading-day="${ZONE}/${deliveryDay}"]`);
    await card.locator('[data-state="uploaded"]').waitFor();
    await expect
      .poll(() => card.getByRole('timer').textContent(), POLL)
      .toMatch(/^Curves expected in (\d+ d )?\d\d:\d\d:\d\d$/);
    const chart = card.locator('figure[data-chart="trading-curves"]');
    // The price line alone: one value per quarter-hour.
    await expect
      .poll(() => chart.getAttribute('data-points'), POLL)
      .toBe(String(quarterHoursOf(deliveryDay).length));
    expect(await card.getByRole('button', { name: 'Confirm trade' }).count()).toBe(0);
    await card.getByText('The load curves are not ready yet.').waitFor();
    await page.context().close();
  });

  it('draws both curves once the workflow fetched them after the simulated calculation', async () => {
    const { deadlines } = await storedDay();
    await setSimulatorClock(new Date(Date.parse(deadlines.curves_expected_at ?? '') + 60_000).toISOString());
    await runWorkflow();
    expect((await storedDay()).state).toBe('curves_ready');
    // The next day's calculation is still ahead on the simulated clock.
    expect((await storedDay(otherDay)).state).toBe('uploaded');

    const page = await newPage();
    await page.goto(pageUrl());
    const card = page.locator(`[data-trading-day="${ZONE}/${deliveryDay}"]`);
    await card.locator('[data-state="curves_ready"]').waitFor();
    const chart = card.locator('figure[data-chart="trading-curves"]');
    await expect
      .poll(() => chart.getAttribute('data-points'), POLL)
      .toBe(String(3 * quarterHoursOf(deliveryDay).length));
    await chart.locator('canvas').waitFor();
    expect(await seriesPixels(page, OPTIMISED_RGB)).toBeGreaterThan(100);
    expect(await seriesPixels(page, UNOPTIMISED_RGB)).toBeGreaterThan(100);
    await expect
      .poll(() => card.getByRole('timer').textContent(), POLL)
      .toMatch(/^Confirmation deadline in (\d+ d )?\d\d:\d\d:\d\d$/);
    // The countdown ticks.
    const before = await card.getByRole('timer').textContent();
    await expect.poll(() => card.getByRole('timer').textContent(), POLL).not.toBe(before);
    expect(await card.locator('[data-figure="delta"]').textContent()).toMatch(/kWh|MWh/);
    // The simulator only shifts load (the net delta is 0): the shifted volume is what the desk bids.
    expect(await card.locator('[data-figure="shifted"]').textContent()).toMatch(
      /^(?!0\.0 )[\d.]+ (kWh|MWh)$/,
    );
    await card.getByRole('button', { name: 'Confirm trade' }).waitFor();
    await card.getByRole('button', { name: 'Reject trade' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}trading.png`, fullPage: true });
    // The accessibility scan of every page (fleet-view.browser.integ.test.ts) finds no trading day in its
    // world: the page with a day's curves, its countdown and its decision is scanned here.
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('gives a token without the admin scope the API’s 403 and no confirm button', async () => {
    const page = await newPage();
    // The local sign-in mints admin tokens only; this operator signs in with a plain user token instead.
    const userToken = await test.stack.mintToken({ sub: 'desk-viewer' });
    await page.route(
      (url) => url.pathname === '/__local/console/session',
      (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            access_token: userToken,
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        }),
    );
    const refused = page.waitForResponse((r) => r.url().includes(`/days/${deliveryDay}`));
    await page.goto(pageUrl());
    expect((await refused).status()).toBe(403);
    const card = page.locator(`[data-trading-day="${ZONE}/${deliveryDay}"]`);
    await expect
      .poll(() => card.getByRole('alert').textContent(), POLL)
      .toMatch(/^403: your sign-in may not/);
    expect(await page.getByRole('button', { name: 'Confirm trade' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject trade' }).count()).toBe(0);
    expect(await card.locator('figure').count()).toBe(0);
    await page.context().close();
  });

  it('lets an admin confirm after a check step, and shows the day confirmed once the workflow sent it', async () => {
    const page = await newPage();
    await page.goto(pageUrl());
    const card = page.locator(`[data-trading-day="${ZONE}/${deliveryDay}"]`);
    await card.getByRole('button', { name: 'Confirm trade' }).click();
    // Nothing is sent before the check step is answered.
    const check = card.getByRole('group', { name: 'Check the decision' });
    await check.getByText(/This cannot be changed afterwards/).waitFor();
    expect((await storedDay()).decision).toBeNull();
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await check.getByRole('button', { name: 'Yes, confirm' }).click();
    expect((await posted).status()).toBe(200);
    await expect.poll(() => card.getByRole('status').textContent(), POLL).toMatch(/^Accepted: recorded/);
    await card.locator('[data-decision="accepted"]').waitFor();
    expect(await card.getByRole('button', { name: 'Confirm trade' }).count()).toBe(0);

    await runWorkflow();
    const day = await storedDay();
    expect(day).toMatchObject({ state: 'confirmed', podero_confirmation: 'sent' });
    const trade = test.stack.simulator.control.trading
      .snapshot()
      .trades.find((t) => t.delivery_day === deliveryDay);
    expect(trade?.confirmation_requests).toBe(1);

    await card.getByRole('button', { name: 'Refresh' }).click();
    await card.locator('[data-state="confirmed"]').waitFor();
    await expect.poll(() => card.getByRole('timer').textContent(), POLL).toBe('No deadline ahead.');
    const row = page
      .getByRole('table', { name: 'Recent trading days' })
      .getByRole('row', { name: new RegExp(deliveryDay) });
    await expect.poll(() => row.getByRole('cell').nth(1).textContent(), POLL).toBe('Confirmed');
    await page.context().close();
  });

  it('shows the API’s refusal when the day was decided behind the page’s back', async () => {
    const { deadlines } = await storedDay(otherDay);
    await setSimulatorClock(new Date(Date.parse(deadlines.curves_expected_at ?? '') + 60_000).toISOString());
    await runWorkflow();
    expect((await storedDay(otherDay)).state).toBe('curves_ready');
    const page = await newPage();
    await page.goto(pageUrl(otherDay));
    const card = page.locator(`[data-trading-day="${ZONE}/${otherDay}"]`);
    await card.getByRole('button', { name: 'Confirm trade' }).click();
    // Another desk member rejects the trade while this page still offers to confirm it.
    expect((await decide(otherDay, false)).status).toBe(200);
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await card
      .getByRole('group', { name: 'Check the decision' })
      .getByRole('button', { name: 'Yes, confirm' })
      .click();
    expect((await posted).status()).toBe(409);
    await expect
      .poll(() => card.getByRole('alert').textContent(), POLL)
      .toBe('409 the trade was already rejected');
    expect((await storedDay(otherDay)).decision).toMatchObject({ accepted: false, by: 'desk' });
    // And the page shows the day as it now is: rejected by the desk, nothing left to decide.
    await card.locator('[data-decision="rejected"]').waitFor();
    expect(await card.getByRole('button', { name: 'Confirm trade' }).count()).toBe(0);
    await page.context().close();
  });
});
