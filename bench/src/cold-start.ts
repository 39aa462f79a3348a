/**
 * 1. Cold start: each function's production-like bundle (esbuild with the CDK app's options) imported by a
 * fresh `node` process and invoked once, against the same for a minimal handler bundle. Dependencies are
 * local (simulator, dynalite, local Secrets Manager via endpoint variables). Rounds interleave the bundles
 * so that machine noise spreads over all of them.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { type FunctionId, functionDeclarations } from '@podero-bridge/functions/declarations';
import { apiEvent, userClaims } from '@podero-bridge/functions/testing';
import { BUNDLE_BUDGET_BYTES } from '@podero-bridge/infra/budgets';
import { type Bundle, bundleLikeLambda, bundleMinimalHandler } from './harness/bundles';
import { type InvokeReport, prepareInvoker } from './harness/invoke';
import { putTokenSecret, startLocalBridge } from './harness/local-bridge';
import { childBaseEnv, REPO_ROOT } from './harness/processes';
import { type Benchmark, figure, type Row, rowFromStat } from './harness/report';
import { stat } from './harness/stats';
import { SYNC_ENGINE_ENTRY } from './sync-throughput';

const ROUNDS = 8;
const TARGET_RATIO = 2.0;
/** token-refresh gets its own token secret, emptied before each run, so every cold start really fetches. */
const COLD_TOKEN_SECRET_ID = 'bench/cold-start-token';
/** The functions on the request and sync paths; event-relay and webhook-delivery are measured by `pnpm bench webhooks`. */
type MeasuredFunction = Extract<FunctionId, 'api' | 'tokenRefresh' | 'heatPumpSync'>;
const FUNCTION_IDS: readonly MeasuredFunction[] = ['api', 'tokenRefresh', 'heatPumpSync'];

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

/** `apiTraced`: the api's bundle again, with tracing on as Lambda runs it (X-Ray SDK in Lambda mode). */
type Subject = MeasuredFunction | 'minimal' | 'sdkBaseline' | 'apiTraced';

/** What a correct first invocation returns; a cold start that fails does not count. */
function checkResult(subject: Subject, result: unknown): void {
  const r = (result ?? {}) as Record<string, unknown>;
  const ok =
    subject === 'minimal' || subject === 'sdkBaseline' || subject === 'api' || subject === 'apiTraced'
      ? r.statusCode === 200
      : subject === 'tokenRefresh'
        ? r.status === 'refreshed'
        : r.failures === 0 && r.completed_pass === true && typeof r.users === 'number' && r.users > 0;
  if (!ok)
    throw new Error(`${subject}: unexpected first-invocation result ${JSON.stringify(result).slice(0, 300)}`);
}

export const coldStartBenchmark: Benchmark = {
  name: 'cold-start',
  title: 'Cold start (fresh node process: import the bundle + first invocation) vs a minimal handler',
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
      bundles.sdkBaseline = await bundleLikeLambda(
        path.join(import.meta.dirname, 'children', 'sdk-baseline-handler.ts'),
        path.join(dir, 'sdk-baseline'),
      );
      for (const id of FUNCTION_IDS) {
        // heat-pump-sync: the engine as a worker runs it (the planner is a Query walk and a few SQS calls).
        const entry = path.join(
          REPO_ROOT,
          'functions',
          id === 'heatPumpSync' ? SYNC_ENGINE_ENTRY : functionDeclarations[id].entry,
        );
        bundles[id] = await bundleLikeLambda(entry, path.join(dir, id));
      }
      bundles.apiTraced = bundles.api;
      const invoke = await prepareInvoker(dir);

      const tables = await bridge.createTables('cold');
      const users = await bridge.seedUsers(tables, 10, { prefix: 'bench-cold' });
      const [user] = users;
      if (!user) throw new Error('seeding returned no user');
      await bridge.refreshToken();
      await bridge.secrets.send(new CreateSecretCommand({ Name: COLD_TOKEN_SECRET_ID, SecretString: '{}' }));

      const specs: Record<Subject, { event: unknown; env: Record<string, string>; timeoutMs: number }> = {
        minimal: { event: {}, env: childBaseEnv(), timeoutMs: 3_000 },
        sdkBaseline: { event: {}, env: bridge.env('api', tables), timeoutMs: 3_000 },
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
        heatPumpSync: {
          event: { source: 'schedule' },
          env: bridge.env('syncWorker', tables),
          timeoutMs: functionDeclarations.syncWorker.timeoutSeconds * 1000,
        },
      };
      const subjects: Subject[] = ['minimal', 'sdkBaseline', ...FUNCTION_IDS, 'apiTraced'];
      const runOnce = async (subject: Subject): Promise<InvokeReport> => {
        if (subject === 'tokenRefresh') await putTokenSecret(bridge.secrets, {}, COLD_TOKEN_SECRET_ID);
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
      const sdkBaseline = total('sdkBaseline');
      const rows: Row[] = [];
      for (const subject of subjects) {
        const label =
          subject === 'minimal'
            ? 'minimal handler'
            : subject === 'sdkBaseline'
              ? 'SDK GetItem handler'
              : subject === 'apiTraced'
                ? 'api, traced'
                : functionDeclarations[subject].name;
        const kb = bundles[subject].bytes / 1024;
        const budget =
          subject === 'minimal' || subject === 'sdkBaseline'
            ? undefined
            : BUNDLE_BUDGET_BYTES[subject === 'apiTraced' ? 'api' : subject];
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
        if (subject === 'sdkBaseline') {
          rows.push(figure(label, 'ratio to minimal', 'x', t.median / baseline.median));
        } else if (subject !== 'minimal') {
          const ratio = t.median / baseline.median;
          rows.push(
            figure(label, 'ratio to minimal', 'x', ratio, {
              text: `<= ${TARGET_RATIO}x`,
              met: ratio <= TARGET_RATIO,
            }),
          );
          rows.push(figure(label, 'ratio to SDK GetItem handler', 'x', t.median / sdkBaseline.median));
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
          'cold-start: baselines: a minimal handler, and one doing a single DynamoDB GetItem with the AWS SDK v3 (children/sdk-baseline-handler.ts), both bundled with the same options. First invocations: api GET /users/{id}/heat-pumps?max_age_seconds=0 (live), token-refresh scheduled run that fetches a token, heat-pump-sync pass over 10 users; dependencies local over loopback.',
        ],
      };
    } finally {
      daemon.close();
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
