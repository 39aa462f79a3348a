import type { Schemas } from './api/client';

/**
 * The e-mail search walks the whole user list: the API reads a bounded number of users per request (500) and
 * hands back `next_cursor` to go on, so a customer sorting after the first 500 is only found by following it.
 * One run asks at most this many pages (10,000 users at 500 a page); the operator may continue from there.
 */
export const SEARCH_PAGES_PER_RUN = 20;

export interface EmailSearch {
  items: Schemas['UserListItem'][];
  /** Users the API read so far for this search. */
  scanned: number;
  /** Where the search goes on; null once every user was read. */
  nextCursor: string | null;
  /** Pages are still being asked for (a run is under way). */
  searching: boolean;
}

/** Follows `next_cursor` from `from` (a stopped run) or the start, showing each page's progress as it comes. */
export async function searchByEmail(
  fetchPage: (cursor: string | undefined) => Promise<Schemas['UserList']>,
  show: (progress: EmailSearch) => void,
  from?: EmailSearch,
  maxPages = SEARCH_PAGES_PER_RUN,
): Promise<EmailSearch> {
  const search: EmailSearch = {
    items: [...(from?.items ?? [])],
    scanned: from?.scanned ?? 0,
    nextCursor: from?.nextCursor ?? null,
    searching: true,
  };
  // Each value shown is a copy: the one on screen must not change under it as later pages come in.
  const progress = () => ({ ...search, items: [...search.items] });
  show(progress());
  for (let page = 0; page < maxPages; page++) {
    const body = await fetchPage(search.nextCursor ?? undefined);
    search.items.push(...body.items);
    search.scanned += body.scanned;
    search.nextCursor = body.next_cursor;
    if (search.nextCursor === null) break;
    if (page < maxPages - 1) show(progress());
  }
  return { ...search, searching: false };
}
