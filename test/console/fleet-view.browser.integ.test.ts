import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRecordingReporter,
  createTokenMinter,
  type DemoResult,
  fillHistory,
  loadOrCreateSigningKey,
  rewindForHistory,
  runDemo,
} from '@podero-bridge/local';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevProcess, startDev } from '../support/dev-process';
import { startReceiver } from '../support/webhook-receiver';
import {
  axeViolations,
  DESKTOP,
  horizontalOverflow,
  launchChromium,
  newPage,
  PHONE,
  POLL,
  waitUntilLoaded,
} from './browser';

/**
 * The fleet view of the support-desk issue, in Debian's Chromium against `pnpm dev` with the demo's history
 * (`pnpm demo --history`'s path): problems that stand out and link to their lists, trends over days from
 * GET /fleet/days, the sync passes summed up, one date format in the zone the operator chose. The demo's
 * world (a mixed home with days of history, an audit trail, a webhook with deliveries) is also where every
 * console page is scanned with axe-core, at desktop width and, for a phone's pages, at 390 px. The README's
 * fleet screenshot is taken here.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const HISTORY_DAYS = 2;
/** `2026-07-12 11:04 UTC`: the console's one format. */
const UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

let dir: string;
let dev: DevProcess;
let browser: Browser;
let demo: DemoResult;
let deviceId: string;
/** The partner's receiver of the webhook the demo leaves behind it (it deletes its own). */
let receiver: Awaited<ReturnType<typeof startReceiver>>;

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
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
  // A webhook endpoint with deliveries for the webhooks page: the history's change events and a test event.
  receiver = await startReceiver();
  const admin = {
    authorization: `Bearer ${await mintToken({ admin: true })}`,
    'content-type': 'application/json',
  };
  const created = await fetch(`${dev.apiUrl}/webhooks`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ url: receiver.url, description: 'fleet view' }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await fetch(`${dev.apiUrl}/webhooks/${id}/test`, { method: 'POST', headers: admin })).status).toBe(
    202,
  );
  await fillHistory({ apiUrl: dev.apiUrl }, startedAt - HISTORY_DAYS * 86_400_000, startedAt);
  // A problem to point at: the heat pump needs its customer to sign in again.
  await post(`${dev.simulatorUrl}/__sim/heat-pumps/${deviceId}/connection`, { authenticated: false });
  await post(`${dev.apiUrl}/__local/schedules/heat-pump-sync/run`, {});
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the fleet view in Chromium', { timeout: 120_000 }, () => {
  it('marks a non-zero problem, links it to its list, and leaves the zero ones plain', async () => {
    const page = await newPage(browser);
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
    const page = await newPage(browser);
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
    const page = await newPage(browser);
    await page.goto(`${dev.apiUrl}/console/`);
    const summary = page.locator('dl.pass-summary');
    await summary.waitFor();
    await expect(summary.textContent()).resolves.toMatch(/Passes completed\d+ since/);
    expect(await page.getByRole('table', { name: 'Recent passes' }).count()).toBe(0);
  });

  it('writes every time in one format, UTC by default, and in the chosen zone after the setting', async () => {
    const page = await newPage(browser, { timezoneId: 'Europe/Berlin' });
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
});

/** A console page as the accessibility scan opens it. */
interface PageScan {
  name: string;
  /** The route, once the demo has made its customer. */
  hash: () => string;
  /** Scanned at 390 px too: a page a support agent opens on a phone (which must then not scroll sideways). */
  phone?: true;
  /** What to wait for or do, once the page's data has loaded, to bring it into the state scanned. */
  ready?: (page: Page) => Promise<void>;
  /** Signed in as this role instead of the console's default (admin): a viewer's switches are disabled. */
  role?: 'viewer';
}

const customerHash = () => `#/customers/${encodeURIComponent(demo.externalUserId)}`;

/**
 * Every route of console/src/router.ts, with the demo's data on it, once (a filter is the same page). Two are
 * scanned where their data is made instead: a device's changes in every status (change-list.browser) and a
 * trading day with its curves (trading.browser; here the page has no day). The local console signs in by
 * itself (`/__local/console/session`; OIDC in AWS leaves for the issuer's own page): there is no sign-in page
 * of the console's to scan.
 */
const PAGE_SCANS: PageScan[] = [
  {
    name: 'the overview',
    hash: () => '#/',
    phone: true,
    ready: (page) => page.locator('figure[data-chart="trend-connection"] canvas').waitFor(),
  },
  { name: 'the customers', hash: () => '#/users', phone: true },
  {
    name: 'a search',
    hash: () => '#/search?q=lovelace',
    phone: true,
    ready: (page) => page.getByRole('link', { name: demo.externalUserId }).waitFor(),
  },
  {
    name: 'a customer (every kind, timeline)',
    hash: customerHash,
    phone: true,
    ready: async (page) => {
      for (const kind of ['Heat pumps', 'Electric vehicles', 'Wallboxes', 'Solar inverters']) {
        await page.getByRole('heading', { name: kind, exact: true }).waitFor();
      }
      await page.locator('.timeline-items li').first().waitFor();
    },
  },
  {
    name: "a customer, a viewer's",
    hash: customerHash,
    role: 'viewer',
    ready: (page) => page.locator('.timeline-items li').first().waitFor(),
  },
  {
    name: 'the statement',
    hash: () => `${customerHash()}/statements`,
    ready: (page) => page.locator('[data-statement-month]').waitFor(),
  },
  {
    name: 'the audit trail',
    hash: () => '#/audit',
    phone: true,
    ready: (page) =>
      page
        .getByRole('row', { name: /createUser/ })
        .first()
        .waitFor(),
  },
  {
    name: 'the webhooks, a delivery open',
    hash: () => '#/webhooks',
    ready: async (page) => {
      const card = page.locator('article[data-webhook]').first();
      await card.locator('tr[data-outcome] button').first().click();
      await card.getByRole('button', { name: 'Resend event' }).waitFor();
    },
  },
  { name: 'the trading page', hash: () => '#/trading' },
  { name: 'an unknown route', hash: () => '#/nowhere' },
];

const SCAN_RUNS = PAGE_SCANS.flatMap((scan) => [
  { ...scan, width: 'desktop', viewport: DESKTOP },
  ...(scan.phone ? [{ ...scan, width: '390 px', viewport: PHONE }] : []),
]);

describe('every console page in Chromium', { timeout: 120_000 }, () => {
  it.for(SCAN_RUNS)('has no axe-core violation: $name at $width', async (scan) => {
    const page = await newPage(browser, {
      viewport: scan.viewport,
      ...(scan.role ? { role: scan.role } : {}),
    });
    await page.goto(`${dev.apiUrl}/console/${scan.hash()}`);
    await page.locator('main h1').first().waitFor();
    await waitUntilLoaded(page);
    await scan.ready?.(page);
    await waitUntilLoaded(page);
    expect(await axeViolations(page)).toEqual([]);
    if (scan.viewport === PHONE) expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.context().close();
  });
});
