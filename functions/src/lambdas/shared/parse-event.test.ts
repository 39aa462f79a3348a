import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { InvalidEventError, parseEvent } from './parse-event';

const schema = z.strictObject({ source: z.enum(['schedule', 'manual']), force: z.boolean().optional() });

function recordingLogger() {
  const errors: { message: string; extra: Record<string, unknown> }[] = [];
  return {
    errors,
    error: (message: string, extra: Record<string, unknown>) => errors.push({ message, extra }),
  };
}

describe('parseEvent', () => {
  it('returns the parsed event and logs nothing when it matches', () => {
    const logger = recordingLogger();
    expect(parseEvent(schema, { source: 'manual' }, 'sync-planner', logger)).toEqual({ source: 'manual' });
    expect(logger.errors).toEqual([]);
  });

  it('logs the bad fields by name, never their values, and throws naming them', () => {
    const logger = recordingLogger();
    const error = (() => {
      try {
        parseEvent(schema, { source: 'cron-secret-value', force: 'yes' }, 'token-refresh', logger);
      } catch (e) {
        return e;
      }
    })() as InvalidEventError;
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.fields).toEqual(['source', 'force']);
    expect(error.message).toMatch(/^invalid token-refresh event: source: .+; force: .+$/);
    expect(logger.errors).toEqual([
      { message: 'invalid token-refresh event', extra: { fields: 'source, force' } },
    ]);
    expect(JSON.stringify(logger.errors)).not.toContain('cron-secret-value');
  });

  it('names the root when the event is no object at all', () => {
    const logger = recordingLogger();
    expect(() => parseEvent(schema, null, 'event-relay', logger)).toThrow(
      /^invalid event-relay event: \(root\): /,
    );
    expect(logger.errors[0]?.extra).toEqual({ fields: '(root)' });
  });
});
