/**
 * 1. Cold start: each function's production-like bundle (esbuild with the CDK app's options) imported by a
 * fresh `node` process and invoked once, against its SDK floor: a handler bundled the same way that creates
 * the SDK clients the function's first invocation needs and makes the same remote calls directly
 * (children/floors/). The gap is our own code. Dependencies are local (simulator, dynalite, local Secrets
 * Manager via endpoint variables). Rounds interleave the bundles so that machine noise spreads over all.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { type FunctionId, functionDeclarations } from '@podero-bridge/functions/declarations';
import { apiEvent, userClaims } from '@podero-bridge/functions/testing';
import { BUNDLE_BASELINE_BYTES, BUNDLE_BUDGET_BYTES } from '@podero-bridge/infra/budgets';
import { type Bundle, bundleLikeLambda, bundleMinimalHandler } from './harness/bundles';
import { type InvokeReport, prepareInvoker } from './harness/invoke';
import { putTokenSecret, startLocalBridge } from './harness/local-bridge';
import { childBaseEnv, REPO_ROOT } from './harness/processes';
import { type Benchmark, figure, type Row, rowFromStat } from './harness/report';
import { stat } from './harness/stats';
import { SYNC_ENGINE_ENTRY } from './sync-throughput';

const ROUNDS = 8;
/** Each function within this factor of its SDK floor (issue 21). */
const TARGET_RATIO = 1.3;
/** token-refresh gets its own token secret, emptied before each run, so every cold start really fetches. */
const COLD_TOKEN_SECRET_ID = 'bench/cold-start-token';
/** The functions on the request and sync paths; event-relay and webhook-delivery are measured by `pnpm bench webhooks`. */
type MeasuredFunction = Extract<FunctionId, 'api' | 'tokenRefresh' | 'syncPlanner'>;
const FUNCTION_IDS: readonly MeasuredFunction[] = ['api', 'tokenRefresh', 'syncPlanner'];

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

/** Each measured function's floor (children/floors/<file>). */
const FLOORS = {
  api: { subject: 'apiFloor', file: 'api-floor.ts' },
  tokenRefresh: { subject: 'tokenRefreshFloor', file: 'token-refresh-floor.ts' },
  syncPlanner: { subject: 'heatPumpSyncFloor', file: 'sync-floor.ts' },
} as const satisfies Record<MeasuredFunction, { subject: string; file: string }>;
type FloorSubject = (typeof FLOORS)[MeasuredFunction]['subject'];

/** `apiTraced`: the api's bundle again, with tracing on as Lambda runs it (X-Ray SDK in Lambda mode). */
type Subject = MeasuredFunction | FloorSubject | 'minimal' | 'apiTraced';
const floorOf = (subject: Subject): FloorSubject | undefined =>
  subject === 'apiTraced'
    ? FLOORS.api.subject
    : subject in FLOORS
      ? FLOORS[subject as MeasuredFunction].subject
      : undefined;

/** What a correct first invocation returns; a cold start that fails does not count. */
function checkResult(subject: Subject, result: unknown): void {
  const r = (result ?? {}) as Record<string, unknown>;
  const ok =
    subject === 'minimal' || subject === 'apiFloor' || subject === 'api' || subject === 'apiTraced'
      ? r.statusCode === 200
      : subject === 'tokenRefresh' || subject === 'tokenRefreshFloor'
        ? r.status === 'refreshed'
        : r.failures === 0 && r.completed_pass === true && typeof r.users === 'number' && r.users > 0;
  if (!ok)
    throw new Error(`${subject}: unexpected first-invocation result ${JSON.stringify(result).slice(0, 300)}`);
}

export const coldStartBenchmark: Benchmark = {
  name: 'cold-start',
  title: "Cold start (fresh node process: import the bundle + first invocation) vs each function's SDK floor",
  async run(ctx) {
    const dir = await mkdtemp(path.join(tmpdir(), 'podero-bench-cold-'));
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    // The traced api sends its segments here, as to the X-Ray daemon; they are counted, not kept.
    const daemon = createSocket('udp4');
    let segmentsReceived = 0;
    daemon.on('message', () => {
      segmentsReceived++;
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    try {
      ctx.log('bundling the functions like the CDK app does');
      const bundles = {} as Record<Subject, Bundle>;
      bundles.minimal = await bundleMinimalHandler(path.join(dir, 'minimal'));
      for (const { subject, file } of Object.values(FLOORS)) {
        bundles[subject] = await bundleLikeLambda(
          path.join(import.meta.dirname, 'children', 'floors', file),
          path.join(dir, subject),
        );
      }
      for (const id of FUNCTION_IDS) {
        // heat-pump-sync: the engine as a worker runs it (the planner is a Query walk and a few SQS calls).
        const entry = path.join(
          REPO_ROOT,
          'functions',
          id === 'syncPlanner' ? SYNC_ENGINE_ENTRY : functionDeclarations[id].entry,
        );
        bundles[id] = await bundleLikeLambda(entry, path.join(dir, id));
      }
      // A tracing stage's bundle carries the X-Ray SDK; the default stage's does not.
      bundles.apiTraced = await bundleLikeLambda(
        path.join(REPO_ROOT, 'functions', functionDeclarations.api.entry),
        path.join(dir, 'apiTraced'),
        { tracing: true },
      );
      const invoke = await prepareInvoker(dir);

      const tables = await bridge.createTables('cold');
      const users = await bridge.seedUsers(tables, 10, { prefix: 'bench-cold' });
      const [user] = users;
      if (!user) throw new Error('seeding returned no user');
      // The floors write simpler items than the functions do, so they get tables (and users) of their own.
      const floorTables = await bridge.createTables('cold-floor');
      const [floorUser] = await bridge.seedUsers(floorTables, 10, { prefix: 'bench-cold-floor' });
      if (!floorUser) throw new Error('seeding returned no user');
      await bridge.refreshToken();
      await bridge.secrets.send(new CreateSecretCommand({ Name: COLD_TOKEN_SECRET_ID, SecretString: '{}' }));

      const specs: Record<Subject, { event: unknown; env: Record<string, string>; timeoutMs: number }> = {
        minimal: { event: {}, env: childBaseEnv(), timeoutMs: 3_000 },
        apiFloor: {
          event: apiEvent('listHeatPumps', { params: { external_user_id: floorUser.externalUserId } }),
          env: bridge.env('api', floorTables),
          timeoutMs: 3_000,
        },
        tokenRefreshFloor: {
          event: {},
          env: bridge.env('tokenRefresh', floorTables, { TOKEN_SECRET_ID: COLD_TOKEN_SECRET_ID }),
          timeoutMs: 3_000,
        },
        heatPumpSyncFloor: { event: {}, env: bridge.env('syncWorker', floorTables), timeoutMs: 10_000 },
        api: {
          event: apiEvent('listHeatPumps', {
            params: { external_user_id: user.externalUserId },
            query: { max_age_seconds: '0' },
            claims: userClaims(user.externalUserId),
          }),
          env: bridge.env('api', tables),
          timeoutMs: functionDeclarations.api.timeoutSeconds * 1000,
        },
        apiTraced: {
          event: apiEvent('listHeatPumps', {
            params: { external_user_id: user.externalUserId },
            query: { max_age_seconds: '0' },
            claims: userClaims(user.externalUserId),
          }),
          env: {
            ...bridge.env('api', tables),
            ...lambdaTracingEnv(daemon.address().port),
          },
          timeoutMs: functionDeclarations.api.timeoutSeconds * 1000,
        },
        tokenRefresh: {
          event: { source: 'schedule', force: false },
          env: bridge.env('tokenRefresh', tables, { TOKEN_SECRET_ID: COLD_TOKEN_SECRET_ID }),
          timeoutMs: functionDeclarations.tokenRefresh.timeoutSeconds * 1000,
        },
        syncPlanner: {
          event: { source: 'schedule' },
          env: bridge.env('syncWorker', tables),
          timeoutMs: functionDeclarations.syncWorker.timeoutSeconds * 1000,
        },
      };
      // Each floor runs right before its function, so both see the machine alike.
      const subjects: Subject[] = [
        'minimal',
        ...FUNCTION_IDS.flatMap((id) => [FLOORS[id].subject, id]),
        'apiTraced',
      ];
      const runOnce = async (subject: Subject): Promise<InvokeReport> => {
        if (subject === 'tokenRefresh' || subject === 'tokenRefreshFloor')
          await putTokenSecret(bridge.secrets, {}, COLD_TOKEN_SECRET_ID);
        const spec = specs[subject];
        const report = await invoke(
          { bundle: bundles[subject].file, event: spec.event, timeoutMs: spec.timeoutMs },
          spec.env,
        );
        checkResult(subject, report.invocations[0]?.result);
        return report;
      };

      // One untimed round warms the file cache and the local services.
      for (const subject of subjects) await runOnce(subject);
      const reports = Object.fromEntries(subjects.map((s) => [s, [] as InvokeReport[]])) as Record<
        Subject,
        InvokeReport[]
      >;
      for (let round = 0; round < ROUNDS; round++) {
        ctx.log(`round ${round + 1}/${ROUNDS}`);
        for (const subject of subjects) reports[subject].push(await runOnce(subject));
      }

      const total = (subject: Subject) => stat(reports[subject].map((r) => r.first_response_ms));
      const baseline = total('minimal');
      const rows: Row[] = [];
      const labelOf = (subject: Subject): string =>
        subject === 'minimal'
          ? 'minimal handler'
          : subject === 'apiTraced'
            ? 'api, traced'
            : subject === 'syncPlanner'
              ? `${functionDeclarations.syncWorker.name} engine`
              : subject in FLOORS
                ? functionDeclarations[subject as MeasuredFunction].name
                : `${labelOf(FUNCTION_IDS.find((id) => FLOORS[id].subject === subject) ?? 'minimal')} SDK floor`;
      for (const subject of subjects) {
        const label = labelOf(subject);
        const kb = bundles[subject].bytes / 1024;
        // The sync subject is the engine a worker runs (lambdas/syncWorker/whole-walk-entry.ts): the worker's bundle budget.
        const functionId: FunctionId | undefined =
          subject === 'apiTraced'
            ? 'api'
            : subject === 'syncPlanner'
              ? 'syncWorker'
              : subject in FLOORS
                ? (subject as MeasuredFunction)
                : undefined;
        const budget = functionId === undefined ? undefined : BUNDLE_BUDGET_BYTES[functionId];
        rows.push(
          figure(
            label,
            'bundle size',
            'KB',
            kb,
            budget === undefined
              ? undefined
              : {
                  text: `<= ${Math.round(budget / 1024)} KB (infra budget)`,
                  met: bundles[subject].bytes <= budget,
                },
          ),
        );
        const t = total(subject);
        rows.push(
          rowFromStat(label, 'start+import+1st invoke', 'ms', t, {
            samples: reports[subject].map((r) => r.first_response_ms),
          }),
        );
        rows.push(
          rowFromStat(label, 'import (module init)', 'ms', stat(reports[subject].map((r) => r.import_ms))),
        );
        rows.push(
          rowFromStat(
            label,
            'first invocation',
            'ms',
            stat(reports[subject].map((r) => r.invocations[0]?.ms ?? 0)),
          ),
        );
        rows.push(
          rowFromStat(label, 'peak RSS', 'MB', stat(reports[subject].map((r) => r.max_rss_kb / 1024))),
        );
        if (functionId !== undefined) {
          rows.push(
            figure(
              label,
              'bundle vs 2026-12-02',
              'x',
              bundles[subject].bytes / BUNDLE_BASELINE_BYTES[functionId],
            ),
          );
        }
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
      const traced = total('apiTraced');
      const untraced = total('api');
      rows.push(figure('api, traced', 'added by tracing', 'ms', traced.median - untraced.median));
      // Each traced run sends at least its handler subsegment: a traced run that sent nothing measured nothing.
      if (segmentsReceived < ROUNDS)
        throw new Error(`the traced api sent ${segmentsReceived} X-Ray documents`);
      return {
        rows,
        notes: [
          `cold-start: ${ROUNDS} rounds (+1 warm-up), one fresh process per run; time = from the process's time origin to the first handler result (Node.js ${process.version} start-up included for every bundle alike). Lambda runs Node.js 24; esbuild targets node24 as infra does.`,
          `cold-start: "api, traced" is the api's bundle with tracing on as in a tracing stage (LAMBDA_TASK_ROOT, a sampled _X_AMZN_TRACE_ID, POWERTOOLS_TRACE_ENABLED=true), sending to a UDP socket standing in for the X-Ray daemon (${segmentsReceived} documents received).`,
          'cold-start: baselines, bundled with the same options: a minimal handler, and per function its SDK floor (children/floors/): the SDK clients its first invocation needs and the same remote calls (DynamoDB, Secrets Manager, Podero over node:http) issued directly, without validation, logging or metrics. First invocations: api GET /users/{id}/heat-pumps?max_age_seconds=0 (live), token-refresh scheduled run that fetches a token, heat-pump-sync pass over 10 users; dependencies local over loopback.',
        ],
      };
    } finally {
      daemon.close();
      await bridge.close();
      // A profiled run keeps its bundles: the profiles' source maps are in them.
      if (process.env.BENCH_CPU_PROF) ctx.log(`bundles kept in ${dir} for the profiles`);
      else await rm(dir, { recursive: true, force: true });
    }
  },
};
