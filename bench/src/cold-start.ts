/**
 * 1. Cold start: each function's production-like bundle (esbuild with the CDK app's options) imported by a
 * fresh `node` process and invoked once, against its SDK floor: a handler bundled the same way that creates
 * the SDK clients the function's first invocation needs and makes the same remote calls directly
 * (children/floors/). The gap is our own code. Dependencies are local (simulator, dynalite, local Secrets
 * Manager via endpoint variables). Rounds interleave the bundles so that machine noise spreads over all.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  createApiDeps,
  createLogger,
  createRecordingMetrics,
  loadApiConfig,
  makeApiHandler,
} from '@podero-bridge/functions';
import { type FunctionId, functionDeclarations } from '@podero-bridge/functions/declarations';
import {
  apiEvent,
  type EnvironmentOverrides,
  putPendingEvent,
  userClaims,
} from '@podero-bridge/functions/testing';
import { BUNDLE_BASELINE_BYTES, BUNDLE_BUDGET_BYTES } from '@podero-bridge/infra/budgets';
import { listenLocally } from '@podero-bridge/local-aws';
import { type Bundle, bundleLikeLambda, bundleMinimalHandler } from './harness/bundles';
import { type InvokeReport, prepareInvoker } from './harness/invoke';
import { putTokenSecret, startLocalBridge, type TableNames } from './harness/local-bridge';
import { childBaseEnv, childNodeRuntimes, type NodeRuntime, REPO_ROOT } from './harness/processes';
import { type Benchmark, figure, type Row, rowFromStat } from './harness/report';
import { stat } from './harness/stats';
import { SYNC_ENGINE_ENTRY } from './sync-throughput';

/** Timed rounds; BENCH_COLD_ROUNDS=1 for a quick check that every subject runs. */
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 8);
/** Each function within this factor of its SDK floor (issue 21, every function since issue 39). */
const TARGET_RATIO = 1.3;
/** token-refresh gets its own token secret, emptied before each run, so every cold start really fetches. */
const COLD_TOKEN_SECRET_ID = 'bench/cold-start-token';
/**
 * Every deployed function (functionDeclarations), each first-invoked as it most often starts: api a live
 * heat-pump list, token-refresh a scheduled fetch, the planner a fleet pass of 10 users, the worker that
 * pass's one shard (its SQS entry), event-relay one pending event to the bus and a webhook, webhook-delivery
 * one first attempt, the erasure the first sweep of an offboarded customer, trading-workflow a scheduled run
 * with no day open. forecastDrop is not measured yet (it needs local S3 and a forecast file: bench/README.md), nor
 * historyBackfill (new with issue 35: it needs readings with gaps and the simulator's /data).
 */
/** Deployed functions the benchmark does not measure yet (bench/README.md says why). */
export const NOT_MEASURED = ['forecastDrop', 'historyBackfill'] as const satisfies readonly FunctionId[];
type MeasuredFunction = Exclude<FunctionId, (typeof NOT_MEASURED)[number]>;
export const FUNCTION_IDS: readonly MeasuredFunction[] = [
  'api',
  'tokenRefresh',
  'syncPlanner',
  'syncWorker',
  'eventRelay',
  'webhookDelivery',
  'erasureWorker',
  'tradingWorkflow',
];

/** What Lambda sets for a traced invocation (plus the Tracer switch a tracing stage sets). */
function lambdaTracingEnv(daemonPort: number): Record<string, string> {
  return {
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemonPort}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _X_AMZN_TRACE_ID: 'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    POWERTOOLS_TRACE_ENABLED: 'true',
  };
}

/** Each measured function's floor (children/floors/<file>); the sync engine's whole walk has one too. */
export const FLOORS = {
  api: { subject: 'apiFloor', file: 'api-floor.ts' },
  tokenRefresh: { subject: 'tokenRefreshFloor', file: 'token-refresh-floor.ts' },
  syncPlanner: { subject: 'plannerFloor', file: 'planner-floor.ts' },
  syncWorker: { subject: 'workerFloor', file: 'worker-floor.ts' },
  eventRelay: { subject: 'eventRelayFloor', file: 'event-relay-floor.ts' },
  webhookDelivery: { subject: 'webhookDeliveryFloor', file: 'webhook-delivery-floor.ts' },
  erasureWorker: { subject: 'erasureFloor', file: 'erasure-floor.ts' },
  tradingWorkflow: { subject: 'tradingWorkflowFloor', file: 'trading-workflow-floor.ts' },
  syncEngine: { subject: 'heatPumpSyncFloor', file: 'sync-floor.ts' },
} as const satisfies Record<MeasuredFunction | 'syncEngine', { subject: string; file: string }>;
type Floored = keyof typeof FLOORS;
type FloorSubject = (typeof FLOORS)[Floored]['subject'];

/**
 * `syncEngine`: the sync engine over the whole walk (lambdas/syncWorker/whole-walk-entry.ts, not deployed),
 * the figure the earlier rounds tracked; `apiTraced`: the api's bundle again, with tracing on as Lambda runs it.
 */
type Subject = Floored | FloorSubject | 'minimal' | 'apiTraced';
const floorOf = (subject: Subject): FloorSubject | undefined =>
  subject === 'apiTraced'
    ? FLOORS.api.subject
    : subject in FLOORS
      ? FLOORS[subject as Floored].subject
      : undefined;
const isFloored = (subject: Subject): subject is Floored => subject in FLOORS;

/** What a correct first invocation returns; a cold start that fails does not count. */
function checkResult(subject: Subject, result: unknown): void {
  const r = (result ?? {}) as Record<string, unknown>;
  const noBatchFailures = Array.isArray(r.batchItemFailures) && r.batchItemFailures.length === 0;
  const checks: Record<Subject, boolean> = {
    minimal: r.statusCode === 200,
    api: r.statusCode === 200,
    apiTraced: r.statusCode === 200,
    apiFloor: r.statusCode === 200,
    tokenRefresh: r.status === 'refreshed',
    tokenRefreshFloor: r.status === 'refreshed',
    syncEngine: r.failures === 0 && r.completed_pass === true && typeof r.users === 'number' && r.users > 0,
    heatPumpSyncFloor: r.completed_pass === true && typeof r.users === 'number' && r.users > 0,
    syncPlanner: r.outcome === 'planned' && r.shards === 1,
    plannerFloor: r.shards === 1,
    syncWorker: noBatchFailures,
    workerFloor: noBatchFailures,
    eventRelay: r.events === 1 && r.deliveries_enqueued === 1 && r.malformed === 0,
    eventRelayFloor: r.events === 1,
    webhookDelivery: noBatchFailures,
    webhookDeliveryFloor: noBatchFailures,
    erasureWorker: noBatchFailures,
    erasureFloor: noBatchFailures,
    tradingWorkflow: r.failures === 0,
    tradingWorkflowFloor: r.days === 0,
  };
  if (!checks[subject])
    throw new Error(`${subject}: unexpected first-invocation result ${JSON.stringify(result).slice(0, 300)}`);
}

/** The label of a subject in the table. */
function labelOf(subject: Subject): string {
  if (subject === 'minimal') return 'minimal handler';
  if (subject === 'apiTraced') return 'api, traced';
  if (subject === 'syncEngine') return 'heat-pump-sync engine (whole walk)';
  if (isFloored(subject))
    return subject === 'syncWorker'
      ? `${functionDeclarations.syncWorker.name} (SQS entry)`
      : functionDeclarations[subject].name;
  const owner = (Object.keys(FLOORS) as Floored[]).find((id) => FLOORS[id].subject === subject);
  return `${owner === undefined ? subject : labelOf(owner)} SDK floor`;
}

/** The deployed function whose bundle budget a subject is held to. */
function functionIdOf(subject: Subject): FunctionId | undefined {
  if (subject === 'apiTraced') return 'api';
  // The engine is the code a worker runs over a shard: the worker's bundle budget.
  if (subject === 'syncEngine') return 'syncWorker';
  return isFloored(subject) ? subject : undefined;
}

/** An SQS event as the event source mapping hands it to a function: one record. */
const sqsEventOf = (body: unknown) => ({
  Records: [
    {
      messageId: crypto.randomUUID(),
      body: JSON.stringify(body),
      eventSource: 'aws:sqs',
      attributes: { ApproximateReceiveCount: '1' },
    },
  ],
});

export const coldStartBenchmark: Benchmark = {
  name: 'cold-start',
  title:
    "Cold start (fresh node process: import the bundle + first invocation) vs each function's SDK floor, on Lambda's Node and the machine's",
  async run(ctx) {
    const dir = await mkdtemp(path.join(tmpdir(), 'podero-bench-cold-'));
    const runtimes = childNodeRuntimes(ctx.log);
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    // The traced api sends its segments here, as to the X-Ray daemon; they are counted, not kept.
    const daemon = createSocket('udp4');
    let segmentsReceived = 0;
    daemon.on('message', () => {
      segmentsReceived++;
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    // webhook-delivery's receiver: answers every attempt 204.
    let webhookAttempts = 0;
    const receiver = await listenLocally(
      createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          webhookAttempts++;
          res.writeHead(204).end();
        });
      }),
      0,
      '127.0.0.1',
    );
    try {
      ctx.log(
        `bundling the functions like the CDK app does; children on ${runtimes.map((r) => `${r.label} (${r.version})`).join(' and ')}`,
      );
      const bundles = {} as Record<Subject, Bundle>;
      bundles.minimal = await bundleMinimalHandler(path.join(dir, 'minimal'));
      for (const { subject, file } of Object.values(FLOORS)) {
        bundles[subject] = await bundleLikeLambda(
          path.join(import.meta.dirname, 'children', 'floors', file),
          path.join(dir, subject),
        );
      }
      for (const id of FUNCTION_IDS) {
        bundles[id] = await bundleLikeLambda(
          path.join(REPO_ROOT, 'functions', functionDeclarations[id].entry),
          path.join(dir, id),
        );
      }
      bundles.syncEngine = await bundleLikeLambda(
        path.join(REPO_ROOT, 'functions', SYNC_ENGINE_ENTRY),
        path.join(dir, 'syncEngine'),
      );
      // A tracing stage's bundle carries the X-Ray SDK; the default stage's does not.
      bundles.apiTraced = await bundleLikeLambda(
        path.join(REPO_ROOT, 'functions', functionDeclarations.api.entry),
        path.join(dir, 'apiTraced'),
        { tracing: true },
      );
      const invoke = await prepareInvoker(dir);

      // Every run offboards a customer of its own for the erasure to sweep.
      const erasureRuns = (ROUNDS + 1) * runtimes.length;
      const tables = await bridge.createTables('cold');
      const users = await bridge.seedUsers(tables, 10, { prefix: 'bench-cold' });
      const [user] = users;
      if (!user) throw new Error('seeding returned no user');
      // The floors write simpler items than the functions do, so they get tables (and users) of their own.
      const floorTables = await bridge.createTables('cold-floor');
      const [floorUser] = await bridge.seedUsers(floorTables, 10, { prefix: 'bench-cold-floor' });
      if (!floorUser) throw new Error('seeding returned no user');
      // Not in the users the sync walks: onboarded into a table of their own, each offboarded once.
      const erasureTables = await bridge.createTables('cold-erasure');
      const toErase = await bridge.seedUsers(erasureTables, erasureRuns, { prefix: 'bench-cold-erasure' });
      await bridge.refreshToken();
      await bridge.secrets.send(new CreateSecretCommand({ Name: COLD_TOKEN_SECRET_ID, SecretString: '{}' }));

      // The api in this process registers the webhooks and offboards the erasure's customers.
      const apiOn = (t: TableNames) =>
        makeApiHandler(
          createApiDeps(loadApiConfig(bridge.env('api', t)), {
            logger: createLogger('api', { logLevel: 'SILENT' }),
            metrics: createRecordingMetrics(),
          }),
        );
      const registerWebhook = async (t: TableNames): Promise<string> => {
        const res = await apiOn(t)(
          apiEvent('createWebhook', { body: { url: `http://127.0.0.1:${receiver.port}/hooks` } }),
        );
        if (res.statusCode !== 201) throw new Error(`createWebhook answered ${res.statusCode}: ${res.body}`);
        return (JSON.parse(res.body ?? '{}') as { id: string }).id;
      };
      // event-relay drains every pending event of its table: a table nothing else writes to, so that each
      // run relays exactly the one event put before it (webhook-delivery's endpoint is registered there too).
      const relayTables = await bridge.createTables('cold-relay');
      const webhookId = await registerWebhook(relayTables);
      const floorWebhookId = await registerWebhook(floorTables);
      const eraseApi = apiOn(erasureTables);
      const deliveryMessage = (id: string) => {
        const timestamp = new Date().toISOString();
        return {
          webhook_id: id,
          event: {
            id: `evt_${randomBytes(12).toString('hex')}`,
            type: 'user.onboarded',
            timestamp,
            data: { external_user_id: user.externalUserId },
          },
          attempt: 1,
          not_before: timestamp,
        };
      };

      const api = {
        event: apiEvent('listHeatPumps', {
          params: { external_user_id: user.externalUserId },
          query: { max_age_seconds: '0' },
          claims: userClaims(user.externalUserId),
        }),
        env: bridge.env('api', tables),
        timeoutMs: functionDeclarations.api.timeoutSeconds * 1000,
      };
      const timeoutOf = (id: FunctionId) => functionDeclarations[id].timeoutSeconds * 1000;
      const floorSpec = (id: FunctionId, extra: EnvironmentOverrides = {}) => ({
        env: bridge.env(id, floorTables, extra),
        timeoutMs: 10_000,
      });
      /** Per subject: its environment, and the event of its next run (prepared right before it). */
      const specs: Record<
        Subject,
        { env: Record<string, string>; timeoutMs: number; event: () => Promise<unknown> | unknown }
      > = {
        minimal: { event: () => ({}), env: childBaseEnv(), timeoutMs: 3_000 },
        apiFloor: {
          ...floorSpec('api'),
          event: () => apiEvent('listHeatPumps', { params: { external_user_id: floorUser.externalUserId } }),
        },
        api: { ...api, event: () => api.event },
        apiTraced: {
          env: { ...api.env, ...lambdaTracingEnv(daemon.address().port) },
          timeoutMs: api.timeoutMs,
          event: () => api.event,
        },
        tokenRefreshFloor: {
          ...floorSpec('tokenRefresh', { TOKEN_SECRET_ID: COLD_TOKEN_SECRET_ID }),
          event: async () => {
            await putTokenSecret(bridge.secrets, {}, COLD_TOKEN_SECRET_ID);
            return {};
          },
        },
        tokenRefresh: {
          env: bridge.env('tokenRefresh', tables, { TOKEN_SECRET_ID: COLD_TOKEN_SECRET_ID }),
          timeoutMs: timeoutOf('tokenRefresh'),
          event: async () => {
            await putTokenSecret(bridge.secrets, {}, COLD_TOKEN_SECRET_ID);
            return { source: 'schedule', force: false };
          },
        },
        heatPumpSyncFloor: { ...floorSpec('syncWorker'), event: () => ({}) },
        syncEngine: {
          env: bridge.env('syncWorker', tables),
          timeoutMs: timeoutOf('syncWorker'),
          event: () => ({ source: 'schedule' }),
        },
        plannerFloor: { ...floorSpec('syncPlanner'), event: () => ({ source: 'schedule' }) },
        syncPlanner: {
          env: bridge.env('syncPlanner', tables),
          timeoutMs: timeoutOf('syncPlanner'),
          event: () => ({ source: 'schedule' }),
        },
        // The shard the planner run right before put on the queue (the pass's only one).
        workerFloor: {
          ...floorSpec('syncWorker'),
          event: () => sqsEventOf({ v: 1, pass_id: lastPass.floor, shard: 0, after: null, until: null }),
        },
        syncWorker: {
          env: bridge.env('syncWorker', tables),
          timeoutMs: timeoutOf('syncWorker'),
          event: () => sqsEventOf({ v: 1, pass_id: lastPass.function, shard: 0, after: null, until: null }),
        },
        eventRelayFloor: {
          ...floorSpec('eventRelay'),
          event: async () => {
            await putPendingEvent(bridge.db, floorTables.main, floorUser.externalUserId);
            return { source: 'schedule' };
          },
        },
        eventRelay: {
          env: bridge.env('eventRelay', relayTables),
          timeoutMs: timeoutOf('eventRelay'),
          event: async () => {
            await putPendingEvent(bridge.db, relayTables.main, user.externalUserId);
            return { source: 'schedule' };
          },
        },
        webhookDeliveryFloor: {
          ...floorSpec('webhookDelivery'),
          event: () => sqsEventOf(deliveryMessage(floorWebhookId)),
        },
        webhookDelivery: {
          env: bridge.env('webhookDelivery', relayTables),
          timeoutMs: timeoutOf('webhookDelivery'),
          event: () => sqsEventOf(deliveryMessage(webhookId)),
        },
        erasureFloor: {
          ...floorSpec('erasureWorker'),
          event: () =>
            sqsEventOf({
              external_user_id: floorUser.externalUserId,
              job_id: 'USER',
              device_ids: floorUser.deviceIds,
            }),
        },
        erasureWorker: {
          env: bridge.env('erasureWorker', erasureTables),
          timeoutMs: timeoutOf('erasureWorker'),
          event: async () => {
            const next = toErase.pop();
            if (!next) throw new Error('no customer left to offboard');
            const res = await eraseApi(
              apiEvent('deleteUser', { params: { external_user_id: next.externalUserId } }),
            );
            if ((res.statusCode ?? 500) >= 300)
              throw new Error(`deleteUser answered ${res.statusCode}: ${res.body}`);
            return sqsEventOf({ external_user_id: next.externalUserId, job_id: 'USER' });
          },
        },
        tradingWorkflowFloor: { ...floorSpec('tradingWorkflow'), event: () => ({ source: 'schedule' }) },
        tradingWorkflow: {
          env: bridge.env('tradingWorkflow', tables),
          timeoutMs: timeoutOf('tradingWorkflow'),
          event: () => ({ source: 'schedule' }),
        },
      };
      const lastPass = { function: '', floor: '' };
      // Each floor runs right before its function, so both see the machine alike.
      const subjects: Subject[] = [
        'minimal',
        ...FUNCTION_IDS.flatMap((id) => [FLOORS[id].subject, id]),
        FLOORS.syncEngine.subject,
        'syncEngine',
        'apiTraced',
      ];
      const runOnce = async (subject: Subject, node: NodeRuntime): Promise<InvokeReport> => {
        const spec = specs[subject];
        const event = await spec.event();
        const report = await invoke(
          { bundle: bundles[subject].file, event, timeoutMs: spec.timeoutMs },
          spec.env,
          120_000,
          node,
        );
        const result = report.invocations[0]?.result;
        checkResult(subject, result);
        const passId = (result as { pass_id?: unknown }).pass_id;
        if (subject === 'syncPlanner' && typeof passId === 'string') lastPass.function = passId;
        if (subject === 'plannerFloor' && typeof passId === 'string') lastPass.floor = passId;
        return report;
      };

      type Reports = Record<Subject, InvokeReport[]>;
      const reports = new Map<NodeRuntime, Reports>(
        runtimes.map((node) => [
          node,
          Object.fromEntries(subjects.map((s) => [s, [] as InvokeReport[]])) as Reports,
        ]),
      );
      // One untimed round per runtime warms the file cache and the local services.
      for (const node of runtimes) for (const subject of subjects) await runOnce(subject, node);
      const attemptsBefore = webhookAttempts;
      for (let round = 0; round < ROUNDS; round++) {
        ctx.log(`round ${round + 1}/${ROUNDS}`);
        for (const node of runtimes) {
          const mine = reports.get(node) as Reports;
          for (const subject of subjects) mine[subject].push(await runOnce(subject, node));
        }
      }
      // Each timed delivery (function and floor) reached the receiver once.
      if (webhookAttempts - attemptsBefore !== 2 * ROUNDS * runtimes.length)
        throw new Error(`the receiver saw ${webhookAttempts - attemptsBefore} webhook attempts`);

      const rows: Row[] = [];
      for (const subject of subjects) {
        const id = functionIdOf(subject);
        const budget = id === undefined ? undefined : BUNDLE_BUDGET_BYTES[id];
        rows.push(
          figure(
            labelOf(subject),
            'bundle size',
            'KB',
            bundles[subject].bytes / 1024,
            budget === undefined
              ? undefined
              : {
                  text: `<= ${Math.round(budget / 1024)} KB (infra budget)`,
                  met: bundles[subject].bytes <= budget,
                },
          ),
        );
        if (id !== undefined)
          rows.push(
            figure(
              labelOf(subject),
              'bundle vs 2026-12-02',
              'x',
              bundles[subject].bytes / BUNDLE_BASELINE_BYTES[id],
            ),
          );
      }
      for (const node of runtimes) {
        const mine = reports.get(node) as Reports;
        const total = (subject: Subject) => stat(mine[subject].map((r) => r.first_response_ms));
        const baseline = total('minimal');
        for (const subject of subjects) {
          const label = `${labelOf(subject)}, ${node.label}`;
          const t = total(subject);
          rows.push(
            rowFromStat(label, 'start+import+1st invoke', 'ms', t, {
              samples: mine[subject].map((r) => r.first_response_ms),
            }),
          );
          rows.push(
            rowFromStat(label, 'import (module init)', 'ms', stat(mine[subject].map((r) => r.import_ms))),
          );
          rows.push(
            rowFromStat(
              label,
              'first invocation',
              'ms',
              stat(mine[subject].map((r) => r.invocations[0]?.ms ?? 0)),
            ),
          );
          rows.push(
            rowFromStat(label, 'peak RSS', 'MB', stat(mine[subject].map((r) => r.max_rss_kb / 1024))),
          );
          if (subject !== 'minimal')
            rows.push(figure(label, 'ratio to minimal', 'x', t.median / baseline.median));
          const floor = floorOf(subject);
          if (floor !== undefined) {
            const ratio = t.median / total(floor).median;
            rows.push(
              figure(label, 'ratio to its SDK floor', 'x', ratio, {
                text: `<= ${TARGET_RATIO}x`,
                met: ratio <= TARGET_RATIO,
              }),
            );
            rows.push(figure(label, 'added to its SDK floor', 'ms', t.median - total(floor).median));
          }
        }
        rows.push(
          figure(
            `api, traced, ${node.label}`,
            'added by tracing',
            'ms',
            total('apiTraced').median - total('api').median,
          ),
        );
      }
      // Each traced run sends at least its handler subsegment: a traced run that sent nothing measured nothing.
      if (segmentsReceived < ROUNDS * runtimes.length)
        throw new Error(`the traced api sent ${segmentsReceived} X-Ray documents`);
      return {
        rows,
        notes: [
          `cold-start: ${ROUNDS} rounds (+1 warm-up), one fresh process per run, on ${runtimes.map((r) => `${r.label} (${r.version}${r.execPath === process.execPath ? ', the machine’s' : ', the Lambda runtime’s, scripts/lambda-node.mjs'})`).join(' and ')}; the runtimes alternate within each round. Time = from the process's time origin to the first handler result (Node.js start-up included for every bundle alike). esbuild targets node24 as infra does.`,
          `cold-start: "api, traced" is the api's bundle with tracing on as in a tracing stage (LAMBDA_TASK_ROOT, a sampled _X_AMZN_TRACE_ID, POWERTOOLS_TRACE_ENABLED=true), sending to a UDP socket standing in for the X-Ray daemon (${segmentsReceived} documents received).`,
          "cold-start: baselines, bundled with the same options: a minimal handler, and per function its SDK floor (children/floors/): the SDK clients its first invocation needs and the same remote calls (DynamoDB, Secrets Manager, SQS, EventBridge, Podero and the webhook receiver over node:http) issued directly, without validation, logging or metrics. First invocations: api GET /users/{id}/heat-pumps?max_age_seconds=0 (live); token-refresh a scheduled run that fetches a token; heat-pump-sync (the planner) a fleet pass over 10 users; heat-pump-sync-worker that pass's one shard (an SQS record); event-relay one pending event to the bus and one webhook endpoint; webhook-delivery one first attempt, answered 204; erasure the first sweep of a customer offboarded right before (one heat pump); trading-workflow a scheduled run with no day open; the heat-pump-sync engine a whole walk of 10 users. Dependencies local over loopback. trading-forecast-drop is not measured yet.",
        ],
      };
    } finally {
      daemon.close();
      await receiver.close();
      await bridge.close();
      // A profiled run keeps its bundles: the profiles' source maps are in them.
      if (process.env.BENCH_CPU_PROF) ctx.log(`bundles kept in ${dir} for the profiles`);
      else await rm(dir, { recursive: true, force: true });
    }
  },
};
