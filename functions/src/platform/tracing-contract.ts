/** What a function's tracing offers (a leaf: tracing.ts loads xray-tracing.ts, which implements it). */
import type { RequestSpan } from '@podero-bridge/podero-client';

export interface Tracing {
  readonly enabled: boolean;
  /** The SDK client with a subsegment per call when tracing is on; the client itself otherwise. */
  instrument<Client extends object>(client: Client): Client;
  /** The Podero client's span hook, undefined when tracing is off (no wrapper on the request path). */
  readonly poderoSpan: RequestSpan | undefined;
  /** The handler inside a `## handler` subsegment (errors recorded, responses not). */
  handler<Args extends unknown[], Result>(
    run: (...args: Args) => Promise<Result>,
  ): (...args: Args) => Promise<Result>;
}

/** The prefix of Podero's subsegments (X-Ray names: letters, digits, spaces and `_.:/%&#=+\\-@`). */
export const PODERO_SUBSEGMENT_PREFIX = 'podero ';

export const passThroughTracing: Tracing = {
  enabled: false,
  instrument: (client) => client,
  poderoSpan: undefined,
  handler: (run) => run,
};
