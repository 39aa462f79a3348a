/**
 * The functions' one clock type: epoch milliseconds. Every deps bag carries `now: Clock` (the business
 * clock: timestamps, expiry, leases); a service that needs a date makes one (`new Date(now())`). Tests and
 * the local stack pass their own clock; the sync's hot path reads numbers and allocates nothing.
 */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();
