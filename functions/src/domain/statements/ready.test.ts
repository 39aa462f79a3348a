import { describe, expect, it } from 'vitest';
import {
  latestFinalMonth,
  owedStatementMonths,
  STATEMENT_READY_MAX_MONTHS,
  statementStatusAt,
} from './ready';

const at = (iso: string) => Date.parse(iso);

describe('when a month statement is final', () => {
  it('is provisional until a day after the month closed, final from then on', () => {
    expect(statementStatusAt('2026-04-01T00:00:00.000Z', at('2026-04-01T23:59:59.999Z'))).toBe('provisional');
    expect(statementStatusAt('2026-04-01T00:00:00.000Z', at('2026-04-02T00:00:00.000Z'))).toBe('final');
  });

  it('names last month from the second day of this month on (UTC), the month before until then', () => {
    expect(latestFinalMonth(at('2026-04-01T23:59:59.999Z'))).toBe('2026-02');
    expect(latestFinalMonth(at('2026-04-02T00:00:00.000Z'))).toBe('2026-03');
    expect(latestFinalMonth(at('2026-04-30T12:00:00.000Z'))).toBe('2026-03');
    // Across a year.
    expect(latestFinalMonth(at('2026-01-01T12:00:00.000Z'))).toBe('2025-11');
    expect(latestFinalMonth(at('2026-01-02T00:00:00.000Z'))).toBe('2025-12');
  });
});

describe('the months a user is owed a statement.ready', () => {
  const onboardedAt = '2025-11-20T10:00:00.000Z';

  it('owes nothing when the newest final month was announced (the ordinary pass)', () => {
    expect(owedStatementMonths({ latestFinal: '2026-03', onboardedAt, announcedMonth: '2026-03' })).toEqual(
      [],
    );
  });

  it('owes a user never announced to only the newest final month, not a backlog', () => {
    expect(owedStatementMonths({ latestFinal: '2026-03', onboardedAt, announcedMonth: null })).toEqual([
      '2026-03',
    ]);
  });

  it('owes every month after the last announced, in order, after a sync outage', () => {
    expect(owedStatementMonths({ latestFinal: '2026-03', onboardedAt, announcedMonth: '2025-12' })).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });

  it('owes the onboarding month (it has a statement) but nothing before it', () => {
    expect(owedStatementMonths({ latestFinal: '2025-11', onboardedAt, announcedMonth: null })).toEqual([
      '2025-11',
    ]);
    expect(owedStatementMonths({ latestFinal: '2025-10', onboardedAt, announcedMonth: null })).toEqual([]);
  });

  it('owes nothing when the onboarding instant is unreadable, and treats a malformed cache as none', () => {
    expect(owedStatementMonths({ latestFinal: '2026-03', onboardedAt: null, announcedMonth: null })).toEqual(
      [],
    );
    expect(
      owedStatementMonths({ latestFinal: '2026-03', onboardedAt: 'not a date', announcedMonth: null }),
    ).toEqual([]);
    expect(owedStatementMonths({ latestFinal: '2026-03', onboardedAt, announcedMonth: '2026' })).toEqual([
      '2026-03',
    ]);
  });

  it('owes at most a bounded number of months in one pass, the oldest first', () => {
    const owed = owedStatementMonths({
      latestFinal: '2030-01',
      onboardedAt: '2020-01-01T00:00:00.000Z',
      announcedMonth: '2020-01',
    });
    expect(owed).toHaveLength(STATEMENT_READY_MAX_MONTHS);
    expect(owed[0]).toBe('2020-02');
    expect(owed.at(-1)).toBe('2021-01');
  });
});
