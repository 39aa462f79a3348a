/**
 * Error bodies in django-ninja's default shapes ([INFERRED] in the contract, §5.1), so a client written
 * against the contract meets here what it would meet at Podero.
 */
import type * as z from 'zod';
import { DEVICE_READ_ONLY_FIELDS } from './wire-devices';

export type Loc = (string | number)[];

export interface ValidationDetail {
  type: string;
  loc: Loc;
  msg: string;
}

/** Thrown by handlers; the server turns it into a JSON response. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export const notFound = () => new SimHttpError(404, { detail: 'Not Found' });
export const unauthorized = () => new SimHttpError(401, { detail: 'Unauthorized' });
export const validationError = (detail: ValidationDetail[]) => new SimHttpError(422, { detail });

/** Parses `input` with `schema`; on failure throws a 422 whose `loc` starts with `locPrefix` (e.g. ["body"]). */
export function parseOr422<S extends z.ZodType>(schema: S, input: unknown, locPrefix: Loc): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(zodIssuesToDetail(result.error.issues, locPrefix, input));
}

/** Maps zod issues to pydantic-v2-style `{type, loc, msg}` entries, one per offending field. */
export function zodIssuesToDetail(
  issues: readonly z.core.$ZodIssue[],
  locPrefix: Loc,
  input: unknown,
): ValidationDetail[] {
  const details: ValidationDetail[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    const loc = [...locPrefix, ...path];
    // zod reports an absent enum or literal as a bad value; pydantic (and clients) call it missing.
    if (issue.code !== 'unrecognized_keys' && valueAt(input, path) === undefined) {
      details.push({ type: 'missing', loc, msg: 'Field required' });
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const readOnly = DEVICE_READ_ONLY_FIELDS.has(key) && locPrefix[0] === 'body';
          details.push({
            type: 'extra_forbidden',
            loc: [...loc, key],
            msg: readOnly ? 'Field is read-only and cannot be written' : 'Extra inputs are not permitted',
          });
        }
        break;
      case 'invalid_type':
        if (issue.expected === 'object') {
          details.push({ type: 'model_type', loc, msg: 'Input should be a valid dictionary or object' });
        } else {
          const expected = issue.expected === 'int' ? 'integer' : issue.expected;
          details.push({ type: `${expected}_type`, loc, msg: `Input should be a valid ${expected}` });
        }
        break;
      case 'invalid_value':
        details.push({
          type: 'enum',
          loc,
          msg: `Input should be ${issue.values.map((value) => `'${String(value)}'`).join(', ')}`,
        });
        break;
      case 'too_big':
        details.push(
          issue.origin === 'string'
            ? { type: 'string_too_long', loc, msg: `String should have at most ${issue.maximum} characters` }
            : { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${issue.maximum}` },
        );
        break;
      case 'too_small':
        details.push(
          issue.origin === 'string'
            ? {
                type: 'string_too_short',
                loc,
                msg: `String should have at least ${issue.minimum} characters`,
              }
            : {
                type: 'greater_than_equal',
                loc,
                msg: `Input should be greater than or equal to ${issue.minimum}`,
              },
        );
        break;
      case 'invalid_format':
        details.push(
          issue.format === 'guid' || issue.format === 'uuid'
            ? { type: 'uuid_parsing', loc, msg: 'Input should be a valid UUID' }
            : issue.format === 'email'
              ? { type: 'value_error', loc, msg: 'value is not a valid email address' }
              : { type: 'value_error', loc, msg: issue.message },
        );
        break;
      default:
        details.push({ type: 'value_error', loc, msg: issue.message });
    }
  }
  return details;
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}
