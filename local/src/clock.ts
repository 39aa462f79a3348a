/**
 * Whose time the bridge's functions read locally (their `now: Clock` seam, functions/src/platform/clock.ts).
 *
 * - `simulator` (the default): the in-process simulator's clock, so moving it (`POST /__sim/clock`) moves the
 *   api, the sync, the trading workflow and token-refresh with Podero: a deadline, a cache age or a token's
 *   expiry is judged on the same time Podero answers on. The simulator starts on the wall clock and flows with
 *   it, so nothing differs until someone moves it.
 * - `wall`: the system clock, as deployed (the Lambda entry points never take another).
 *
 * event-relay, webhook-delivery and erasure keep the wall clock either way: their times meet SQS delays and
 * a partner's receiver, which checks `webhook-timestamp` against its own clock (Standard Webhooks tolerates
 * five minutes), not Podero's. So do the api's webhook routes (its `webhookClock`): they schedule deliveries
 * for webhook-delivery, and a test event stamped on a moved simulator would wait until the wall caught up.
 */
export const LOCAL_CLOCKS = ['simulator', 'wall'] as const;
export type LocalClock = (typeof LOCAL_CLOCKS)[number];

/** Epoch milliseconds, the functions' clock type. */
export type BridgeClock = () => number;

export function bridgeClockOf(clock: LocalClock, simulator: { control: { now(): Date } }): BridgeClock {
  return clock === 'wall' ? () => Date.now() : () => simulator.control.now().getTime();
}
