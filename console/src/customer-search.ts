import type { Schemas } from './api/client';

/** How long the search box waits after the last keystroke before it asks (one request per pause, not per key). */
export const SEARCH_DEBOUNCE_MS = 250;
/** Matches per page of the as-you-type search. */
export const SEARCH_PAGE_LIMIT = 20;

/** Whether the API can look a text up: a word of at least two letters or digits (its `q` rule). */
export function isSearchable(text: string): boolean {
  return text
    .normalize('NFKD')
    .split(/\s+/u)
    .some((word) => word.replace(/[^\p{L}\p{N}]/gu, '').length >= 2);
}

export interface SearchResults {
  items: Schemas['UserListItem'][];
  /** Index items the API read for the pages shown (`scanned`, summed). */
  read: number;
  nextCursor: string | null;
}

/** Appends a further page to what is shown, each customer once (one may match through two of its terms). */
export function appendPage(shown: SearchResults | undefined, page: Schemas['UserList']): SearchResults {
  const items = [...(shown?.items ?? [])];
  const ids = new Set(items.map((item) => item.external_user_id));
  for (const item of page.items) if (!ids.has(item.external_user_id)) items.push(item);
  return { items, read: (shown?.read ?? 0) + page.scanned, nextCursor: page.next_cursor };
}
