/**
 * When a month's statement is ready, and which months a user's `statement.ready` events are still owed: pure.
 *
 * A statement is `final` once its month closed STATEMENT_SETTLE_MS ago (Podero's `/data` for the last hours
 * and the readings backfill need a day to settle). The event is for the default zone of the statement
 * routes, UTC: a partner billing in Europe/Vienna reads the same month with `?time_zone=Europe/Vienna`, whose
 * figures are final an hour or two earlier or later than the event says.
 */
import { MONTH_PATTERN, monthOf, monthRange, nextMonth } from './month';

/** How long after a month closes its statement is final (its figures no longer grow). */
export const STATEMENT_SETTLE_MS = 24 * 3_600_000;

/** The zone of the `statement.ready` event: the statement routes' default. */
export const STATEMENT_READY_TIME_ZONE = 'UTC';

/** At most this many owed months are announced for a user in one pass (a sync stopped for over a year). */
export const STATEMENT_READY_MAX_MONTHS = 12;

/** `final` once the month's end lies STATEMENT_SETTLE_MS or more behind `nowMs`. */
export function statementStatusAt(toIso: string, nowMs: number): 'final' | 'provisional' {
  return nowMs >= Date.parse(toIso) + STATEMENT_SETTLE_MS ? 'final' : 'provisional';
}

/** The month (UTC) before `month`. */
function monthBefore(month: string): string {
  return monthOf(
    Date.parse(monthRange(month, STATEMENT_READY_TIME_ZONE).from) - 1,
    STATEMENT_READY_TIME_ZONE,
  );
}

/** The newest month (UTC) whose statement is final at `nowMs`: last month from its end's day on, else the one before. */
export function latestFinalMonth(nowMs: number): string {
  const current = monthOf(nowMs, STATEMENT_READY_TIME_ZONE);
  const previous = monthBefore(current);
  return statementStatusAt(monthRange(current, STATEMENT_READY_TIME_ZONE).from, nowMs) === 'final'
    ? previous
    : monthBefore(previous);
}

/**
 * The months whose `statement.ready` a user is owed, oldest first, given the newest final month (from
 * `latestFinalMonth`, computed once per run), when the user was onboarded and the last month announced to
 * them (kept on their profile). None before the onboarding month (the statement routes have none). A user
 * never announced to (just onboarded, or onboarded before the event existed) is owed the newest final month
 * only; after that every month once, in order, up to STATEMENT_READY_MAX_MONTHS per call. Most calls answer
 * `[]` without a date computed: the announced month is already the newest final one.
 */
export function owedStatementMonths(user: {
  latestFinal: string;
  onboardedAt: string | null;
  announcedMonth: string | null;
}): string[] {
  const { latestFinal, announcedMonth } = user;
  if (announcedMonth !== null && announcedMonth >= latestFinal) return [];
  const onboardedMs = user.onboardedAt === null ? Number.NaN : Date.parse(user.onboardedAt);
  // A profile without a readable onboarding instant: its statements' first month is unknown.
  if (Number.isNaN(onboardedMs)) return [];
  const firstMonth = monthOf(onboardedMs, STATEMENT_READY_TIME_ZONE);
  if (latestFinal < firstMonth) return [];
  const validAnnounced = announcedMonth !== null && MONTH_PATTERN.test(announcedMonth);
  let month = validAnnounced ? nextMonth(announcedMonth) : latestFinal;
  if (month < firstMonth) month = firstMonth;
  const owed: string[] = [];
  for (; month <= latestFinal && owed.length < STATEMENT_READY_MAX_MONTHS; month = nextMonth(month)) {
    owed.push(month);
  }
  return owed;
}
