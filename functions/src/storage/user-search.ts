/**
 * The customer search's index (ADR 0017) in the main table, on gsi1:
 *
 *   term  pk `USER#<external_user_id>`  sk `TERM#<term>`  gsi1pk `SEARCH#<first two characters>`
 *         gsi1sk `<term>#<external_user_id>`  search_text ` <every term of the user>`
 *   profile (users.ts) `search_terms`: the terms last written, space-separated (a string: a condition
 *           compares it whole), what the next write replaces
 *
 * A prefix is one Query on a bucket with `begins_with(gsi1sk, :word)`, `Limit` a page: it reads the
 * matching items only, whatever the fleet's size. The terms live under the user's partition, so the
 * offboarding's sweep (UserStore.deleteAll) removes them with the rest; DynamoDB's own transactions are
 * not used (dynalite has none), the writes are ordered as erasure requires instead (indexUser).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type SearchQuery, searchBucketOf, searchTermsOf, searchTextOf } from '../domain/search-terms';
import { batchWrite, type PendingWrite } from './batch-write';
import { sendIfCondition } from './conditional';
import { USER_PROFILE_SK, USERS_GSI, USERS_GSI_PK, userPk } from './users';

export const SEARCH_TERM_SK_PREFIX = 'TERM#';
const SEARCH_GSI_PK_PREFIX = 'SEARCH#';
/** Index items a multi-word search reads per round: its filter keeps only some of them. */
const FILTERED_ROUND_ITEMS = 100;
/** Rounds of indexUser against concurrent updates of the same user before it gives up. */
const INDEX_ATTEMPTS = 5;

const profileSchema = z.looseObject({
  status: z.string(),
  external_user_id: z.string(),
  podero_user_id: z.string(),
  email: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  search_terms: z.string().optional(),
});

const hitSchema = z.object({ external_user_id: z.string() });
const searchKeySchema = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

/** Where a search page ended: the last index item read (its term and user), which keys the next Query. */
export const searchPositionSchema = z.strictObject({
  term: z.string().min(1),
  externalUserId: z.string().min(1),
});
export type SearchPosition = z.infer<typeof searchPositionSchema>;

function startKeyOf(position: SearchPosition): Record<string, string> {
  const { pk, sk, gsi1pk, gsi1sk } = searchTermItem(position.externalUserId, position.term, []);
  return { pk: String(pk), sk: String(sk), gsi1pk: String(gsi1pk), gsi1sk: String(gsi1sk) };
}

function positionOf(lastKey: Record<string, unknown>): SearchPosition {
  const key = searchKeySchema.parse(lastKey);
  return {
    term: key.sk.slice(SEARCH_TERM_SK_PREFIX.length),
    externalUserId: key.pk.slice(userPk('').length),
  };
}

/** The item of one term of a user. */
export function searchTermItem(
  externalUserId: string,
  term: string,
  terms: readonly string[],
): Record<string, unknown> {
  return {
    pk: userPk(externalUserId),
    sk: `${SEARCH_TERM_SK_PREFIX}${term}`,
    entity: 'search_term',
    gsi1pk: `${SEARCH_GSI_PK_PREFIX}${searchBucketOf(term)}`,
    gsi1sk: `${term}#${externalUserId}`,
    external_user_id: externalUserId,
    search_text: searchTextOf(terms),
  };
}

export interface SearchPage {
  /** Matching users in index order (term, then id), each once. */
  externalUserIds: string[];
  /** Index items DynamoDB read for this page (ScannedCount: before the other words' filter). */
  scanned: number;
  /** Read capacity the page's Queries consumed (eventually consistent reads of the index). */
  consumedReadUnits: number;
  /** Where the next page starts; undefined on the last. */
  next?: SearchPosition;
}

export class UserSearchStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes the user's terms from its stored profile and removes those it no longer has. True when the
   * profile now lists them; false when the user is not onboarded (any term this call wrote is removed
   * again).
   *
   * The order is erasure's writer half (UserStore.beginOffboarding): terms first, then the profile's
   * `search_terms` set on condition that the user is still the same onboarded user and the list is the one
   * read. The condition failing for an offboarding means the sweep may have missed the new terms: they
   * are deleted here. Failing for a concurrent update, the round starts again from the newer profile, so
   * the last writer's profile is what the index holds.
   */
  async indexUser(externalUserId: string): Promise<boolean> {
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      const out = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: this.profileKey(externalUserId),
          ConsistentRead: true,
        }),
      );
      // A lease (`creating`) has no profile fields: like an absent user, nothing to index.
      const parsed = profileSchema.safeParse(out.Item);
      const profile = parsed.success && parsed.data.status === 'active' ? parsed.data : undefined;
      if (!profile) return false;
      const terms = searchTermsOf(profile);
      const previous = profile.search_terms;
      if (previous === joined(terms)) return true;
      const stale = termsIn(previous).filter((term) => !terms.includes(term));
      await this.write(externalUserId, [
        ...terms.map((term) => ({ PutRequest: { Item: searchTermItem(externalUserId, term, terms) } })),
        ...stale.map((term) => ({ DeleteRequest: { Key: this.termKey(externalUserId, term) } })),
      ]);
      const recorded = await sendIfCondition(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.profileKey(externalUserId),
            UpdateExpression: 'SET search_terms = :terms',
            ConditionExpression: `#status = :active AND podero_user_id = :podero AND ${
              previous === undefined ? 'attribute_not_exists(search_terms)' : 'search_terms = :previous'
            }`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':terms': joined(terms),
              ':active': 'active',
              ':podero': profile.podero_user_id,
              ...(previous === undefined ? {} : { ':previous': previous }),
            },
          }),
        ),
      );
      if (recorded !== undefined) return true;
    }
    // Still racing after every round: whether the user is still onboarded decides what the terms may stay.
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.profileKey(externalUserId),
        ConsistentRead: true,
      }),
    );
    if (out.Item?.status === 'active')
      throw new Error('could not index the user for search (concurrent updates)');
    await this.removeTerms(externalUserId);
    return false;
  }

  /**
   * One page of users matching the query: one Query per round on the key word's bucket, the other
   * words as a filter. A single-word query reads at most `limit` index items in one round; a multi-word
   * one reads up to FILTERED_ROUND_ITEMS per round (the filter drops items after the read, so a page of
   * `limit` may need more) for at most `maxRounds` rounds, and a page that fills part-way through a round
   * resumes after its last match.
   */
  async search(options: {
    query: SearchQuery;
    limit: number;
    after?: SearchPosition;
    maxRounds?: number;
  }): Promise<SearchPage> {
    const { query, limit } = options;
    const ids: string[] = [];
    let scanned = 0;
    let consumedReadUnits = 0;
    let startKey = options.after && startKeyOf(options.after);
    const filters = query.others.map((word, i) => [`:w${i}`, ` ${word}`] as const);
    for (let round = 0; round < (options.maxRounds ?? 4) && ids.length < limit; round++) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: USERS_GSI,
          KeyConditionExpression: 'gsi1pk = :bucket AND begins_with(gsi1sk, :key)',
          ...(filters.length === 0
            ? {}
            : { FilterExpression: filters.map(([name]) => `contains(search_text, ${name})`).join(' AND ') }),
          ExpressionAttributeValues: {
            ':bucket': `${SEARCH_GSI_PK_PREFIX}${searchBucketOf(query.key)}`,
            ':key': query.key,
            ...Object.fromEntries(filters),
          },
          ProjectionExpression: 'external_user_id, pk, sk, gsi1pk, gsi1sk',
          Limit: filters.length === 0 ? limit - ids.length : Math.max(limit, FILTERED_ROUND_ITEMS),
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      scanned += out.ScannedCount ?? 0;
      consumedReadUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      // Filled before the round's last item (a filtered round reads more than a page): resume after the last match.
      let stoppedAt: Record<string, string> | undefined;
      const items = out.Items ?? [];
      for (const [i, item] of items.entries()) {
        const { external_user_id: id } = hitSchema.parse(item);
        // A user found through two of its terms (`anna`: `anna-lena` and `annabelle`) is listed once per page.
        if (!ids.includes(id)) ids.push(id);
        if (ids.length === limit && i < items.length - 1) {
          stoppedAt = startKeyOf(positionOf(item));
          break;
        }
      }
      startKey = stoppedAt ?? (out.LastEvaluatedKey && startKeyOf(positionOf(out.LastEvaluatedKey)));
      if (startKey === undefined) break;
    }
    return {
      externalUserIds: ids,
      scanned,
      consumedReadUnits,
      ...(startKey ? { next: positionOf(startKey) } : {}),
    };
  }

  /**
   * Indexes every onboarded user whose profile has no terms yet (users from before the search, or whose
   * indexing failed): walks gsi1's `USERS` page by page. Idempotent; run once after deploying the search.
   */
  async backfill(options: { pageSize?: number; onProgress?: (done: number, indexed: number) => void } = {}) {
    let walked = 0;
    let indexed = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: USERS_GSI,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': USERS_GSI_PK },
          ExclusiveStartKey: startKey,
          Limit: options.pageSize ?? 100,
        }),
      );
      for (const item of page.Items ?? []) {
        walked++;
        const profile = profileSchema.safeParse(item);
        if (!profile.success || profile.data.status !== 'active') continue;
        if (profile.data.search_terms === joined(searchTermsOf(profile.data))) continue;
        if (await this.indexUser(profile.data.external_user_id)) indexed++;
      }
      options.onProgress?.(walked, indexed);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { walked, indexed };
  }

  /** Deletes every term item under the user's partition (a racing writer's, found after an offboarding). */
  async removeTerms(externalUserId: string): Promise<number> {
    const keys: { pk: string; sk: string }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':prefix': SEARCH_TERM_SK_PREFIX },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) keys.push({ pk: String(item.pk), sk: String(item.sk) });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    await this.write(
      externalUserId,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
    return keys.length;
  }

  private async write(owner: string, requests: PendingWrite['request'][]): Promise<void> {
    const result = await batchWrite(
      this.db,
      requests.map((request) => ({ tableName: this.tableName, owner, request })),
    );
    if (result.failedOwners.size > 0) throw new Error('could not write every search term of the user');
  }

  private profileKey(externalUserId: string) {
    return { pk: userPk(externalUserId), sk: USER_PROFILE_SK };
  }

  private termKey(externalUserId: string, term: string) {
    return { pk: userPk(externalUserId), sk: `${SEARCH_TERM_SK_PREFIX}${term}` };
  }
}

/** The profile's record of its terms (a term holds no whitespace). */
const joined = (terms: readonly string[]): string => terms.join(' ');
const termsIn = (recorded: string | undefined): string[] =>
  recorded === undefined || recorded === '' ? [] : recorded.split(' ');
