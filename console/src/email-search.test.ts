import { describe, expect, it } from 'vitest';
import type { Schemas } from './api/client';
import { type EmailSearch, searchByEmail } from './email-search';

const customer = (id: string): Schemas['UserListItem'] => ({
  external_user_id: id,
  email: 'ada@example.com',
  first_name: null,
  last_name: null,
  heat_pumps: 0,
  connection: { connected: 0, reauthentication_required: 0, disconnected: 0 },
  optimization: { on: 0, off: 0, unknown: 0 },
  sync_failure: null,
  devices: {
    heat_pump: { count: 0, connection: { connected: 0, reauthentication_required: 0, disconnected: 0 } },
    electric_vehicle: {
      count: 0,
      connection: { connected: 0, reauthentication_required: 0, disconnected: 0 },
    },
    wallbox: { count: 0, connection: { connected: 0, reauthentication_required: 0, disconnected: 0 } },
    inverter: { count: 0, connection: { connected: 0, reauthentication_required: 0, disconnected: 0 } },
  },
  health: { stale: 0, steering_error: 0, not_steerable: 0 },
});

/** The API over a fleet of `pages` pages of 500 users, the match on page `matchOn`: what it answers per cursor. */
function fakeApi(pages: number, matchOn: number) {
  const asked: (string | undefined)[] = [];
  const fetchPage = async (cursor: string | undefined): Promise<Schemas['UserList']> => {
    asked.push(cursor);
    const page = cursor === undefined ? 0 : Number(cursor.replace('page-', ''));
    return {
      items: page === matchOn ? [customer('ada')] : [],
      next_cursor: page + 1 < pages ? `page-${page + 1}` : null,
      scanned: 500,
    };
  };
  return { asked, fetchPage };
}

describe('e-mail search', () => {
  it('follows next_cursor past pages without a match and finds the customer on a later page', async () => {
    // Prepare
    const api = fakeApi(3, 2);
    const shown: EmailSearch[] = [];

    // Act
    const result = await searchByEmail(api.fetchPage, (s) => shown.push(s));

    // Assess
    expect(api.asked).toEqual([undefined, 'page-1', 'page-2']);
    expect(result).toEqual({ items: [customer('ada')], scanned: 1500, nextCursor: null, searching: false });
    expect(shown.map((s) => [s.scanned, s.items.length, s.searching])).toEqual([
      [0, 0, true],
      [500, 0, true],
      [1000, 0, true],
    ]);
  });

  it('stops at its page bound with the cursor to go on from, and continues from there', async () => {
    const api = fakeApi(5, 3);
    const first = await searchByEmail(api.fetchPage, () => {}, undefined, 2);
    expect(first).toEqual({ items: [], scanned: 1000, nextCursor: 'page-2', searching: false });

    const shown: EmailSearch[] = [];
    const rest = await searchByEmail(api.fetchPage, (s) => shown.push(s), first, 2);
    expect(shown[0]).toEqual({ ...first, searching: true });
    expect(rest).toEqual({ items: [customer('ada')], scanned: 2000, nextCursor: 'page-4', searching: false });
    expect(api.asked).toEqual([undefined, 'page-1', 'page-2', 'page-3']);
  });

  it('lets a failing page fail the search rather than report no match', async () => {
    const failing = async (): Promise<Schemas['UserList']> => {
      throw new Error('503 Service Unavailable');
    };
    await expect(searchByEmail(failing, () => {})).rejects.toThrow('503');
  });
});
