/**
 * `startSimulator()`: the simulated Podero Partner API on a plain node:http server (keep-alive on).
 * Request pipeline: control plane bypass -> route match -> faults and latency -> body -> bearer auth
 * -> path validation and org scoping -> handler -> counters.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { organisationOfBearer } from './api/oauth';
import { type ClockMode, SimClock } from './clock';
import { createControl, handleControlRequest, type SimulatorControl } from './control';
import type { Handler, OrgCredentials, SimCore, SimRequest, SimResponse } from './core';
import { Counters } from './counters';
import { resetDataHistory } from './data-history';
import { notFound, SimHttpError, unauthorized, validationError, zodIssuesToDetail } from './errors';
import { FaultEngine, type FaultOutcome, type FaultRule, faultRulesSchema } from './faults';
import { recordClientSecrets } from './issued-secrets-log';
import { type BoundAddress, localOnlyRefusal } from './local-only';
import { TRADING_VARIANTS, TradingBook } from './model/trading';
import { seededUuidStream } from './random';
import { Router } from './router';
import { ROUTES, UUID_PARAMS } from './routes';
import { persistedStateSchema, Store } from './store';
import { uuidSchema } from './wire';
import { WriteFaults } from './write-faults';

export const DEFAULT_ORG: OrgCredentials = {
  orgId: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90',
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret-not-real',
};

/** A second organisation, always present, so tests can prove that orgs cannot see each other. */
export const SECOND_ORG: OrgCredentials = {
  orgId: '9b1c2d3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e',
  clientId: 'sim-second-client-id',
  clientSecret: 'sim-second-client-secret-not-real',
};

const MAX_BODY_BYTES = 1024 * 1024;

export const simulatorOptionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  seed: z.number().int().default(1),
  latencyMs: z.number().min(0).max(600_000).default(0),
  tokenTtlSeconds: z.number().int().min(1).default(36_000),
  stateIntervalSeconds: z.number().int().min(1).max(86_400).default(300),
  startTime: z.date().optional(),
  /** Default: `manual` when `startTime` is given (deterministic tests), else `realtime`. */
  clock: z.enum(['manual', 'realtime']).optional(),
  orgId: uuidSchema.default(DEFAULT_ORG.orgId),
  clientId: z.string().min(1).default(DEFAULT_ORG.clientId),
  clientSecret: z.string().min(1).default(DEFAULT_ORG.clientSecret),
  persistFile: z.string().min(1).optional(),
  /** See SimulatorModes: `null` keeps a used onboarding session's `object_id` null. */
  onboardingObjectId: z.enum(['filled', 'null']).default('filled'),
  /** Which day-ahead trading API the simulator speaks (SimulatorModes.tradingVariant). */
  tradingVariant: z.enum(TRADING_VARIANTS).default('reference'),
  /** Fault rules in force from the start (and again after a reset). */
  faults: faultRulesSchema.default([]),
  /** Receives one line per unexpected server error (never request bodies or secrets). */
  log: z.custom<(line: string) => void>((value) => typeof value === 'function').optional(),
});
export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;

export interface Simulator {
  /** e.g. `http://127.0.0.1:4010`; the API lives under `${baseUrl}/api/partners/v2.0`. */
  readonly baseUrl: string;
  readonly orgId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The always-present second organisation (for isolation tests). */
  readonly secondOrg: OrgCredentials;
  readonly control: SimulatorControl;
  /** Every route key (`METHOD /template`) usable in fault rules. */
  readonly routeKeys: readonly string[];
  close(): Promise<void>;
}

export async function startSimulator(input: SimulatorOptions = {}): Promise<Simulator> {
  const options = simulatorOptionsSchema.parse(input);
  const router = new Router<Handler>(ROUTES);
  const startMs = options.startTime?.getTime() ?? Date.now();
  const clockMode: ClockMode = options.clock ?? (options.startTime ? 'manual' : 'realtime');
  const store = new Store();
  const counters = new Counters();
  const faults = new FaultEngine(options.seed, router.keys);
  const writeFaults = new WriteFaults();
  faults.set(options.faults);
  const orgs: OrgCredentials[] = [
    { orgId: options.orgId, clientId: options.clientId, clientSecret: options.clientSecret },
    SECOND_ORG,
  ];
  recordClientSecrets(orgs);
  let baseUrl = '';
  /** Set once listening; the control plane answers only requests addressed to it (local-only.ts). */
  let bound: BoundAddress = { host: options.host, port: options.port };
  let saveTimer: NodeJS.Timeout | undefined;
  let clock = new SimClock(clockMode, startMs);
  const idTaken = (id: string) =>
    store.users.has(id) ||
    store.buildings.has(id) ||
    store.heatPumps.has(id) ||
    store.onboardingSessions.has(id) ||
    store.cues.has(id) ||
    store.electricVehicles.has(id) ||
    store.wallboxes.has(id) ||
    store.inverters.has(id) ||
    store.authSessions.has(id);
  let nextId = seededUuidStream(options.seed, idTaken);

  const core: SimCore = {
    store,
    get clock() {
      return clock;
    },
    counters,
    faults,
    writeFaults,
    trading: new TradingBook(),
    seed: options.seed,
    tokenTtlSeconds: options.tokenTtlSeconds,
    stateIntervalSeconds: options.stateIntervalSeconds,
    orgs,
    modes: { onboardingObjectId: options.onboardingObjectId, tradingVariant: options.tradingVariant },
    newId: () => nextId(),
    baseUrl: () => baseUrl,
    changed: () => {
      if (options.persistFile === undefined || saveTimer !== undefined) return;
      saveTimer = setTimeout(() => {
        saveTimer = undefined;
        save();
      }, 100);
      saveTimer.unref();
    },
  };

  function save(): void {
    if (options.persistFile === undefined) return;
    const temporary = `${options.persistFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(store.snapshot(clock.nowMs())));
    renameSync(temporary, options.persistFile);
  }

  if (options.persistFile !== undefined) {
    const loaded = loadPersisted(options.persistFile);
    if (loaded) {
      store.restore(loaded);
      // A persisted clock continues where it stopped (tokens and sessions stay valid across restarts).
      clock = new SimClock(clockMode, loaded.clock_ms);
    }
  }

  const control = createControl(core, () => {
    store.clear();
    counters.reset();
    faults.set(options.faults);
    core.modes.onboardingObjectId = options.onboardingObjectId;
    core.modes.tradingVariant = options.tradingVariant;
    core.trading.clear();
    resetDataHistory(core);
    writeFaults.reset();
    clock = new SimClock(clockMode, options.startTime?.getTime() ?? Date.now());
    nextId = seededUuidStream(options.seed, idTaken);
    core.changed();
  });

  const sockets = new Set<Socket>();
  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(
        `podero-simulator: unexpected error: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!res.headersSent) sendResponse(res, { status: 500, json: { detail: 'Internal Server Error' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));

    if (path === '/__sim' || path.startsWith('/__sim/')) {
      const refusal = localOnlyRefusal(method, req.headers, bound);
      if (refusal !== undefined) {
        req.resume();
        return sendResponse(res, { status: 403, json: { detail: `Forbidden: ${refusal}` } });
      }
      const rawBody = await readBody(req);
      if (rawBody === 'too_large')
        return sendResponse(res, { status: 413, json: { detail: 'Request body too large' } });
      try {
        const response = handleControlRequest(core, control, method, path, rawBody, router.keys);
        return sendResponse(res, response ?? { status: 404, json: { detail: 'Not Found' } });
      } catch (error) {
        return sendResponse(res, errorResponse(error, options.log));
      }
    }

    // Writes a device applies late land before anything reads it (write-faults.ts).
    if (writeFaults.flush(core.clock.nowMs())) core.changed();
    const match = router.match(
      method,
      path,
      (route) => route.mode === undefined || route.mode === core.modes.tradingVariant,
    );
    const matched = match !== null && match !== 'method_not_allowed' ? match : null;
    const routeKey = matched?.route.key ?? 'UNMATCHED';
    counters.arrived(Date.now());

    const decision = faults.decide(routeKey, matched?.params.user_id ?? null);
    const delay = options.latencyMs + decision.latencyMs;
    if (delay > 0) await sleep(delay);
    if (decision.outcome !== null && applyFault(req, res, decision.outcome, routeKey)) return;

    const rawBody = await readBody(req);
    let response: SimResponse;
    if (rawBody === 'too_large') {
      response = { status: 413, json: { detail: 'Request body too large' } };
    } else if (match === 'method_not_allowed') {
      response = { status: 405, json: { detail: 'Method Not Allowed' } };
    } else if (matched === null) {
      response = { status: 404, json: { detail: 'Not Found' } };
    } else {
      const request: SimRequest = {
        method,
        path,
        params: matched.params,
        query,
        headers: req.headers,
        rawBody,
        orgId: '',
      };
      try {
        if (matched.route.kind === 'api') authoriseApiRequest(request);
        else if (matched.route.kind === 'api-secret') validatePathParams(request);
        response = await matched.route.handler(core, request);
      } catch (error) {
        response = errorResponse(error, options.log);
      }
    }
    counters.record(routeKey, response.status);
    sendResponse(res, response);
  }

  /** Bearer auth first (401), then path parameter shapes (422), then org scoping (404). */
  function authoriseApiRequest(request: SimRequest): void {
    const orgId = organisationOfBearer(core, request.headers.authorization);
    if (orgId === null) throw unauthorized();
    request.orgId = orgId;
    validatePathParams(request);
    // Another organisation's path answers 404, like any id the caller's org does not own.
    if (request.params.org_id !== undefined && request.params.org_id.toLowerCase() !== orgId)
      throw notFound();
  }

  function validatePathParams(request: SimRequest): void {
    const invalid = Object.entries(request.params).filter(
      ([name, value]) => UUID_PARAMS.has(name) && !uuidSchema.safeParse(value).success,
    );
    if (invalid.length > 0) {
      throw validationError(
        invalid.map(([name]) => ({
          type: 'uuid_parsing',
          loc: ['path', name],
          msg: 'Input should be a valid UUID',
        })),
      );
    }
  }

  /** Returns true when the fault consumed the request. */
  function applyFault(
    req: IncomingMessage,
    res: ServerResponse,
    outcome: FaultOutcome,
    routeKey: string,
  ): boolean {
    switch (outcome.kind) {
      case 'timeout':
        // Never answer; the socket stays open until the client gives up or the simulator closes.
        counters.record(routeKey, 'timeout');
        req.resume();
        return true;
      case 'drop':
        counters.record(routeKey, 'dropped');
        req.socket.destroy();
        return true;
      case 'status': {
        counters.record(routeKey, outcome.status);
        req.resume();
        const headers: Record<string, string> = {};
        if (outcome.retryAfterSeconds !== undefined)
          headers['retry-after'] = String(outcome.retryAfterSeconds);
        sendResponse(res, faultResponse(outcome.status, headers));
        return true;
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  bound = { host: options.host, port: address.port };

  let closed = false;
  return {
    baseUrl,
    orgId: options.orgId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    secondOrg: SECOND_ORG,
    control,
    routeKeys: [...router.keys],
    async close() {
      if (closed) return;
      closed = true;
      if (saveTimer !== undefined) clearTimeout(saveTimer);
      save();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

function loadPersisted(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`persist file ${file}: not valid JSON`);
  }
  const parsed = persistedStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `persist file ${file}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  // GETs without a body are the hot path: skip the stream machinery when there is nothing to read.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function errorResponse(error: unknown, log: ((line: string) => void) | undefined): SimResponse {
  if (error instanceof SimHttpError)
    return { status: error.status, json: error.body, headers: error.headers };
  if (error instanceof z.ZodError) {
    return { status: 422, json: { detail: zodIssuesToDetail(error.issues, ['body'], undefined) } };
  }
  // A simulator bug: a generic 500 like Django's, counted like any other answer; the message goes to the log.
  log?.(`podero-simulator: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  return { status: 500, json: { detail: 'Internal Server Error' } };
}

/** Fault bodies look like what sits in front of Podero would send: JSON for 429, HTML pages for 5xx. */
function faultResponse(status: 429 | 500 | 502 | 503, headers: Record<string, string>): SimResponse {
  if (status === 429) return { status, json: { detail: 'Too Many Requests' }, headers };
  const title = { 500: 'Server Error (500)', 502: '502 Bad Gateway', 503: '503 Service Unavailable' }[status];
  return {
    status,
    html: `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
    headers,
  };
}

function sendResponse(res: ServerResponse, response: SimResponse): void {
  if ('json' in response) {
    const body = JSON.stringify(response.json);
    res.writeHead(response.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...response.headers,
    });
    res.end(body);
  } else if ('html' in response) {
    res.writeHead(response.status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(response.html),
      ...response.headers,
    });
    res.end(response.html);
  } else {
    res.writeHead(response.status, { 'content-length': 0, ...response.headers });
    res.end();
  }
}

export type { FaultRule };
