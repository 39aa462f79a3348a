import { describe, expect, it } from 'vitest';
import { toCsv, wantsCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting, defuses formulas in text, and keeps numbers (negative ones too) as numbers', () => {
    expect(
      toCsv(
        ['a', 'b', 'c'],
        [
          ['plain', 'with, comma', 'say "hi"'],
          ['=cmd|calc', '+1', '@sum'],
          [-3.5, 0, null],
          [true, undefined, 'line\nbreak'],
          [Number.NaN, '-minus', '\ttab'],
        ],
      ),
    ).toBe(
      [
        'a,b,c',
        'plain,"with, comma","say ""hi"""',
        "'=cmd|calc,'+1,'@sum",
        '-3.5,0,',
        'true,,"line\nbreak"',
        ",'-minus,'\ttab",
        '',
      ].join('\r\n'),
    );
  });
});

describe('wantsCsv', () => {
  it('is true for text/csv in Accept unless its weight is zero', () => {
    expect(wantsCsv(undefined)).toBe(false);
    expect(wantsCsv('application/json')).toBe(false);
    expect(wantsCsv('text/csv')).toBe(true);
    expect(wantsCsv('Text/CSV; charset=utf-8')).toBe(true);
    expect(wantsCsv('application/json, text/csv;q=0.5')).toBe(true);
    expect(wantsCsv('text/csv;q=0')).toBe(false);
    expect(wantsCsv('text/csv; q=0.0')).toBe(false);
    expect(wantsCsv('text/csvx')).toBe(false);
    // Only the weight parameter itself, with any number of zero decimals, turns CSV off.
    expect(wantsCsv('text/csv;q=0.000')).toBe(false);
    expect(wantsCsv('text/csv;xq=0')).toBe(true);
  });
});
