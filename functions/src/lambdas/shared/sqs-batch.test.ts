import { describe, expect, it } from 'vitest';
import { processSqsBatch } from './sqs-batch';

const records = (...ids: string[]) => ids.map((messageId) => ({ messageId, group: messageId.slice(0, 1) }));
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('processSqsBatch', () => {
  it('reports the records to retry, in the batch order', async () => {
    const response = await processSqsBatch(records('a1', 'b1', 'a2', 'c1'), async (r) =>
      r.messageId === 'c1' || r.messageId === 'a1' ? 'retry' : 'done',
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a1' }, { itemIdentifier: 'c1' }] });
  });

  it('without groups, processes the records strictly one after another in order', async () => {
    const log: string[] = [];
    await processSqsBatch(records('x1', 'y1', 'x2'), async (r) => {
      log.push(`start ${r.messageId}`);
      await tick();
      log.push(`end ${r.messageId}`);
      return 'done';
    });
    expect(log).toEqual(['start x1', 'end x1', 'start y1', 'end y1', 'start x2', 'end x2']);
  });

  it('with groups, keeps each group in order and runs the groups side by side', async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    await processSqsBatch(
      records('a1', 'b1', 'a2', 'b2', 'c1'),
      async (r) => {
        running += 1;
        most = Math.max(most, running);
        log.push(r.messageId);
        await tick();
        running -= 1;
        return 'done';
      },
      { groupOf: (r) => r.group, concurrency: 2 },
    );
    expect(most).toBe(2);
    expect(log.indexOf('a1')).toBeLessThan(log.indexOf('a2'));
    expect(log.indexOf('b1')).toBeLessThan(log.indexOf('b2'));
    expect(log).toHaveLength(5);
  });

  it('with onError, reports a record whose processing threw and goes on with the rest', async () => {
    const seen: string[] = [];
    const response = await processSqsBatch(
      records('a1', 'a2'),
      async (r) => {
        if (r.messageId === 'a1') throw new Error('table down');
        return 'done';
      },
      { onError: (r, error) => seen.push(`${r.messageId}: ${(error as Error).message}`) },
    );
    expect(seen).toEqual(['a1: table down']);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a1' }] });
  });

  it('without onError, an error fails the whole batch (the invocation fails)', async () => {
    await expect(
      processSqsBatch(records('a1'), async () => {
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');
  });

  it('an empty batch reports nothing', async () => {
    expect(await processSqsBatch([], async () => 'done')).toEqual({ batchItemFailures: [] });
  });
});
