import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { searchTermsOf } from '../src/domain/search-terms';
import { searchTermItem } from '../src/storage/user-search';
import { minimalUserRecord, userProfileItem } from '../src/storage/users';

export interface SeededUser {
  externalUserId: string;
  poderoUserId: string;
  firstName?: string;
  lastName?: string;
  /** Default `<externalUserId>@<emailDomain>`. */
  email?: string;
}

/**
 * Writes onboarded users straight into the main table, as a completed POST /users leaves them, for tests
 * and benchmarks that need many users without onboarding each through Podero. BatchWriteItem calls of
 * 25, a few in flight, unprocessed items retried (bounded).
 */
export async function seedOnboardedUsers(
  db: DynamoDBDocumentClient,
  tableName: string,
  users: readonly SeededUser[],
  /** `withSearchTerms`: each user's customer-search terms too, as UserSearchStore.indexUser leaves them. */
  options: { at?: string; emailDomain?: string; withSearchTerms?: boolean } = {},
): Promise<void> {
  const { at = new Date().toISOString(), emailDomain = 'example.invalid' } = options;
  const items = users.flatMap((user) => {
    const record = {
      ...minimalUserRecord({ ...user, email: user.email ?? `${user.externalUserId}@${emailDomain}`, at }),
      first_name: user.firstName ?? null,
      last_name: user.lastName ?? null,
    };
    if (!options.withSearchTerms) return [userProfileItem(record)];
    const terms = searchTermsOf(record);
    return [
      { ...userProfileItem(record), search_terms: terms.join(' ') },
      ...terms.map((term) => searchTermItem(user.externalUserId, term, terms)),
    ];
  });
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] ?? [];
      let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= 8) throw new Error(`seeding left unprocessed items in ${tableName}`);
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}
