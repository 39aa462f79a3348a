/** The customer search's index on dynalite over the real SDK: writes, erasure, pages and what a search reads. */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { tableDeclarations } from '../declarations';
import { parseSearchQuery, type SearchQuery } from '../domain/search-terms';
import { SEARCH_TERM_SK_PREFIX, type SearchPosition, UserSearchStore } from './user-search';
import { minimalUserRecord, UserStore, userPk } from './users';

let dynalite: LocalEndpoint;
let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCounter = 0;
/** Every command the document client sent, by name (the benchmark's way of counting round trips). */
const sent: { name: string; input: Record<string, unknown> }[] = [];

beforeAll(async () => {
  dynalite = await startDynalite();
  raw = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  doc = DynamoDBDocumentClient.from(raw);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ name: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
});
afterAll(async () => {
  raw?.destroy();
  await dynalite?.close();
});

async function freshTable(): Promise<{ users: UserStore; search: UserSearchStore; table: string }> {
  tableCounter += 1;
  const tables = { main: `search-main-${tableCounter}`, readings: `search-readings-${tableCounter}` };
  await ensureTables(raw, tables, tableDeclarations);
  return {
    users: new UserStore(doc, tables.main),
    search: new UserSearchStore(doc, tables.main),
    table: tables.main,
  };
}

const at = '2026-07-01T00:00:00.000Z';
function person(id: string, first: string | null, last: string | null, email = `${id}@example.org`) {
  return {
    ...minimalUserRecord({ externalUserId: id, poderoUserId: `podero-${id}`, email, at }),
    first_name: first,
    last_name: last,
  };
}

async function onboard(users: UserStore, search: UserSearchStore, user: ReturnType<typeof person>) {
  expect(await users.acquireCreationLease(user.external_user_id, 'lease', 0, 60_000)).toBe(true);
  expect(await users.completeCreation(user, 'lease')).toBe(true);
  expect(await search.indexUser(user.external_user_id)).toBe(true);
}

const query = (text: string): SearchQuery => {
  const parsed = parseSearchQuery(text);
  if (!parsed) throw new Error(`not a query: ${text}`);
  return parsed;
};

/** Every match of a query, page by page. */
async function everyMatch(search: UserSearchStore, text: string, limit = 50): Promise<string[][]> {
  const pages: string[][] = [];
  let after: SearchPosition | undefined;
  do {
    const page = await search.search({ query: query(text), limit, ...(after ? { after } : {}) });
    pages.push(page.externalUserIds);
    after = page.next;
  } while (after && pages.length < 100);
  return pages;
}

async function termItemsOf(table: string, id: string) {
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :term)',
      ExpressionAttributeValues: { ':pk': userPk(id), ':term': SEARCH_TERM_SK_PREFIX },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((item) => String(item.sk).slice(SEARCH_TERM_SK_PREFIX.length)).sort();
}

describe('UserSearchStore', () => {
  it('finds a customer by part of a name, an address or an id, in any case and without accents', async () => {
    const { users, search } = await freshTable();
    await onboard(users, search, person('cust-1042', 'Zoë', 'Müller-Groß', 'zoe.mueller@stadtwerk.example'));
    await onboard(users, search, person('cust-2077', 'Bernd', 'Schmidt'));

    for (const text of ['mul', 'MÜLLER', 'gross', 'zo', 'zoe.mu', 'stadtw', '1042', 'CUST-10', 'Zoë Mü'])
      expect((await everyMatch(search, text)).flat(), text).toEqual(['cust-1042']);
    expect((await everyMatch(search, 'cust')).flat().sort()).toEqual(['cust-1042', 'cust-2077']);
    expect((await everyMatch(search, 'zoe schmidt')).flat()).toEqual([]);
  });

  it('follows a name change: the new name finds the customer, the old one no longer, its terms gone', async () => {
    const { users, search, table } = await freshTable();
    await onboard(users, search, person('u-1', 'Anna', 'Weber'));
    expect(await termItemsOf(table, 'u-1')).toContain('weber');

    expect(await users.replace({ ...person('u-1', 'Anna', 'Lindqvist'), updated_at: at })).toBe(true);
    expect(await search.indexUser('u-1')).toBe(true);

    expect((await everyMatch(search, 'lindq')).flat()).toEqual(['u-1']);
    expect((await everyMatch(search, 'weber')).flat()).toEqual([]);
    expect(await termItemsOf(table, 'u-1')).not.toContain('weber');
  });

  it('writes nothing for a user that is absent, still being created or being offboarded', async () => {
    const { users, search, table } = await freshTable();
    expect(await search.indexUser('nobody')).toBe(false);
    expect(await users.acquireCreationLease('creating', 'lease', 0, 60_000)).toBe(true);
    expect(await search.indexUser('creating')).toBe(false);
    await onboard(users, search, person('leaving', 'Lea', 'Vogel'));
    expect(await users.beginOffboarding('leaving')).toBe(true);
    sent.length = 0;

    expect(await search.indexUser('leaving')).toBe(false);

    expect(sent.map((c) => c.name)).toEqual(['GetItemCommand']);
    expect(await termItemsOf(table, 'creating')).toEqual([]);
  });

  it("removes the customer's terms with its partition when it is offboarded (they are personal data)", async () => {
    const { users, search, table } = await freshTable();
    await onboard(users, search, person('gone', 'Greta', 'Nilsson'));
    expect((await termItemsOf(table, 'gone')).length).toBeGreaterThan(3);

    expect(await users.beginOffboarding('gone')).toBe(true);
    await users.deleteAll('gone');

    expect(await termItemsOf(table, 'gone')).toEqual([]);
    expect((await everyMatch(search, 'nilss')).flat()).toEqual([]);
  });

  it('pages through every match with the cursor, each customer once', async () => {
    const { users, search } = await freshTable();
    const ids = Array.from({ length: 7 }, (_, i) => `m-${i}`);
    for (const id of ids) await onboard(users, search, person(id, 'Jo', `Meyer${id.slice(2)}`));

    const pages = await everyMatch(search, 'meyer', 3);

    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat().sort()).toEqual(ids);
  });

  it('with several words looks up the longest and keeps only the matches of every word', async () => {
    const { users, search } = await freshTable();
    await onboard(users, search, person('a', 'Anna', 'Schmidt'));
    await onboard(users, search, person('b', 'Anna', 'Meier'));
    await onboard(users, search, person('c', 'Jonas', 'Schmidt'));
    sent.length = 0;

    expect((await everyMatch(search, 'schmidt an')).flat()).toEqual(['a']);

    const [lookup] = sent.filter((c) => c.name === 'QueryCommand').map((c) => c.input);
    expect(lookup?.ExpressionAttributeValues).toMatchObject({ ':key': 'schmidt', ':w0': ' an' });
  });

  it('fills a multi-word page from past many matches of the key word alone, reading bounded rounds', async () => {
    const { search, table } = await freshTable();
    const namesakes = Array.from({ length: 150 }, (_, i) => ({
      externalUserId: `s-${String(i).padStart(3, '0')}`,
      poderoUserId: `p-${i}`,
      firstName: 'Jonas',
      lastName: 'Schmidt',
    }));
    await seedOnboardedUsers(
      doc,
      table,
      [
        ...namesakes,
        { externalUserId: 'z-anna', poderoUserId: 'p-a', firstName: 'Anna', lastName: 'Schmidt' },
      ],
      { at, withSearchTerms: true },
    );
    sent.length = 0;

    const page = await search.search({ query: query('anna schmidt'), limit: 20 });

    expect(page.externalUserIds).toEqual(['z-anna']);
    expect(sent.filter((c) => c.name === 'QueryCommand').length).toBe(2);
    expect(page.scanned).toBe(151);
  }, 60_000);

  it('indexes the users from before the search once (the backfill), and none again', async () => {
    const { search } = await freshTable();
    await seedOnboardedUsers(
      doc,
      `search-main-${tableCounter}`,
      [
        { externalUserId: 'old-1', poderoUserId: 'p1', firstName: 'Ida', lastName: 'Öberg' },
        { externalUserId: 'old-2', poderoUserId: 'p2', firstName: 'Ivo', lastName: 'Berg' },
      ],
      { at },
    );
    expect((await everyMatch(search, 'oberg')).flat()).toEqual([]);

    expect(await search.backfill()).toEqual({ walked: 2, indexed: 2 });
    expect(await search.backfill()).toEqual({ walked: 2, indexed: 0 });

    expect((await everyMatch(search, 'oberg')).flat()).toEqual(['old-1']);
  });

  it('reads one page of index items and no more, among 5,000 users who all match (one bucket)', async () => {
    const { search, table } = await freshTable();
    const fleet = Array.from({ length: 5_000 }, (_, i) => ({
      externalUserId: `fleet-${String(i).padStart(5, '0')}`,
      poderoUserId: `p-${i}`,
      firstName: i % 2 === 0 ? 'Kai' : 'Kim',
      lastName: `Example${i}`,
    }));
    // The domain term `example.invalid` is every user's: the worst bucket there is.
    await seedOnboardedUsers(doc, table, fleet, { at, withSearchTerms: true });
    sent.length = 0;

    const page = await search.search({ query: query('exam'), limit: 20 });

    const reads = sent.filter((c) =>
      ['QueryCommand', 'ScanCommand', 'GetItemCommand', 'BatchGetItemCommand'].includes(c.name),
    );
    expect(reads.map((c) => c.name)).toEqual(['QueryCommand']);
    expect(page.externalUserIds).toHaveLength(20);
    expect(page.scanned).toBe(20);
    // 20 small items, eventually consistent: well under one read unit each.
    expect(page.consumedReadUnits).toBeGreaterThan(0);
    expect(page.consumedReadUnits).toBeLessThanOrEqual(20);
    expect(page.next).toBeDefined();
    console.info(
      `search among 5,000 users: ${reads.length} read request, ${page.scanned} items, ${page.consumedReadUnits} RCU`,
    );
  }, 120_000);
});
