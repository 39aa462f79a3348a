import { describe, expect, it } from 'vitest';
import type { Schemas } from './api/client';
import { appendPage, isSearchable } from './customer-search';

const row = (id: string) => ({ external_user_id: id }) as Schemas['UserListItem'];
const page = (ids: string[], scanned: number, next: string | null): Schemas['UserList'] => ({
  items: ids.map(row),
  scanned,
  next_cursor: next,
});

describe('isSearchable', () => {
  it('asks the API only for a word of two letters or digits, accents and signs aside', () => {
    expect(isSearchable('a')).toBe(false);
    expect(isSearchable(' - . ')).toBe(false);
    expect(isSearchable('a b')).toBe(false);
    expect(isSearchable('ö1')).toBe(true);
    expect(isSearchable('j müller')).toBe(true);
  });
});

describe('appendPage', () => {
  it('adds a further page, each customer once, summing the index entries read', () => {
    const first = appendPage(undefined, page(['a', 'b'], 2, 'c1'));
    const both = appendPage(first, page(['b', 'c'], 2, null));
    expect(both.items.map((item) => item.external_user_id)).toEqual(['a', 'b', 'c']);
    expect(both.read).toBe(4);
    expect(both.nextCursor).toBeNull();
    expect(first.items).toHaveLength(2);
  });
});
