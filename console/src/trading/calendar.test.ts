import { describe, expect, it } from 'vitest';
import { addDays, berlinDayOf, formatBerlin, nextDeliveryDay } from './calendar';

describe('market calendar (Europe/Berlin)', () => {
  it('names the Berlin day of an instant, which is the next UTC day late in the evening', () => {
    expect(berlinDayOf(Date.parse('2026-12-07T22:59:59Z'))).toBe('2026-12-07');
    expect(berlinDayOf(Date.parse('2026-12-07T23:00:00Z'))).toBe('2026-12-08'); // CET: +1
    expect(berlinDayOf(Date.parse('2026-07-07T22:00:00Z'))).toBe('2026-07-08'); // CEST: +2
  });

  it('defaults to tomorrow in Berlin, also across a month, a year and a clock change', () => {
    expect(nextDeliveryDay(Date.parse('2026-12-07T12:00:00Z'))).toBe('2026-12-08');
    expect(nextDeliveryDay(Date.parse('2026-12-31T23:30:00Z'))).toBe('2027-01-02');
    expect(nextDeliveryDay(Date.parse('2026-10-24T21:59:00Z'))).toBe('2026-10-25');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('shows instants as Berlin wall-clock time with the offset in force then', () => {
    expect(formatBerlin('2026-10-24T07:00:00Z')).toMatch(/Sat 24 Oct,? 09:00 (CEST|GMT\+2)/);
    expect(formatBerlin('2026-12-08T08:00:00Z')).toMatch(/Tue 8 Dec,? 09:00 (CET|GMT\+1)/);
    expect(formatBerlin(null)).toBe('—');
    expect(formatBerlin('not a time')).toBe('not a time');
  });
});
