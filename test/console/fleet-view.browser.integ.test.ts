/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Code passed to page.evaluate runs in the page, with the DOM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import {
  createRecordingReporter,
  createTokenMinter,
  type DemoResult,
  fillHistory,
  loadOrCreateSigningKey,
  rewindForHistory,
  runDemo,
} from '@podero-bridge/local';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevProcess, startDev } from '../support/dev-process';
import { launchChromium } from './browser';

/**
 * The fleet view of the support-desk issue, in Debian's Chromium against `pnpm dev` with the demo's history
 * (`pnpm demo --history`'s path): problems that stand out and link to their lists, trends over days from
 * GET /fleet/days, the sync passes summed up, one date format in the zone the operator chose, and an
 * accessibility scan (axe-core) of every console page. The README's fleet screenshot is taken here.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const HISTORY_DAYS = 2;
const POLL = { timeout: 30_000, interval: 250 };
/** `2026-07-12 11:04 UTC`: the console's one format. */
const UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

let dir: string;
let dev: DevProcess;
let browser: Browser;
let demo: DemoResult;
let deviceId: string;

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
}

async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-view-'));
  const keyFile = join(dir, 'dev-signing-key.json');
  dev = await startDev({ ...process.env, BRIDGE_DEV_KEY_FILE: keyFile });
  const mintToken = createTokenMinter(await loadOrCreateSigningKey(keyFile));
  const startedAt = Date.now();
  await rewindForHistory({ apiUrl: dev.apiUrl }, HISTORY_DAYS, startedAt);
  demo = await runDemo({
    apiUrl: dev.apiUrl,
    mintToken,
    reporter: createRecordingReporter(),
    parts: ['devices'],
  });
  deviceId = demo.heatPumps[0]?.id ?? '';
  await fillHistory({ apiUrl: dev.apiUrl }, startedAt - HISTORY_DAYS * 86_400_000, startedAt);
  // A problem to point at: the heat pump needs its customer to sign in again.
  await post(`${dev.simulatorUrl}/__sim/heat-pumps/${deviceId}/connection`, { authenticated: false });
  await post(`${dev.apiUrl}/__local/schedules/heat-pump-sync/run`, {});
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the fleet view in Chromium', { timeout: 120_000 }, () => {
  it('marks a non-zero problem, links it to its list, and leaves the zero ones plain', async () => {
    const page = await newPage();
    await page.goto(`${dev.apiUrl}/console/`);
    const connection = page.getByRole('list', { name: 'Heat pumps by connection' });
    const reauth = connection.getByRole('listitem').filter({ hasText: 'Re-authentication required' });
    await expect.poll(() => reauth.getAttribute('data-attention'), POLL).toBe('true');
    await expect(reauth.getByRole('link').textContent()).resolves.toContain('needs attention');
    const connected = connection.getByRole('listitem').filter({ hasText: /^\s*\d+\s*Connected/ });
    expect(await connected.getAttribute('data-attention')).toBeNull();
    await reauth.getByRole('link').click();
    await expect.poll(() => page.url()).toContain('#/users?connection_state=reauthentication_required');
    await page.getByRole('link', { name: demo.externalUserId }).waitFor();
  });

  it('plots the trends over days from the kept daily figures, spanning the window', async () => {
    const page = await newPage();
    await page.goto(`${dev.apiUrl}/console/`);
    await page.getByRole('heading', { name: /Trends over 30 days/ }).waitFor();
    // The history's days (and today) have a point each; stale devices are not judged yet: no values.
    const points = (chart: string) =>
      page.locator(`figure[data-chart="${chart}"]`).getAttribute('data-points').then(Number);
    await expect.poll(() => points('trend-connection'), POLL).toBeGreaterThanOrEqual(3 * HISTORY_DAYS);
    expect(await points('trend-pass-duration')).toBeGreaterThanOrEqual(2 * HISTORY_DAYS);
    expect(await points('trend-webhooks')).toBeGreaterThanOrEqual(1);
    // The chart says its zone (the axis is drawn on the canvas, so the caption says it in words).
    const trend = page.locator('figure[data-chart="trend-connection"]');
    expect(await trend.getAttribute('data-time-zone')).toBe('UTC');
    await expect(trend.locator('figcaption').textContent()).resolves.toContain('times in UTC');
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-trends.png'), fullPage: true });
  });

  it('sums the sync passes up instead of listing each', async () => {
    const page = await newPage();
    await page.goto(`${dev.apiUrl}/console/`);
    const summary = page.locator('dl.pass-summary');
    await summary.waitFor();
    await expect(summary.textContent()).resolves.toMatch(/Passes completed\d+ since/);
    expect(await page.getByRole('table', { name: 'Recent passes' }).count()).toBe(0);
  });

  it('writes every time in one format, UTC by default, and in the chosen zone after the setting', async () => {
    const page = await newPage({ timezoneId: 'Europe/Berlin' });
    await page.goto(`${dev.apiUrl}/console/#/customers/${encodeURIComponent(demo.externalUserId)}`);
    const onboarded = page.locator('dt:text-is("Onboarded") + dd');
    await expect.poll(() => onboarded.textContent(), POLL).toMatch(UTC_TIME);
    await page.getByLabel('Times in').selectOption('browser');
    await expect.poll(() => onboarded.textContent(), POLL).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} CES?T$/);
    // Kept across a reload.
    await page.reload();
    await expect.poll(() => onboarded.textContent(), POLL).toMatch(/CES?T$/);
    const power = page.locator('figure[data-chart="power"]').first();
    await expect.poll(() => power.getAttribute('data-time-zone'), POLL).toBe('Europe/Berlin');
  });

  it('passes an accessibility scan (axe-core, serious and critical) on every console page', async () => {
    const routes = {
      overview: '#/',
      users: '#/users',
      'users filtered': '#/users?connection_state=reauthentication_required',
      search: `#/search?q=${encodeURIComponent('nobody@example.com')}`,
      customer: `#/customers/${encodeURIComponent(demo.externalUserId)}`,
      statement: `#/customers/${encodeURIComponent(demo.externalUserId)}/statements`,
      webhooks: '#/webhooks',
      trading: '#/trading',
      'not found': '#/nowhere',
    };
    const found: string[] = [];
    for (const [name, hash] of Object.entries(routes)) {
      const page = await newPage();
      await page.goto(`${dev.apiUrl}/console/${hash}`);
      await page.locator('main h1').first().waitFor();
      // Let the page's data arrive: nothing left loading.
      await expect.poll(() => page.locator('[aria-busy="true"]').count(), POLL).toBe(0);
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
      for (const v of result.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          found.push(
            `${name}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
        }
      }
      await page.context().close();
    }
    expect(found).toEqual([]);
  });
});
