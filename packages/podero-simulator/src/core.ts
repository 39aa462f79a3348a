/** What every handler sees: the state, the clock, the options, and the request. */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimClock } from './clock';
import type { Counters } from './counters';
import { SimHttpError, validationError } from './errors';
import type { FaultEngine } from './faults';
import type { TradingBook, TradingVariant } from './model/trading';
import type { Store } from './store';
import type { WriteFaults } from './write-faults';

/** How the simulator behaves where the contract leaves a choice (set through the control plane, control.ts). */
export interface SimulatorModes {
  /**
   * `filled`: a used onboarding session names the new device in `object_id`; `null`: it stays null, which the
   * contract cannot rule out ([INFERRED] field), so a client must recognise completion another way.
   */
  onboardingObjectId: 'filled' | 'null';
  /** Which of Podero's two day-ahead trading APIs the simulator speaks (api/trading.ts). */
  tradingVariant: TradingVariant;
}

export interface OrgCredentials {
  orgId: string;
  clientId: string;
  clientSecret: string;
}

export interface SimCore {
  readonly store: Store;
  readonly clock: SimClock;
  readonly counters: Counters;
  readonly faults: FaultEngine;
  /** Devices that accept writes and never apply them, or apply them late (write-faults.ts). */
  readonly writeFaults: WriteFaults;
  /** Day-ahead trades, their settings and counters (model/trading.ts). */
  readonly trading: TradingBook;
  readonly seed: number;
  readonly tokenTtlSeconds: number;
  readonly stateIntervalSeconds: number;
  readonly orgs: readonly OrgCredentials[];
  /** Mutable through the control plane (`setModes`). */
  readonly modes: SimulatorModes;
  /** A new resource id: UUID-shaped, drawn from the seed so a replayed scenario gets the same ids. */
  newId(): string;
  /** Base URL without a trailing slash (known once the server listens). */
  baseUrl(): string;
  /** Called after every state change; schedules a save when a persist file is configured. */
  changed(): void;
}

export interface SimRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The organisation of the bearer token (API routes only). */
  orgId: string;
}

export type SimResponse =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string; headers?: Record<string, string> }
  | { status: number; empty: true; headers?: Record<string, string> };

export type Handler = (core: SimCore, request: SimRequest) => SimResponse | Promise<SimResponse>;

/** Parses a JSON body; an empty body is `undefined` (so "missing body" is a 422 `missing`). */
export function jsonBody(request: SimRequest): unknown {
  if (request.rawBody.length === 0) return undefined;
  try {
    return JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw validationError([{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }]);
  }
}

/** The query string as a plain object (last value wins), for zod. */
export function queryObject(request: SimRequest): Record<string, string> {
  return Object.fromEntries(request.query.entries());
}

/** ISO-8601 in UTC without milliseconds when they are zero: `2024-01-15T10:30:00Z`. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function conflict(message: string): SimHttpError {
  return new SimHttpError(409, { detail: message });
}
