/**
 * The customer search at 100,000 users (issue 36, ADR 0017): profiles and their search terms seeded into
 * dynalite with BatchWriteItem (what `indexUser` leaves, written directly: onboarding each through the API
 * would take hours and measure Podero, not the index), then searches counted by a middleware on the document
 * client: read requests and the read capacity they consumed, against the page they answer. A search is
 * bounded by its page when one word reads one Query of at most `limit` items, whatever the fleet's size.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseSearchQuery, UserSearchStore } from '@podero-bridge/functions';
import { tableDeclarations } from '@podero-bridge/functions/declarations';
import { seedOnboardedUsers } from '@podero-bridge/functions/testing';
import { ensureTables } from '@podero-bridge/local-aws';
import { startDynaliteProcess } from './harness/local-aws';
import { type Benchmark, figure, type Row } from './harness/report';

const USERS = Number(process.env.BENCH_SEARCH_USERS ?? 100_000);
const LIMIT = 20;
const FIRST_NAMES = ['Anna', 'Jonas', 'Søren', 'Zoë', 'Mia', 'Luca', 'Émile', 'Greta'];
const READS = new Set(['QueryCommand', 'ScanCommand', 'GetItemCommand', 'BatchGetItemCommand']);

export const searchBenchmark: Benchmark = {
  name: 'search',
  title: `Customer search among ${USERS.toLocaleString('en-GB')} users: reads per page`,
  async run({ log }) {
    const dynalite = await startDynaliteProcess();
    // dynalite accepts any signature; the client must still sign.
    const raw = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'bench-local', secretAccessKey: 'bench-local' },
    });
    const doc = DynamoDBDocumentClient.from(raw);
    const reads: string[] = [];
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (READS.has(String(context.commandName))) reads.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countReads' },
    );
    try {
      const tables = { main: 'search-main', readings: 'search-readings' };
      await ensureTables(raw, tables, tableDeclarations);
      const t0 = performance.now();
      const users = Array.from({ length: USERS }, (_, i) => ({
        externalUserId: `cust-${String(i).padStart(7, '0')}`,
        poderoUserId: `podero-${i}`,
        firstName: FIRST_NAMES[i % FIRST_NAMES.length] ?? 'Anna',
        lastName: i === USERS - 7 ? 'Kierkegård' : `Family${i}`,
      }));
      for (let i = 0; i < users.length; i += 10_000) {
        await seedOnboardedUsers(doc, tables.main, users.slice(i, i + 10_000), { withSearchTerms: true });
        log(`seeded ${Math.min(i + 10_000, users.length)} users`);
      }
      const seedSeconds = (performance.now() - t0) / 1000;
      const search = new UserSearchStore(doc, tables.main);
      const rows: Row[] = [];
      const cases: [string, string][] = [
        ['part of a rare name', 'kierkeg'],
        ['a first name shared by 1 in 8', 'soren'],
        ['the domain every user shares', 'example'],
        ['two words', 'zoe family12'],
      ];
      for (const [subject, text] of cases) {
        const query = parseSearchQuery(text);
        if (!query) throw new Error(`not a query: ${text}`);
        reads.length = 0;
        const t = performance.now();
        const page = await search.search({ query, limit: LIMIT });
        const ms = performance.now() - t;
        const bound = query.others.length === 0 ? 1 : 4;
        rows.push(
          figure(`${subject} (“${text}”)`, 'read requests', '', reads.length, {
            text: `≤ ${bound}`,
            met: reads.length <= bound,
          }),
          figure(`${subject} (“${text}”)`, 'index items read', '', page.scanned, {
            text: query.others.length === 0 ? `≤ ${LIMIT}` : '≤ 400',
            met: page.scanned <= (query.others.length === 0 ? LIMIT : 400),
          }),
          figure(`${subject} (“${text}”)`, 'read capacity', 'RCU', page.consumedReadUnits),
          figure(`${subject} (“${text}”)`, 'matches on the page', '', page.externalUserIds.length),
          figure(`${subject} (“${text}”)`, 'time (dynalite)', 'ms', ms),
        );
      }
      return {
        rows,
        notes: [
          `${USERS.toLocaleString('en-GB')} users with their terms seeded by BatchWriteItem in ${seedSeconds.toFixed(0)} s (profiles and terms as indexUser writes them).`,
          `Page limit ${LIMIT}. Reads counted by a middleware on the document client; capacity from ReturnConsumedCapacity (dynalite's accounting).`,
        ],
      };
    } finally {
      raw.destroy();
      await dynalite.close();
    }
  },
};
