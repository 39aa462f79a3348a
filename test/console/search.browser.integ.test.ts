/// <reference lib="dom" />
import { fileURLToPath } from 'node:url';
import { seedOnboardedUsers } from '@podero-bridge/functions/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/local-stack';
import { type ConsoleStack, newPage as newPageIn, POLL, startConsoleStack } from './browser';

/**
 * Issue 36's customer search in Debian's Chromium against the local stack: among 600 stored customers,
 * typing part of a name (no Enter, accents left out) lists the customer after a pause, with one request per
 * pause; the customer page shows the Podero ids with a copy button.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));

let consoleStack: ConsoleStack;
let test: TestStack;
let browser: Browser;
let customer: { external_user_id: string; podero_user_id: string };

const newPage = () => newPageIn(browser, { clipboardOrigin: test.stack.apiUrl });

beforeAll(async () => {
  consoleStack = await startConsoleStack();
  ({ test, browser } = consoleStack);
  // 600 customers the search must not read: half of them share the customer's first name.
  await seedOnboardedUsers(
    test.db,
    test.stack.tableNames.main,
    Array.from({ length: 600 }, (_, i) => ({
      externalUserId: `bulk-${String(i).padStart(4, '0')}`,
      poderoUserId: `podero-bulk-${i}`,
      firstName: i % 2 === 0 ? 'Søren' : 'Maja',
      lastName: `Hansen${i}`,
    })),
    { withSearchTerms: true },
  );
  const created = await test.api('/users', {
    method: 'POST',
    admin: true,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_user_id: 'crm-7781',
      email: 'soren.kierkegaard@example.com',
      first_name: 'Søren',
      last_name: 'Kierkegård',
    }),
  });
  expect(created.status).toBe(201);
  customer = (await created.json()) as typeof customer;
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

describe('customer search in Chromium against the local stack', { timeout: 120_000 }, () => {
  it('lists a customer as the operator types part of its name, asking once per pause, reading one page', async () => {
    const page = await newPage();
    const asked: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/users' && url.searchParams.has('q')) asked.push(url);
    });
    await page.goto(`${test.stack.apiUrl}/console/#/users`);
    const box = page.getByLabel('Search customers');
    await box.waitFor();

    // Act: typed key by key (in one go, so no pause falls between keys however loaded the host), without
    // accents and in capitals.
    await box.evaluate((input: HTMLInputElement) => {
      for (const length of [1, 2, 3, 4, 5, 6, 7, 8]) {
        input.value = 'KIERKEGA'.slice(0, length);
        input.dispatchEvent(new InputEvent('input', { bubbles: true }));
      }
    });

    // Assess
    const link = page.getByRole('link', { name: customer.external_user_id, exact: true });
    await link.waitFor();
    const status = page.locator('#customer-search-status').getByRole('status');
    // Two entries: the name's `kierkegard` and the e-mail's `kierkegaard`, both the one customer's.
    await expect
      .poll(() => status.textContent(), POLL)
      .toMatch(/^1 customer shown for “KIERKEGA” \(2 index entries read\)$/);
    expect(asked.map((url) => url.searchParams.get('q'))).toEqual(['KIERKEGA']);
    await page.screenshot({ path: `${SCREENSHOTS}search.png`, fullPage: true });

    // A shared first name: one page of 20 of the 301 Sørens, and more on request.
    await box.fill('soren');
    await expect
      .poll(() => status.textContent(), POLL)
      .toMatch(/^20 customers shown for “soren” \(20 index entries read\)$/);
    await page.getByRole('button', { name: 'More results' }).click();
    await expect
      .poll(() => status.textContent(), POLL)
      .toMatch(/^40 customers shown for “soren” \(40 index entries read\)$/);
    await page.context().close();
  });

  it('shows the Podero ids on the customer page, each copied by its button', async () => {
    const page = await newPage();
    await page.goto(`${test.stack.apiUrl}/console/#/search?q=${encodeURIComponent('søren kierk')}`);
    await page.getByRole('link', { name: customer.external_user_id, exact: true }).click();
    const card = page.getByRole('article', { name: 'Podero ids' });
    await card.getByText(customer.podero_user_id, { exact: true }).waitFor();

    await card.getByRole('button', { name: 'Copy Podero user id' }).click();

    await card.getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(customer.podero_user_id);
    await page.context().close();
  });
});
