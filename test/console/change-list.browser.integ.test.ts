/// <reference lib="dom" />
// Code passed to page.evaluate runs in the page, with the DOM.
import AxeBuilder from '@axe-core/playwright';
import { consoleBuildAt, ensureConsoleBuilt, REPO_ROOT } from '@podero-bridge/local';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectDevice, onboardUser } from '../support/flows';
import { startTestStack, type TestStack } from '../support/local-stack';
import { launchChromium } from './browser';

/**
 * A device's tracked changes in Debian's Chromium against the local stack on the simulated clock: changes made
 * through the API end in each status (failed by the simulator ignoring the write, confirmed, superseded,
 * pending), and a viewer opens the list from the device card's latest change, for a heat pump and a wallbox
 * (one page for every kind). The page passes axe-core and fits 390 px. Its screenshot is the README's.
 */
const USER = 'change-list-1';
const SCREENSHOTS = new URL('../../docs/console/', import.meta.url).pathname;
/** The heat pump's declared change timeout (heatPumpKind.changeTimeoutSeconds: 30 minutes). */
const HEAT_PUMP_CHANGE_TIMEOUT_SECONDS = 1800;

let t: TestStack;
let browser: Browser;
let admin: string;
let heatPumpId: string;
let wallboxId: string;
const changeIds: Record<'failed' | 'confirmed' | 'superseded' | 'pending' | 'wallbox', string> = {
  failed: '',
  confirmed: '',
  superseded: '',
  pending: '',
  wallbox: '',
};

async function patch(path: string, body: unknown): Promise<string> {
  const answer = await apiCall(t.stack.apiUrl, admin, 'PATCH', path, body);
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as { change: { id: string } }).change.id;
}

async function pass(): Promise<void> {
  const run = await t.stack.runSchedule('heat-pump-sync');
  expect(run.ok, JSON.stringify(run)).toBe(true);
}

async function writeFault(deviceId: string, method: 'PUT' | 'DELETE'): Promise<void> {
  const response = await fetch(`${t.stack.simulator.baseUrl}/__sim/devices/${deviceId}/write-fault`, {
    method,
    ...(method === 'PUT'
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'ignore' }) }
      : {}),
  });
  expect(response.ok, await response.text()).toBe(true);
}

beforeAll(async () => {
  const build = consoleBuildAt(REPO_ROOT);
  await ensureConsoleBuilt(build, () => {});
  t = await startTestStack({
    consoleDir: build.dist,
    simulator: { startTime: new Date('2026-06-01T08:00:00.000Z') },
  });
  admin = await t.stack.mintToken({ admin: true });
  await onboardUser(t.stack.apiUrl, admin, USER);
  heatPumpId = (await connectDevice(t.stack.apiUrl, admin, USER, 'hp')).deviceId;
  wallboxId = (await connectDevice(t.stack.apiUrl, admin, USER, 'wb')).deviceId;
  await pass();
  const heatPump = `/users/${USER}/heat-pumps/${heatPumpId}`;

  // A write the heat pump accepts and never applies: failed at the first pass after its deadline.
  await writeFault(heatPumpId, 'PUT');
  changeIds.failed = await patch(heatPump, { optimization_level: 'Max' });
  t.stack.simulator.control.advanceClock(HEAT_PUMP_CHANGE_TIMEOUT_SECONDS + 60);
  await pass();
  // The same write applied: confirmed at the next pass.
  await writeFault(heatPumpId, 'DELETE');
  changeIds.confirmed = await patch(heatPump, { optimization_level: 'Max' });
  t.stack.simulator.control.advanceClock(300);
  await pass();
  // A second change to the same field before the first settled supersedes it; the second stays pending. The
  // device ignores both: the second write's own live read would otherwise see the first applied, and confirm it.
  await writeFault(heatPumpId, 'PUT');
  changeIds.superseded = await patch(heatPump, { optimization_level: 'Low', minimum_temperature_limit: 17 });
  // The local clock stands still between advances, and a change id sorts by its millisecond only (a random
  // tail breaks ties): a second apart, "newest first" has one answer.
  t.stack.simulator.control.advanceClock(1);
  changeIds.pending = await patch(heatPump, { optimization_level: 'Mid' });
  changeIds.wallbox = await patch(`/users/${USER}/wallboxes/${wallboxId}`, {
    is_smart_optimization_active: false,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function viewerPage(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  // A read: the least role sees it.
  await context.addInitScript(() => sessionStorage.setItem('podero-console.dev-role', 'viewer'));
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

/** Each listed change's id and status, in the page's order. */
const listed = (page: Page) =>
  page
    .locator('li.change')
    .evaluateAll((items) =>
      items.map((li) => [li.getAttribute('data-change'), li.getAttribute('data-status')]),
    );

describe("a device's change list in Chromium against the local stack", { timeout: 180_000 }, () => {
  it("opens from the heat pump card's latest change and lists every change newest first, with status and reason", async () => {
    const page = await viewerPage(1280);
    await page.goto(`${t.stack.apiUrl}/console/#/customers/${USER}`);
    const latest = page.locator(`[data-heat-pump="${heatPumpId}"] [data-latest-change]`);
    await latest.waitFor();
    expect(await latest.getAttribute('data-latest-change')).toBe(changeIds.pending);
    expect(await latest.textContent()).toContain('Optimisation level: Mid');
    await latest.getByRole('link', { name: /All changes/ }).click();
    await expect.poll(() => page.url()).toContain(`#/customers/${USER}/heat-pumps/${heatPumpId}/changes`);
    await page.getByRole('heading', { name: 'Changes to a heat pump' }).waitFor();
    await page.locator('li.change').first().waitFor();

    expect(await listed(page)).toEqual([
      [changeIds.pending, 'pending'],
      [changeIds.superseded, 'superseded'],
      [changeIds.confirmed, 'confirmed'],
      [changeIds.failed, 'failed'],
    ]);
    const entry = (id: string) => page.locator(`li.change[data-change="${id}"]`);
    expect(await entry(changeIds.failed).locator('[data-change-status]').textContent()).toBe('Failed');
    expect(await entry(changeIds.failed).locator('[data-change-why]').textContent()).toMatch(
      /^The device did not show it by its deadline, 2026-06-01 \d{2}:\d{2} UTC\.$/,
    );
    expect(await entry(changeIds.superseded).locator('[data-change-why]').textContent()).toContain(
      changeIds.pending,
    );
    const superseded = (await entry(changeIds.superseded).textContent()) ?? '';
    expect(superseded).toContain('Optimisation level: Low');
    expect(superseded).toContain('Minimum temperature limit: 17');
    // Requested and settled in the console's format and zone; the confirmed one settled at its pass.
    const confirmed = (await entry(changeIds.confirmed).textContent()) ?? '';
    expect(confirmed.match(/2026-06-01 \d{2}:\d{2} UTC/g)?.length).toBeGreaterThanOrEqual(2);
    expect(await entry(changeIds.pending).textContent()).toContain('not yet');

    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    const serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}device-changes.png`, fullPage: true });
    await page.context().close();
  });

  it("opens a wallbox's list the same way, and fits 390 px wide", async () => {
    const page = await viewerPage(390);
    await page.goto(`${t.stack.apiUrl}/console/#/customers/${USER}`);
    const latest = page.locator(`[data-device="${wallboxId}"] [data-latest-change]`);
    await latest.waitFor();
    await latest.getByRole('link', { name: /All changes/ }).click();
    await expect.poll(() => page.url()).toContain(`/wallboxes/${wallboxId}/changes`);
    await page.getByRole('heading', { name: 'Changes to a wallbox' }).waitFor();
    await page.locator('li.change').first().waitFor();
    expect(await listed(page)).toEqual([[changeIds.wallbox, 'pending']]);
    expect(await page.locator('li.change').textContent()).toContain('Smart optimisation: no');

    // The heat pump's list, with its longer fields and reasons, fits too.
    await page.goto(`${t.stack.apiUrl}/console/#/customers/${USER}/heat-pumps/${heatPumpId}/changes`);
    await expect.poll(() => page.locator('li.change').count()).toBe(4);
    await expect.poll(() => page.getByText('Loading…').count()).toBe(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });
});
