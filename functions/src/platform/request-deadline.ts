import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The deadline of the API request being served, as epoch ms. The api handler sets it around each
 * request; the Podero client (its `deadline` option) and the token provider read it, so that every wait
 * on Podero or on token-refresh ends inside the route's budget. AsyncLocalStorage rather than a parameter:
 * the local stack serves concurrent requests with one handler, and the client is shared by all of them.
 */
const store = new AsyncLocalStorage<number>();

export function runWithDeadline<T>(deadlineMs: number, work: () => Promise<T>): Promise<T> {
  return store.run(deadlineMs, work);
}

/** The current request's deadline, or undefined outside a request (the sync, token-refresh, tests). */
export function currentDeadline(): number | undefined {
  return store.getStore();
}
