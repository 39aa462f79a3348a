/**
 * The forecast file a partner drops in the forecast bucket (README, day-ahead trading: the file drop), read
 * without I/O. One format, CSV, because a forecast is a column of numbers and every tool exports one:
 *
 * - the key names the zone and the delivery day: `forecasts/<price zone>/<YYYY-MM-DD>.csv`
 *   (`forecasts/DE_LU/2026-03-29.csv`);
 * - UTF-8 (a byte-order mark is allowed), lines ending in LF or CRLF, at most 64 KB;
 * - a header `timestamp,price_eur_mwh`, then one line per quarter-hour of the day in Europe/Berlin, in order:
 *   the start as an ISO-8601 instant with its offset (`2026-03-29T00:00:00+01:00` or `...Z`) and the price
 *   in EUR/MWh with a decimal point (`-5.25`); empty lines only at the end.
 *
 * Only the shape is read here; whether the points fit the day is the route's rule
 * (trading/forecast-intake.ts, domain/trading/market.ts), applied to the file as it is to a request.
 */
import type { ForecastFieldNames, ForecastIssue, ForecastPoint } from './market';

/** Larger than any real day (100 lines of ~40 bytes is 4 KB); the same bound as the API's request body. */
export const FORECAST_FILE_MAX_BYTES = 64 * 1024;
export const FORECAST_FILE_HEADER = 'timestamp,price_eur_mwh';
export const FORECAST_FILE_EXTENSION = '.csv';

/** The file's lines are named as a person opening it sees them: the header is line 1. */
export const lineOfPoint = (index: number) => index + 2;

/** Issues name the file's line and column (`line 7 (timestamp)`), the count the file as a whole. */
export const forecastFileFieldNames: ForecastFieldNames = {
  point: (index, name) => `line ${lineOfPoint(index)} (${name === 'start' ? 'timestamp' : 'price_eur_mwh'})`,
  whole: 'file',
};

export interface ForecastFileKey {
  readonly zone: string;
  readonly deliveryDay: string;
}

/**
 * The zone and delivery day a key names, below `prefix` (`forecasts/`). Shape only: the zone and day are
 * checked by the route's own schemas after this.
 */
export function forecastFileKeyOf(
  key: string,
  prefix: string,
):
  | { readonly ok: true; readonly key: ForecastFileKey }
  | { readonly ok: false; readonly issue: ForecastIssue } {
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : null;
  const match = rest === null ? null : /^([^/]+)\/([^/]+)\.csv$/.exec(rest);
  if (!match?.[1] || !match[2]) {
    return {
      ok: false,
      issue: {
        field: 'key',
        message: `must be ${prefix}<price zone>/<delivery day YYYY-MM-DD>${FORECAST_FILE_EXTENSION}`,
      },
    };
  }
  return { ok: true, key: { zone: match[1], deliveryDay: match[2] } };
}

/** A row as the file has it: the timestamp text, and the price if it is a decimal number. */
export interface ForecastFileRow {
  readonly start: string;
  readonly price_eur_mwh: number;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The rows of a forecast file, or every issue with its shape (header, columns, numbers), each naming its line.
 * At most 20 issues, as the route answers.
 */
export function parseForecastFile(
  text: string,
):
  | { readonly ok: true; readonly points: ForecastPoint[] }
  | { readonly ok: false; readonly issues: ForecastIssue[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  const issues: ForecastIssue[] = [];
  const header = lines[0]
    ?.trim()
    .toLowerCase()
    .replace(/\s*,\s*/g, ',');
  if (header !== FORECAST_FILE_HEADER) {
    return {
      ok: false,
      issues: [{ field: 'line 1', message: `must be the header ${FORECAST_FILE_HEADER}` }],
    };
  }
  const points: ForecastPoint[] = [];
  lines.slice(1).forEach((line, index) => {
    const lineNumber = lineOfPoint(index);
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length !== 2) {
      issues.push({
        field: `line ${lineNumber}`,
        message: `must have 2 values (timestamp,price_eur_mwh), found ${line.trim() === '' ? 'an empty line' : cells.length}`,
      });
      return;
    }
    const [start = '', price = ''] = cells;
    if (!DECIMAL.test(price)) {
      issues.push({
        field: forecastFileFieldNames.point(index, 'price_eur_mwh'),
        message: 'must be a number in EUR/MWh with a decimal point (e.g. -5.25)',
      });
      return;
    }
    points.push({ start, price_eur_mwh: Number(price) });
  });
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, 20) };
  if (points.length === 0) {
    return { ok: false, issues: [{ field: 'file', message: 'has a header but no quarter-hours' }] };
  }
  return { ok: true, points };
}
