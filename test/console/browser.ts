/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Code passed to page.evaluate runs in the page, with the DOM.
import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { consoleBuildAt, ensureConsoleBuilt, type LocalStackOptions, REPO_ROOT } from '@podero-bridge/local';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack';

/**
 * What the console's browser tests share: Debian's Chromium, a page per test, the local stack with the console
 * built, waiting for a page's data, and the checks every page must pass (axe-core, no horizontal overflow,
 * every control labelled).
 *
 * Debian's Chromium (`apt-get install chromium`; `pnpm test` installs it when missing), driven by
 * playwright-core: no browser download, which this machine's closed network would refuse anyway.
 */
export const CHROMIUM_PATH = process.env.BRIDGE_CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps dialling Google's hosts, refused here many at a time.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: run the tests with pnpm test (it installs Debian's chromium), or apt-get install chromium`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/** expect.poll's own default (1 s) is shorter than a loaded host needs for a page's next answer. */
export const POLL = { timeout: 30_000, interval: 250 };

export const DESKTOP = { width: 1280, height: 900 } as const;
/** A phone's width (an iPhone 12 to 15): the pages a support agent opens away from a desk must fit it. */
export const PHONE = { width: 390, height: 844 } as const;

/** Where the local console keeps the role to sign in as (console/src/auth/session.ts, DEV_ROLE_KEY). */
const DEV_ROLE_KEY = 'podero-console.dev-role';

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** The role the local console session signs in as; the console's default (admin) when absent. */
  role?: 'viewer' | 'support' | 'admin';
  timezoneId?: string;
  /** An origin whose pages may read and write the clipboard. */
  clipboardOrigin?: string;
}

/** A page in a context of its own (no storage shared with other tests); a page error fails the test. */
export async function newPage(browser: Browser, options: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    deviceScaleFactor: 1,
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  if (options.clipboardOrigin) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: options.clipboardOrigin,
    });
  }
  const role = options.role;
  if (role) {
    await context.addInitScript(({ key, value }) => sessionStorage.setItem(key, value), {
      key: DEV_ROLE_KEY,
      value: role,
    });
  }
  const page = await context.newPage();
  // Shorter than every test's own timeout, so a wait that fails names its locator.
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

/** Waits until the page has its data: no "Loading…" line and nothing marked busy. */
export async function waitUntilLoaded(page: Page): Promise<void> {
  await expect
    .poll(
      async () =>
        (await page.getByText('Loading…').count()) + (await page.locator('[aria-busy="true"]').count()),
      POLL,
    )
    .toBe(0);
}

/**
 * The rules the scan leaves out, each with its reason. Every other rule of WCAG 2.0, 2.1 and 2.2 (A and AA) and
 * axe's best practices applies, at every impact.
 */
export const AXE_RULES_LEFT_OUT: Record<string, string> = {};

/** axe-core's violations on the page as it is now, one line each (`rule (impact) on selectors`). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .disableRules(Object.keys(AXE_RULES_LEFT_OUT))
    .analyze();
  return result.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'no impact'}: ${v.help}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** How far the page is wider than the window: 0 or less when nothing scrolls sideways. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The inputs, buttons and selects with no name a screen reader could say. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, button, select')]
      .filter((el) => {
        const input = el as HTMLInputElement;
        const named =
          (input.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || el.textContent?.trim();
        return !named;
      })
      .map((el) => el.outerHTML),
  );
}

/** Pixels of the series colour on a chart's canvas: a line or points were drawn, not just axes and grid. */
export async function seriesPixels(canvas: Locator, rgb: readonly [number, number, number]): Promise<number> {
  return canvas.evaluate((element, [r, g, b]) => {
    const c = element as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const near =
        Math.abs((data[i] ?? 0) - r) + Math.abs((data[i + 1] ?? 0) - g) + Math.abs((data[i + 2] ?? 0) - b);
      if (near < 30 && (data[i + 3] ?? 0) > 200) count++;
    }
    return count;
  }, rgb);
}

export interface ConsoleStack {
  test: TestStack;
  browser: Browser;
  close(): Promise<void>;
}

/** The local stack in this process serving the console (built when its sources changed), and one Chromium. */
export async function startConsoleStack(options: LocalStackOptions = {}): Promise<ConsoleStack> {
  const build = consoleBuildAt(REPO_ROOT);
  await ensureConsoleBuilt(build, () => {});
  const test = await startTestStack({ consoleDir: build.dist, ...options });
  const browser = await launchChromium();
  return {
    test,
    browser,
    async close() {
      await browser.close();
      await test.close();
    },
  };
}
