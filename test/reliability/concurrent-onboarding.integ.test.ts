import type { LocalStack } from '@podero-bridge/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack';
import { rawRequest } from '../support/raw-http';
import { scanTable } from '../support/tables';

/**
 * Concurrent onboarding through the whole local stack: 20 POST /users for the same external id at
 * once, with Podero slowed down so that the requests really overlap. Exactly one Podero user and one
 * record must come out of it, and every caller gets that same user.
 */
const CREATE_USER = 'POST /api/partners/v2.0/org/{org_id}/users';

let stack: LocalStack;
let testStack: TestStack;
let db: TestStack['db'];

beforeAll(async () => {
  testStack = await startTestStack();
  ({ stack, db } = testStack);
});
afterAll(async () => {
  await testStack?.close();
});

const created = () =>
  Object.entries(stack.simulator.control.counters().requests[CREATE_USER] ?? {})
    .filter(([status]) => status.startsWith('2'))
    .reduce((n, [, count]) => n + count, 0);

async function postUsersAtOnce(externalUserId: string, count: number) {
  // Half admin tokens, half the end user's own token: both may onboard this user.
  const tokens = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      i % 2 === 0 ? stack.mintToken({ admin: true }) : stack.mintToken({ sub: externalUserId }),
    ),
  );
  const body = JSON.stringify({ external_user_id: externalUserId, email: `${externalUserId}@example.com` });
  return Promise.all(
    tokens.map((token) =>
      rawRequest(stack.apiUrl, {
        method: 'POST',
        path: '/users',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      }),
    ),
  );
}

describe('concurrent POST /users for one external id', () => {
  it.each([
    ['with Podero at full speed', []],
    ['with Podero answering slowly', [{ route: CREATE_USER, latency_ms: 150 }]],
  ] as const)(
    '20 at once %s -> one Podero user, one record, the same user for all',
    async (_label, faults) => {
      const externalUserId = `race-${faults.length}`;
      const createdBefore = created();
      stack.simulator.control.setFaults([...faults]);
      const responses = await postUsersAtOnce(externalUserId, 20);
      stack.simulator.control.clearFaults();

      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1); // the one that onboarded
      expect(statuses.filter((s) => s === 200)).toHaveLength(19); // the others got the same user
      const ids = new Set(responses.map((r) => (r.json as { podero_user_id?: string }).podero_user_id));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);

      expect(created() - createdBefore).toBe(1);
      const items = (await scanTable(db, stack.tableNames.main)).filter(
        // The profile, beside its customer-search terms (ADR 0017), each of which is written once, and the
        // timeline's copy of its user.onboarded event, which the relay writes whenever its poll comes round.
        (item) =>
          item.pk === `USER#${externalUserId}` &&
          !String(item.sk).startsWith('TERM#') &&
          !String(item.sk).startsWith('TIMELINE#'), // storage/event-history.ts
      );
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ sk: 'PROFILE', status: 'active', podero_user_id: [...ids][0] });
    },
  );
});
