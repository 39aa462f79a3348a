/**
 * The customer search's terms (ADR 0017): what a user is found by, and how a query is read. Pure.
 *
 * A term is a normalized word (NFKD, diacritics stripped, lower-case, `ß` as `ss`): each word of the
 * name and its hyphen segments, the whole e-mail address, its local part's segments and its domain, and
 * the external id with its segments split on `-_.@:+`. A query word matches a user when it is a prefix of
 * one of the user's terms.
 */

/** Letters with no NFKD decomposition that a person typing plain ASCII writes otherwise. */
const FOLDED: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};
const FOLDED_PATTERN = new RegExp(`[${Object.keys(FOLDED).join('')}]`, 'gu');

/** The shortest query word the index answers: a term's bucket is its first two characters. */
export const SEARCH_MIN_PREFIX = 2;
/** Terms (and query words) are cut to this many characters: a longer prefix adds nothing to find a customer. */
export const SEARCH_TERM_MAX_LENGTH = 64;
/** At most this many terms per user (ids and e-mail first), which bounds its index writes. */
export const SEARCH_TERMS_MAX = 32;

/** Case- and accent-insensitive form of a text: NFKD, combining marks dropped, lower-case, ß as ss. */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(FOLDED_PATTERN, (letter) => FOLDED[letter] ?? letter)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
}

/** Words of a normalized text: only letters, digits and the separators ids and addresses use survive. */
function wordsOf(normalized: string): string[] {
  return normalized
    .split(/\s+/u)
    .map((word) => word.replace(/[^\p{L}\p{N}._@:+'-]/gu, '').replace(/^[._@:+'-]+|[._@:+'-]+$/gu, ''))
    .filter((word) => word !== '');
}

const cut = (term: string): string => [...term].slice(0, SEARCH_TERM_MAX_LENGTH).join('');

export interface SearchableUser {
  external_user_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
}

/**
 * The user's terms, most specific first, without one that is a prefix of another (any query matching it
 * matches the longer one too) and without those shorter than a query may be.
 */
export function searchTermsOf(user: SearchableUser): string[] {
  const candidates: string[] = [];
  const id = normalizeForSearch(user.external_user_id);
  candidates.push(id, ...id.split(/[-_.@:+]/u));
  const email = normalizeForSearch(user.email).trim();
  const at = email.lastIndexOf('@');
  const local = at < 0 ? email : email.slice(0, at);
  candidates.push(email, ...local.split(/[._+-]/u));
  if (at >= 0) candidates.push(email.slice(at + 1));
  for (const name of [user.first_name, user.last_name]) {
    for (const word of wordsOf(normalizeForSearch(name ?? ''))) candidates.push(word, ...word.split(/['-]/u));
  }
  const terms = [
    ...new Set(
      candidates.map(cut).filter((term) => [...term].length >= SEARCH_MIN_PREFIX && !/\s/u.test(term)),
    ),
  ];
  const kept = terms.filter((term) => !terms.some((other) => other !== term && other.startsWith(term)));
  return kept.slice(0, SEARCH_TERMS_MAX);
}

/** The text a multi-word query's other words are looked for in: every term, each after a space. */
export function searchTextOf(terms: readonly string[]): string {
  return ` ${terms.join(' ')}`;
}

/** The index partition (bucket) of a term or query word: its first two characters. */
export function searchBucketOf(term: string): string {
  return [...term].slice(0, SEARCH_MIN_PREFIX).join('');
}

export interface SearchQuery {
  /** The word the index is queried with (the longest, the last of equals: the fewest items to read, likely). */
  key: string;
  /** The other words, each a prefix of some term of every match (a filter on the key's matches). */
  others: string[];
}

/** A query as the index reads it, or undefined when no word is long enough to look up. */
export function parseSearchQuery(query: string): SearchQuery | undefined {
  const words = [...new Set(wordsOf(normalizeForSearch(query)).map(cut))];
  const key = words.reduce<string | undefined>(
    // A tie goes to the later word: "first last" is typed more than "last first", and surnames repeat less.
    (longest, word) => ([...word].length >= [...(longest ?? '')].length ? word : longest),
    undefined,
  );
  if (key === undefined || [...key].length < SEARCH_MIN_PREFIX) return undefined;
  return { key, others: words.filter((word) => word !== key) };
}
