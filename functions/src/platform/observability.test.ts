import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withLogKeys } from './observability';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines a logger writes (stdout and stderr) while `work` runs. */
function linesWhile(work: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  // warn and error lines go to stderr, the others to stdout: both, in the order written.
  const capture = (chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('withLogKeys', () => {
  it("puts each request's keys on its own lines only, with the line's attributes, and leaves the shared logger alone", () => {
    const logger = new Logger({ serviceName: 'api', logLevel: 'DEBUG' });
    const lines = linesWhile(() => {
      const a = withLogKeys(logger, { request_id: 'req-a', correlation_id: 'corr-a' });
      const b = withLogKeys(logger, { request_id: 'req-b', correlation_id: 'corr-b' });
      // Interleaved, as two concurrent requests in the local stack would log.
      a.info('request', { status: 200 });
      b.warn('request refused', { status: 404 });
      a.error('unhandled error', { operationId: 'x' });
      b.debug('detail');
      logger.info('container line');
    });
    expect(lines.map((l) => [l.message, l.request_id, l.correlation_id])).toEqual([
      ['request', 'req-a', 'corr-a'],
      ['request refused', 'req-b', 'corr-b'],
      ['unhandled error', 'req-a', 'corr-a'],
      ['detail', 'req-b', 'corr-b'],
      ['container line', undefined, undefined],
    ]);
    expect(lines[0]).toMatchObject({ level: 'INFO', status: 200, service: 'api' });
    expect(lines[1]).toMatchObject({ level: 'WARN', status: 404 });
    expect(lines[2]).toMatchObject({ level: 'ERROR', operationId: 'x' });
    expect(lines[3]).toMatchObject({ level: 'DEBUG' });
  });
});
