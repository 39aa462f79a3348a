/**
 * `pnpm demo --history DAYS`: the demo customer with days of readings, so the console's charts and the
 * fleet's trends are full on a first run. The simulator's clock (which the local stack's functions follow,
 * clock.ts) is set DAYS back before the customer is onboarded, then moved forward to now one step at a time
 * with a sync pass after each step: the readings, the sync passes and the fleet's daily figures are the
 * ones those days would have left, written by the same code as in production.
 */
import * as z from 'zod';

export const HISTORY_DAYS_MAX = 14;
/** A pass every simulated hour: 24 passes a day, enough for hourly buckets and a daily trend point. */
export const HISTORY_STEP_SECONDS = 3600;

export const historyDaysSchema = z.coerce.number().int().min(1).max(HISTORY_DAYS_MAX);

interface HistoryTarget {
  apiUrl: string;
  fetch?: typeof fetch;
}

async function postJson(doFetch: typeof fetch, url: string, body: unknown): Promise<void> {
  const res = await doFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname} answered ${res.status}`);
  await res.body?.cancel();
}

async function simulatorUrlOf(doFetch: typeof fetch, apiUrl: string): Promise<string> {
  const res = await doFetch(`${apiUrl}/__local/info`);
  const info = z.looseObject({ simulator_url: z.url() }).parse(await res.json());
  return info.simulator_url.replace(/\/+$/, '');
}

/** Sets the simulator's clock `days` back from now (before the demo onboards its customer). */
export async function rewindForHistory(target: HistoryTarget, days: number, nowMs: number): Promise<void> {
  const doFetch = target.fetch ?? fetch;
  const simulatorUrl = await simulatorUrlOf(doFetch, target.apiUrl);
  await postJson(doFetch, `${simulatorUrl}/__sim/clock`, {
    set: new Date(nowMs - days * 86_400_000).toISOString(),
  });
}

/**
 * Moves the simulator's clock forward to `untilMs` in HISTORY_STEP_SECONDS steps, a sync pass after each;
 * `onProgress` hears every simulated day done. Returns the passes run.
 */
export async function fillHistory(
  target: HistoryTarget,
  fromMs: number,
  untilMs: number,
  onProgress: (day: number, days: number) => void = () => {},
): Promise<number> {
  const doFetch = target.fetch ?? fetch;
  const simulatorUrl = await simulatorUrlOf(doFetch, target.apiUrl);
  const steps = Math.floor((untilMs - fromMs) / (HISTORY_STEP_SECONDS * 1000));
  const stepsPerDay = 86_400 / HISTORY_STEP_SECONDS;
  for (let step = 1; step <= steps; step++) {
    await postJson(doFetch, `${simulatorUrl}/__sim/clock`, { advance_seconds: HISTORY_STEP_SECONDS });
    await postJson(doFetch, `${target.apiUrl}/__local/schedules/heat-pump-sync/run`, {});
    if (step % stepsPerDay === 0) onProgress(step / stepsPerDay, Math.ceil(steps / stepsPerDay));
  }
  // The last part-step, so the clock ends at now (the wall clock's, where a fresh stack began).
  await postJson(doFetch, `${simulatorUrl}/__sim/clock`, { set: new Date(untilMs).toISOString() });
  await postJson(doFetch, `${target.apiUrl}/__local/schedules/heat-pump-sync/run`, {});
  return steps + 1;
}
