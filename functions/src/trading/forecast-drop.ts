/**
 * The file drop for price forecasts (ADR 0015; README, day-ahead trading): a file dropped under
 * `forecasts/<zone>/<day>.csv` is read, checked with the admin route's own schemas and rules, and taken in
 * by the same service call (trading/forecast-intake.ts). Its result, accepted or refused with the line and
 * field at fault, is written beside it under `results/` (`results/<zone>/<day>.csv.result.json`), logged and
 * counted. A refused file writes no trading day; the same file again (a second drop, or S3 delivering the
 * notification twice) changes nothing.
 */
import * as z from 'zod';
import {
  FORECAST_FILE_MAX_BYTES,
  forecastFileFieldNames,
  forecastFileKeyOf,
  lineOfPoint,
  parseForecastFile,
} from '../domain/trading/forecast-file';
import type { ForecastIssue } from '../domain/trading/market';
import type { Clock } from '../platform/clock';
import { InvalidForecastError, TradingConflictError } from './errors';
import type { ForecastFiles } from './forecast-files';
import type { ForecastIntake } from './forecast-intake';
import { tradingDayPathSchema, tradingPricesSchema } from './schemas';

/** What the drop writes under `results/` for each file: the operator's record of it. */
export const forecastDropResultSchema = z.object({
  file: z.string(),
  etag: z.string(),
  status: z.enum(['accepted', 'refused']),
  /** accepted: `created` (a new day), `replaced` (a new forecast before its upload), `unchanged` (the same again). */
  outcome: z.enum(['created', 'replaced', 'unchanged']).nullable(),
  /** refused: why, as the API would answer (`invalid_forecast`, `upload_deadline_passed`...). */
  code: z.string().nullable(),
  price_zone: z.string().nullable(),
  delivery_day: z.string().nullable(),
  quarter_hours: z.number().int().nullable(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
  processed_at: z.string(),
});
export type ForecastDropResult = z.infer<typeof forecastDropResultSchema>;

/** A file the notification announced: its key (decoded), its ETag and size as S3 reported them. */
export interface DroppedFile {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

export type DropOutcome =
  | {
      readonly status: 'accepted' | 'refused';
      readonly result: ForecastDropResult;
      readonly resultKey: string;
    }
  /** The key holds a newer file (or none): its own notification handles it. Nothing written. */
  | { readonly status: 'superseded' };

/** Where files are dropped and results written (declarations.ts: `forecasts/`, `results/`). */
export interface ForecastDropPrefixes {
  readonly drop: string;
  readonly results: string;
}

export interface ForecastDropDeps {
  readonly intake: ForecastIntake;
  readonly files: ForecastFiles;
  readonly prefixes: ForecastDropPrefixes;
  readonly now: Clock;
}

/** `forecasts/DE_LU/2026-03-29.csv` -> `results/DE_LU/2026-03-29.csv.result.json`. */
export function resultKeyOf(key: string, prefixes: ForecastDropPrefixes): string {
  const rest = key.startsWith(prefixes.drop) ? key.slice(prefixes.drop.length) : key;
  return `${prefixes.results}${rest}.result.json`;
}

class Refusal {
  constructor(
    readonly code: string,
    readonly errors: readonly ForecastIssue[],
  ) {}
}

/** The route's body schema, its issues named by the file's lines (`prices.3.start` -> `line 5 (timestamp)`). */
function schemaIssues(error: z.ZodError): ForecastIssue[] {
  return error.issues.slice(0, 20).map((issue) => {
    const [, index, name] = issue.path;
    if (typeof index === 'number' && (name === 'start' || name === 'price_eur_mwh')) {
      return { field: forecastFileFieldNames.point(index, name), message: issue.message };
    }
    if (typeof index === 'number') return { field: `line ${lineOfPoint(index)}`, message: issue.message };
    return { field: forecastFileFieldNames.whole, message: issue.message };
  });
}

export class ForecastDrop {
  constructor(private readonly deps: ForecastDropDeps) {}

  /** Takes one dropped file in, or refuses it; writes its result (except for a superseded file). */
  async take(file: DroppedFile): Promise<DropOutcome> {
    const base = {
      file: file.key,
      etag: file.etag,
      price_zone: null as string | null,
      delivery_day: null as string | null,
      quarter_hours: null as number | null,
    };
    let result: ForecastDropResult;
    try {
      const key = this.keyOf(file.key);
      base.price_zone = key.zone;
      base.delivery_day = key.deliveryDay;
      const points = await this.pointsOf(file);
      if (points === 'superseded') return { status: 'superseded' };
      base.quarter_hours = points.length;
      const { created, unchanged } = await this.deps.intake.submit(
        key.zone,
        key.deliveryDay,
        points,
        forecastFileFieldNames,
      );
      result = {
        ...base,
        status: 'accepted',
        outcome: created ? 'created' : unchanged ? 'unchanged' : 'replaced',
        code: null,
        errors: [],
        processed_at: this.nowIso(),
      };
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      result = {
        ...base,
        status: 'refused',
        outcome: null,
        code: refusal.code,
        errors: [...refusal.errors],
        processed_at: this.nowIso(),
      };
    }
    const resultKey = resultKeyOf(file.key, this.deps.prefixes);
    await this.deps.files.writeResult(resultKey, result);
    return { status: result.status, result, resultKey };
  }

  private keyOf(key: string): { zone: string; deliveryDay: string } {
    const parsed = forecastFileKeyOf(key, this.deps.prefixes.drop);
    if (!parsed.ok) throw new Refusal('invalid_key', [parsed.issue]);
    const path = tradingDayPathSchema.safeParse({
      price_zone: parsed.key.zone,
      delivery_day: parsed.key.deliveryDay,
    });
    if (!path.success) {
      throw new Refusal(
        'invalid_key',
        path.error.issues.map((issue) => ({
          field: `key (${issue.path[0] === 'price_zone' ? 'price zone' : 'delivery day'})`,
          message: issue.message,
        })),
      );
    }
    return { zone: path.data.price_zone, deliveryDay: path.data.delivery_day };
  }

  private async pointsOf(file: DroppedFile) {
    const tooLarge = (size: number) =>
      new Refusal('file_too_large', [
        {
          field: 'file',
          message: `is ${size} bytes; a forecast file may have ${FORECAST_FILE_MAX_BYTES} at most`,
        },
      ]);
    // Bounded before anything is read: the notification carries the size.
    if (file.size > FORECAST_FILE_MAX_BYTES) throw tooLarge(file.size);
    const read = await this.deps.files.read(file.key, file.etag, FORECAST_FILE_MAX_BYTES);
    if (read.kind === 'superseded') return 'superseded' as const;
    if (read.kind === 'tooLarge') throw tooLarge(read.size);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
    } catch {
      throw new Refusal('invalid_file', [{ field: 'file', message: 'must be UTF-8 text' }]);
    }
    const parsed = parseForecastFile(text);
    if (!parsed.ok) throw new Refusal('invalid_file', parsed.issues);
    // The admin route's own body schema: the same instants, numbers and bounds as a request.
    const body = tradingPricesSchema.safeParse({ prices: parsed.points });
    if (!body.success) throw new Refusal('invalid_forecast', schemaIssues(body.error));
    return body.data.prices;
  }

  private nowIso(): string {
    return new Date(this.deps.now()).toISOString().replace('.000Z', 'Z');
  }
}

/** A refusal the partner can act on (its file or its timing); anything else is ours and is thrown. */
function refusalOf(error: unknown): Refusal | null {
  if (error instanceof Refusal) return error;
  if (error instanceof InvalidForecastError) return new Refusal('invalid_forecast', error.fields ?? []);
  if (error instanceof TradingConflictError) {
    return new Refusal(error.code ?? 'conflict', [{ field: 'file', message: error.message }]);
  }
  return null;
}
