import { describe, expect, it } from 'vitest';
import { forecastFileKeyOf, parseForecastFile } from './forecast-file';

describe('the forecast file', () => {
  it('reads the rows after the header, with a byte-order mark, CRLF lines and trailing empty lines', () => {
    const parsed = parseForecastFile(
      '\uFEFFtimestamp, price_eur_mwh\r\n2026-03-29T00:00:00+01:00,-5.25\r\n2026-03-29T00:15:00+01:00,12\r\n\r\n',
    );
    expect(parsed).toEqual({
      ok: true,
      points: [
        { start: '2026-03-29T00:00:00+01:00', price_eur_mwh: -5.25 },
        { start: '2026-03-29T00:15:00+01:00', price_eur_mwh: 12 },
      ],
    });
  });

  it('refuses a file without the header, naming line 1', () => {
    expect(parseForecastFile('2026-03-29T00:00:00+01:00,1\n')).toEqual({
      ok: false,
      issues: [{ field: 'line 1', message: 'must be the header timestamp,price_eur_mwh' }],
    });
  });

  it('names the line of a row with a third value, a decimal comma, an empty line or no number', () => {
    const parsed = parseForecastFile(
      [
        'timestamp,price_eur_mwh',
        '2026-03-29T00:00:00+01:00,1.5',
        '2026-03-29T00:15:00+01:00,1,5',
        '',
        '2026-03-29T00:45:00+01:00,n/a',
        '2026-03-29T01:00:00+01:00,',
      ].join('\n'),
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.issues.map((issue) => issue.field)).toEqual([
      'line 3',
      'line 4',
      'line 5 (price_eur_mwh)',
      'line 6 (price_eur_mwh)',
    ]);
  });

  it('refuses a header alone', () => {
    expect(parseForecastFile('timestamp,price_eur_mwh\n')).toMatchObject({
      ok: false,
      issues: [{ field: 'file' }],
    });
  });

  it('takes the zone and the delivery day from the key, and refuses any other key', () => {
    expect(forecastFileKeyOf('forecasts/DE_LU/2026-03-29.csv', 'forecasts/')).toEqual({
      ok: true,
      key: { zone: 'DE_LU', deliveryDay: '2026-03-29' },
    });
    for (const key of [
      'forecasts/DE_LU/2026-03-29.json',
      'forecasts/2026-03-29.csv',
      'forecasts/DE_LU/extra/2026-03-29.csv',
      'elsewhere/DE_LU/2026-03-29.csv',
    ]) {
      expect(forecastFileKeyOf(key, 'forecasts/').ok, key).toBe(false);
    }
  });
});
