import { describe, expect, it } from 'vitest';
import {
  normalizeForSearch,
  parseSearchQuery,
  SEARCH_TERMS_MAX,
  searchBucketOf,
  searchTermsOf,
  searchTextOf,
} from './search-terms';

const user = (fields: Partial<Parameters<typeof searchTermsOf>[0]> = {}) => ({
  external_user_id: 'cust-0042_de',
  email: 'Anna.Schmidt+heat@Example.COM',
  first_name: 'Anna-Lena',
  last_name: 'Müller Groß',
  ...fields,
});

/** Whether a query finds the user as the index does: the key word prefixes a term, every other word too. */
function finds(query: string, terms: readonly string[]): boolean {
  const parsed = parseSearchQuery(query);
  if (!parsed) return false;
  const text = searchTextOf(terms);
  return (
    terms.some((term) => term.startsWith(parsed.key)) &&
    parsed.others.every((word) => text.includes(` ${word}`))
  );
}

describe('normalizeForSearch', () => {
  it('drops accents and case', () => {
    expect(normalizeForSearch('Émile ÇAĞLAR Dvořák')).toBe('emile caglar dvorak');
  });

  it('writes ß (and capital ẞ) as ss, and folds letters NFKD leaves alone', () => {
    expect(normalizeForSearch('Straße STRAẞE')).toBe('strasse strasse');
    expect(normalizeForSearch('Søren Łukasz Æsir Œuvre')).toBe('soren lukasz aesir oeuvre');
  });

  it('unfolds compatibility forms (ligatures, full-width letters)', () => {
    expect(normalizeForSearch('ﬁnn ＡＢ')).toBe('finn ab');
  });
});

describe('searchTermsOf', () => {
  it("holds the whole e-mail, its local part's segments and its domain, normalized", () => {
    const terms = searchTermsOf(user());
    expect(terms).toContain('anna.schmidt+heat@example.com');
    expect(terms).toContain('schmidt');
    expect(terms).toContain('heat');
    expect(terms).toContain('example.com');
  });

  it('holds the external id and each of its segments', () => {
    const terms = searchTermsOf(user());
    expect(terms).toContain('cust-0042_de');
    expect(terms).toContain('0042');
    expect(terms).toContain('de');
  });

  it('holds each word of the name and the parts of a hyphenated one, accents and ß folded', () => {
    const terms = searchTermsOf(user());
    expect(terms).toEqual(expect.arrayContaining(['anna-lena', 'lena', 'muller', 'gross']));
  });

  it('leaves out a term that is the prefix of another (it finds nothing the longer one does not)', () => {
    const terms = searchTermsOf(user());
    // `anna` (e-mail segment, first name) is a prefix of `anna-lena` and of the whole address.
    expect(terms).not.toContain('anna');
    expect(terms).not.toContain('cust');
    expect(finds('anna', terms)).toBe(true);
  });

  it('leaves out one-character segments, which no query can look up', () => {
    expect(searchTermsOf(user({ first_name: 'J. R.', last_name: null }))).not.toContain('j');
  });

  it(`keeps at most ${SEARCH_TERMS_MAX} terms, the ids and e-mail first`, () => {
    const many = Array.from({ length: 60 }, (_, i) => `name${String(i).padStart(2, '0')}x`).join(' ');
    const terms = searchTermsOf(user({ first_name: many }));
    expect(terms).toHaveLength(SEARCH_TERMS_MAX);
    expect(terms[0]).toBe('cust-0042_de');
    expect(terms).toContain('anna.schmidt+heat@example.com');
  });
});

describe('parseSearchQuery', () => {
  it('looks up the longest word and filters by the others', () => {
    expect(parseSearchQuery('Anna  Müll')).toEqual({ key: 'mull', others: ['anna'] });
    expect(parseSearchQuery('Johanna Li')).toEqual({ key: 'johanna', others: ['li'] });
    expect(parseSearchQuery('an schmidt')).toEqual({ key: 'schmidt', others: ['an'] });
  });

  it('refuses a query with no word of two characters', () => {
    expect(parseSearchQuery('a')).toBeUndefined();
    expect(parseSearchQuery('  ')).toBeUndefined();
    expect(parseSearchQuery('# !')).toBeUndefined();
  });

  it('finds the user by part of a name, an address or an id, in any case and with or without accents', () => {
    const terms = searchTermsOf(user());
    for (const query of [
      'MUL',
      'müller',
      'gro',
      'groß',
      'LENA',
      'anna schm',
      'example',
      'anna.schmidt+h',
      '0042',
      'cust-00',
    ])
      expect(finds(query, terms), query).toBe(true);
  });

  it('does not find the user by a word none of its terms begins with', () => {
    const terms = searchTermsOf(user());
    for (const query of ['chmidt', 'mueller', 'anna meier', 'xample'])
      expect(finds(query, terms), query).toBe(false);
  });
});

describe('searchBucketOf', () => {
  it('is the first two characters, whole code points (a surrogate pair is not cut)', () => {
    expect(searchBucketOf('muller')).toBe('mu');
    expect(searchBucketOf('𝒜𝒷c')).toBe('𝒜𝒷');
  });
});
