import type { Schemas } from '../api/client';

/**
 * A trading day's deadlines in the order they fall, and which one the desk is waiting for now. Everything is
 * computed on instants (epoch ms), never on wall-clock fields, so a countdown across a clock change counts
 * the hours that really pass (an upload deadline at 09:00 seen from 01:00 on the October change is 9 hours
 * away, not 8).
 */
export type TradingDeadlines = Schemas['TradingDay']['deadlines'];
export type TradingState = Schemas['TradingDay']['state'];

export const DEADLINE_LABELS = {
  upload_by: 'Upload deadline',
  curves_expected_at: 'Curves expected',
  confirm_by: 'Confirmation deadline',
} as const satisfies Partial<Record<keyof TradingDeadlines, string>>;
export type ShownDeadline = keyof typeof DEADLINE_LABELS;

export interface DeadlineEntry {
  readonly key: ShownDeadline;
  readonly label: string;
  readonly at: string;
  readonly atMs: number;
}

/** The deadlines the page shows, earliest first (ties keep the workflow's order). */
export function deadlinesInOrder(deadlines: TradingDeadlines): DeadlineEntry[] {
  return (Object.keys(DEADLINE_LABELS) as ShownDeadline[])
    .map((key) => ({
      key,
      label: DEADLINE_LABELS[key],
      at: deadlines[key],
      atMs: Date.parse(deadlines[key]),
    }))
    .filter((entry) => !Number.isNaN(entry.atMs))
    .sort((a, b) => a.atMs - b.atMs);
}

/** Which deadlines still matter in each state: a final day waits for none. */
const AWAITED: Readonly<Record<TradingState, readonly ShownDeadline[]>> = {
  prices_received: ['upload_by', 'curves_expected_at', 'confirm_by'],
  uploaded: ['curves_expected_at', 'confirm_by'],
  curves_ready: ['confirm_by'],
  confirmed: [],
  rejected: [],
  missed: [],
  failed: [],
};

/** The next deadline the day is waiting for at `nowMs`, or undefined (final, or every deadline passed). */
export function nextDeadline(
  day: { state: TradingState; deadlines: TradingDeadlines },
  nowMs: number,
): DeadlineEntry | undefined {
  const awaited = AWAITED[day.state];
  return deadlinesInOrder(day.deadlines).find((d) => awaited.includes(d.key) && d.atMs > nowMs);
}

/** Time left as "1 d 02:05:09", "02:05:09", or "passed" once it is not in the future. */
export function formatCountdown(remainingMs: number): string {
  if (remainingMs <= 0) return 'passed';
  const totalSeconds = Math.floor(remainingMs / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const clock = [hours, minutes, seconds].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days} d ${clock}` : clock;
}
