import { type FunctionId, functionDeclarations } from '@podero-bridge/functions/declarations';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BridgeFunction } from './bridge-function';
import { METRICS_NAMESPACE } from './bridge-function';

/**
 * The custom metrics the alarms watch, as the functions emit them (Powertools metrics: namespace from
 * POWERTOOLS_METRICS_NAMESPACE; Powertools adds the `service` dimension from the service name, which is the
 * function's declared name, and the functions add `stage`). Keep in step with functions/src/sync/sync.ts and
 * functions/src/tokens/refresh.ts.
 */
export const CUSTOM_METRICS = {
  /** heat-pump-sync: users whose sync failed in a run (Count), emitted once per run (0 when all succeeded). */
  syncFailures: {
    metricName: 'SyncFailures',
    service: functionDeclarations.syncWorker.name,
  },
  /** heat-pump-sync(-worker): how long a fleet pass took (at completion) or has taken so far (the planner, finding it still running). */
  syncPassDuration: {
    metricName: 'SyncPassDuration',
    services: [functionDeclarations.syncPlanner.name, functionDeclarations.syncWorker.name],
  },
  /**
   * heat-pump-sync-worker, every run (functions/src/sync/run.ts SYNC_HEALTH_METRICS): connected devices whose
   * reporting the run judged, and those of them that are stale. Summed over a sync interval, their ratio is the
   * pass's stale share, whatever its shards.
   */
  syncDevicesReportingJudged: {
    metricName: 'SyncDevicesReportingJudged',
    service: functionDeclarations.syncWorker.name,
  },
  syncDevicesStale: { metricName: 'SyncDevicesStale', service: functionDeclarations.syncWorker.name },
  /** webhook-delivery: 1 each time an endpoint is marked failing (a delivery exhausted its retries). */
  webhookEndpointFailed: {
    metricName: 'WebhookEndpointFailed',
    service: functionDeclarations.webhookDelivery.name,
  },
  /** token-refresh: 1 each time a new token is fetched and stored (scheduled or forced). */
  tokenRefreshed: {
    metricName: 'TokenRefreshed',
    service: functionDeclarations.tokenRefresh.name,
  },
  /**
   * trading-workflow, every run (functions/src/lambdas/tradingWorkflow/handler.ts TRADING_METRICS): open days
   * whose curves are not stored past `curves_late_at` (11:30 Berlin on D−1), undecided days inside the
   * confirmation margin, days that ended missed in the run.
   */
  tradingCurvesLate: { metricName: 'TradingCurvesLate', service: functionDeclarations.tradingWorkflow.name },
  tradingConfirmationsDue: {
    metricName: 'TradingConfirmationsDue',
    service: functionDeclarations.tradingWorkflow.name,
  },
  tradingDaysMissed: { metricName: 'TradingDaysMissed', service: functionDeclarations.tradingWorkflow.name },
  /** trading-forecast-drop: 1 per dropped file refused (functions/src/lambdas/forecastDrop/handler.ts). */
  tradingForecastFilesRefused: {
    metricName: 'TradingForecastFilesRefused',
    service: functionDeclarations.forecastDrop.name,
  },
} as const;

/**
 * The fleet share of stale devices (% of the connected devices a pass judged) that raises the alarm: a few
 * devices going quiet is a household's outage; a tenth of the fleet is a vendor cloud's (or Podero's).
 */
export const DEVICES_STALE_SHARE_ALARM_PERCENT = 10;

/** Failed Podero attempts (5xx, timeouts, no answer) per 5 minutes that count as Podero failing. */
export const PODERO_FAILURES_ALARM_THRESHOLD = 10;

/** The API's p99 latency alarm threshold (a quarter of its 20 s request budget). */
export const API_P99_LATENCY_ALARM_MS = 5_000;

/** Granularity of the stale-token alarm: fine enough to fire well before expiry. */
export const TOKEN_STALE_PERIOD_SECONDS = 1800;

/** Podero's documented access-token lifetime (`expires_in: 36000`). */
export const PODERO_TOKEN_LIFETIME_SECONDS = 36_000;

export interface MonitoringProps {
  /** The stack's stage: every custom-metric alarm watches this stage's metrics only (the `stage` dimension). */
  readonly stage: string;
  /** The alarm topic's key: destroyed with a dev stack, kept (pending deletion) in retaining stages. */
  readonly removalPolicy: RemovalPolicy;
  readonly functions: Readonly<Record<FunctionId, BridgeFunction>>;
  readonly httpApi: apigwv2.HttpApi;
  readonly deadLetterQueue: sqs.IQueue;
  /** Webhook deliveries that exhausted their retries (or that webhook-delivery could not process). */
  readonly webhookDeadLetterQueue: sqs.IQueue;
  readonly webhookQueue: sqs.IQueue;
  /** The fleet sync's shard queue and its dead-letter queue. */
  readonly syncShardQueue: sqs.IQueue;
  readonly syncShardDeadLetterQueue: sqs.IQueue;
  /** Erasure sweeps that failed on every receive (their job stays `in_progress`). */
  readonly erasureDeadLetterQueue: sqs.IQueue;
  readonly alarmEmail?: string;
  readonly alarmTopicArn?: string;
  /** Interval of the heat-pump-sync schedule: the period of the sync-failure alarm. */
  readonly syncEveryMinutes: number;
  /** Interval of the token-refresh schedule and the refresh margin: they bound the normal token age. */
  readonly tokenRefreshEveryMinutes: number;
  readonly tokenRefreshMarginSeconds: number;
}

/**
 * Alarms (all notify one SNS topic) and a dashboard:
 * function errors and throttles, API 5xx, dead-letter queue depth, sync failures, and the token: token-refresh
 * not run for 3 hours, or no new token stored for longer than a healthy token ever lives unreplaced.
 */
export class Monitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : this.createTopic(props.alarmEmail, props.removalPolicy);
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    const fiveMinutes = Duration.minutes(5);
    const functions = Object.values(props.functions);
    for (const fn of functions) {
      const { name, reservedConcurrency } = fn.declaration;
      alarm(`${fn.node.id}Errors`, {
        alarmDescription: `${name}: at least one invocation failed in 5 minutes. See its log group.`,
        metric: fn.function.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${fn.node.id}Throttles`, {
        // A function with reserved concurrency (token-refresh: exactly one writer) is throttled by design
        // when callers ask for a refresh at the same moment; callers retry. Only a sustained pile-up matters.
        alarmDescription: `${name}: invocations throttled in 5 minutes.`,
        metric: fn.function.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        threshold: reservedConcurrency === undefined ? 1 : 10,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    alarm('ApiServerErrors', {
      alarmDescription: 'API: 5 or more 5xx responses in 5 minutes.',
      metric: props.httpApi.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Requests are answered within the API's 20 s budget (API_REQUEST_BUDGET_MS); a p99 above a quarter of
    // it for 15 minutes means Podero or DynamoDB is slow for many callers, well before answers time out.
    alarm('ApiLatencyP99', {
      alarmDescription: `API: p99 latency above ${API_P99_LATENCY_ALARM_MS} ms for 15 minutes.`,
      metric: props.httpApi.metricLatency({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: API_P99_LATENCY_ALARM_MS,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Podero's own failures, as the functions observe them (functions/src/platform/upstream-metrics.ts):
    // when this fires and the functions' error alarms do not, Podero is the one in trouble.
    const upstream: Record<string, cloudwatch.IMetric> = {};
    for (const service of [functionDeclarations.api.name, functionDeclarations.syncWorker.name]) {
      for (const metricName of ['PoderoServerErrors', 'PoderoTimeouts', 'PoderoNetworkErrors']) {
        upstream[`m${Object.keys(upstream).length}`] = customMetric({ metricName, service }, props.stage, {
          period: fiveMinutes,
          statistic: cloudwatch.Stats.SUM,
        });
      }
    }
    alarm('PoderoFailing', {
      alarmDescription: `Podero answered ${PODERO_FAILURES_ALARM_THRESHOLD} or more attempts with a 5xx, a timeout or no answer in each of two 5-minute periods (api and heat-pump-sync together). Check Podero's status before the bridge.`,
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(upstream).join(' + '),
        usingMetrics: upstream,
        period: fiveMinutes,
        label: 'Podero failures',
      }),
      threshold: PODERO_FAILURES_ALARM_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    /** A dead-letter queue holding anything alarms at once: each message is work the bridge gave up on. */
    const deadLetterDepthAlarm = (id: string, queue: sqs.IQueue, alarmDescription: string) =>
      alarm(id, {
        alarmDescription,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: fiveMinutes,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    deadLetterDepthAlarm(
      'DeadLetterQueueDepth',
      props.deadLetterQueue,
      'A scheduled run was lost (Scheduler could not invoke, or the run failed after retries). Inspect the dead-letter queue.',
    );

    deadLetterDepthAlarm(
      'WebhookDeadLetterQueueDepth',
      props.webhookDeadLetterQueue,
      'A webhook delivery exhausted its retries (or could not be processed): the endpoint is marked failing. GET /webhooks/{id}/deliveries shows the attempts; the dead-letter queue holds the events.',
    );
    alarm('WebhookEndpointFailing', {
      alarmDescription:
        'A webhook endpoint was marked failing: it did not accept an event within 8 attempts over about 28 hours.',
      metric: customMetric(CUSTOM_METRICS.webhookEndpointFailed, props.stage, {
        period: fiveMinutes,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('WebhookQueueBacklog', {
      alarmDescription:
        'Webhook deliveries wait longer than 15 minutes beyond their schedule: webhook-delivery is failing or throttled.',
      metric: props.webhookQueue.metricApproximateAgeOfOldestMessage({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      // Retries sit in the queue for up to 15 minutes by design (SQS's longest delay); more is a backlog.
      threshold: 1_800,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    deadLetterDepthAlarm(
      'SyncShardDeadLetterQueueDepth',
      props.syncShardDeadLetterQueue,
      'A shard of a fleet sync pass failed on every receive and was dead-lettered: its users were not synced in that pass (GET /sync/status names the shard). The worker log says why; Podero being out is the usual cause.',
    );
    deadLetterDepthAlarm(
      'ErasureDeadLetterQueueDepth',
      props.erasureDeadLetterQueue,
      "An offboarding's erasure sweep failed on every receive and was dead-lettered: the customer's readings, failure record or re-authentication attempts may remain (GET /users/{id}/erasure says in_progress). The erasure log says why; redrive the message once fixed.",
    );
    const syncIntervalSeconds = props.syncEveryMinutes * 60;
    // The period of every per-pass metric: one sync interval.
    const syncPeriod = Duration.minutes(props.syncEveryMinutes);
    /** A per-pass count summed over one sync interval. */
    const summedPerPass = { period: syncPeriod, statistic: cloudwatch.Stats.SUM };
    alarm('SyncShardQueueAge', {
      alarmDescription:
        'A shard waited longer than the sync interval for a worker: W (sync.workers) is too small for the fleet, or the workers are failing or throttled.',
      metric: props.syncShardQueue.metricApproximateAgeOfOldestMessage({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: syncIntervalSeconds,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const passDuration: Record<string, cloudwatch.IMetric> = {};
    for (const service of CUSTOM_METRICS.syncPassDuration.services) {
      passDuration[`p${Object.keys(passDuration).length}`] = customMetric(
        { metricName: CUSTOM_METRICS.syncPassDuration.metricName, service },
        props.stage,
        { period: syncPeriod, statistic: cloudwatch.Stats.MAXIMUM },
      );
    }
    alarm('SyncPassDuration', {
      alarmDescription:
        'A fleet sync pass took longer than the sync interval (or is still running at the next schedule): readings go stale. Raise sync.workers or the rate ceiling, or lengthen the interval (bench/README.md: sizing).',
      metric: new cloudwatch.MathExpression({
        expression: `MAX([${Object.keys(passDuration).join(', ')}])`,
        usingMetrics: passDuration,
        period: syncPeriod,
        label: 'Sync pass duration (ms)',
      }),
      threshold: syncIntervalSeconds * 1000,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const syncFailures = customMetric(CUSTOM_METRICS.syncFailures, props.stage, summedPerPass);
    alarm('SyncFailures', {
      alarmDescription:
        'heat-pump-sync: users failed to sync in two runs in a row. The sync summary log line names them.',
      metric: syncFailures,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    alarm('DevicesStaleShare', {
      alarmDescription: `More than ${DEVICES_STALE_SHARE_ALARM_PERCENT} % of the connected devices sent no new state for longer than their kind's threshold in two sync intervals in a row: a manufacturer cloud or Podero stopped reporting. GET /users?health=stale lists the customers.`,
      metric: new cloudwatch.MathExpression({
        // No judged device: no share (0), not a division by zero.
        expression: 'IF(judged > 0, 100 * stale / judged, 0)',
        usingMetrics: {
          judged: customMetric(CUSTOM_METRICS.syncDevicesReportingJudged, props.stage, summedPerPass),
          stale: customMetric(CUSTOM_METRICS.syncDevicesStale, props.stage, summedPerPass),
        },
        period: syncPeriod,
        label: 'Stale devices (% of connected)',
      }),
      threshold: DEVICES_STALE_SHARE_ALARM_PERCENT,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Day-ahead trading (runbook: infra/README.md, "Day-ahead trading"). The workflow runs every 5 minutes.
    const tradingPeriod = { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM };
    const tradingAlarms: [string, { readonly metricName: string; readonly service: string }, string][] = [
      [
        'TradingCurvesLate',
        CUSTOM_METRICS.tradingCurvesLate,
        "trading-workflow: a day's load curves are not stored by 11:30 Berlin on D−1 (the auction closes at 12:00). GET /trading/day-ahead/{zone}/days/{day} shows last_error and next_attempt_at.",
      ],
      [
        'TradingConfirmationDue',
        CUSTOM_METRICS.tradingConfirmationsDue,
        'trading-workflow: a trade is undecided within the confirmation margin (60 minutes before its deadline). The trading desk decides: POST .../confirmation.',
      ],
      [
        'TradingDayMissed',
        CUSTOM_METRICS.tradingDaysMissed,
        'trading-workflow: a day ended missed (not uploaded, no curves or no confirmation before its deadline): the fleet runs unoptimised on that day. The day names the reason.',
      ],
    ];
    for (const [id, metric, description, statistic] of [
      ...tradingAlarms.map((entry) => [...entry, cloudwatch.Stats.MAXIMUM] as const),
      [
        'TradingForecastFileRefused',
        CUSTOM_METRICS.tradingForecastFilesRefused,
        'trading-forecast-drop: a dropped forecast file was refused (its day was not stored). Its result, results/<zone>/<day>.csv.result.json in the forecast bucket, names the line and field; correct the file and drop it again before the upload deadline.',
        // One datapoint per file: any refused file in the period.
        cloudwatch.Stats.SUM,
      ] as const,
    ]) {
      alarm(id, {
        alarmDescription: description,
        metric: customMetric(metric, props.stage, { ...tradingPeriod, statistic }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    const oneHour = Duration.hours(1);
    const tokenRefresh = props.functions.tokenRefresh.function;
    alarm('TokenRefreshSilent', {
      alarmDescription:
        'token-refresh was not invoked for 3 hours (it is scheduled hourly): nobody is checking the stored Podero token. Check the schedule.',
      metric: tokenRefresh.metricInvocations({ period: oneHour, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data at all is exactly the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // The age of the token secret: how long since token-refresh last stored a new token. Healthy tokens are
    // replaced before they reach staleTokenAgeSeconds; past it the token is close to expiry.
    const staleAfter = staleTokenAgeSeconds(props.tokenRefreshEveryMinutes, props.tokenRefreshMarginSeconds);
    const stalePeriods = Math.ceil(staleAfter / TOKEN_STALE_PERIOD_SECONDS);
    const tokensStored = customMetric(CUSTOM_METRICS.tokenRefreshed, props.stage, {
      period: Duration.seconds(TOKEN_STALE_PERIOD_SECONDS),
      statistic: cloudwatch.Stats.SUM,
    });
    alarm('TokenStale', {
      alarmDescription: `No new Podero token stored for ${(stalePeriods * TOKEN_STALE_PERIOD_SECONDS) / 3600} h (healthy: at most every ${(staleAfter / 3600).toFixed(1)} h; tokens live ${PODERO_TOKEN_LIFETIME_SECONDS / 3600} h). See token-refresh logs.`,
      metric: tokensStored,
      threshold: 1,
      evaluationPeriods: stalePeriods,
      datapointsToAlarm: stalePeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Named after the stack so it is easy to find; one stack per stage keeps the name unique.
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [
          props.httpApi.metricCount({ period: fiveMinutes }),
          props.httpApi.metricClientError({ period: fiveMinutes }),
          props.httpApi.metricServerError({ period: fiveMinutes }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          props.httpApi.metricLatency({ period: fiveMinutes, statistic: 'p50' }),
          props.httpApi.metricLatency({ period: fiveMinutes, statistic: 'p99' }),
        ],
        width: 12,
      }),
    );
    for (const fn of functions) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${fn.declaration.name}: invocations, errors, throttles`,
          left: [
            fn.function.metricInvocations({ period: fiveMinutes }),
            fn.function.metricErrors({ period: fiveMinutes }),
            fn.function.metricThrottles({ period: fiveMinutes }),
          ],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${fn.declaration.name}: duration (p50, max)`,
          left: [
            fn.function.metricDuration({ period: fiveMinutes, statistic: 'p50' }),
            fn.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
          ],
          width: 12,
        }),
      );
    }
    // Podero per client operation (functions/src/platform/upstream-metrics.ts): which call is slow or failing.
    // A search, so that operations the functions start calling appear without a deploy.
    const perOperation = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},operation,service,stage} MetricName="${metricName}" stage="${props.stage}"', '${statistic}', 300)`,
        label,
        period: fiveMinutes,
      });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Podero latency per operation (p99)',
        left: [perOperation('PoderoLatency', 'p99', 'p99')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Podero 5xx and timeouts per operation',
        left: [
          perOperation('PoderoServerErrors', 'Sum', '5xx'),
          perOperation('PoderoTimeouts', 'Sum', 'timeouts'),
          perOperation('PoderoRateLimited', 'Sum', '429'),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Sync: users failed per run', left: [syncFailures], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Tokens stored per hour (left), token-refresh runs (right)',
        left: [
          customMetric(CUSTOM_METRICS.tokenRefreshed, props.stage, {
            period: oneHour,
            statistic: cloudwatch.Stats.SUM,
          }),
        ],
        right: [tokenRefresh.metricInvocations({ period: oneHour, statistic: cloudwatch.Stats.SUM })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes })],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  private createTopic(email: string | undefined, removalPolicy: RemovalPolicy): sns.Topic {
    // Encrypted at rest with a key of our own: the AWS-managed SNS key cannot be granted to CloudWatch, which
    // must be able to encrypt the messages it publishes.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'podero-bridge alarm topic',
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // Control Tower's CT.KMS.PR.3: grants on this key only for AWS services acting for a resource, so that
    // nobody can hand its use to a principal the policy does not name.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServices',
        effect: iam.Effect.DENY,
        actions: ['kms:CreateGrant'],
        principals: [new iam.AnyPrincipal()],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'podero-bridge alarms',
      enforceSSL: true,
      masterKey: key,
    });
    // CloudWatch publishes alarm state changes; nothing else needs to.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: [topic.topicArn],
        // Only alarms of this account (confused-deputy protection).
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (email) {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    return topic;
  }
}

function customMetric(
  metric: { readonly metricName: string; readonly service: string },
  stage: string,
  options: { period: Duration; statistic: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metric.metricName,
    // The functions emit `service` and `stage` (functions/src/platform/observability.ts createMetrics).
    dimensionsMap: { service: metric.service, stage },
    ...options,
  });
}

/**
 * When the token secret counts as stale. token-refresh checks every `everyMinutes` and replaces the token
 * once less than `marginSeconds` of its lifetime remains, so a healthy token is replaced at most
 * `lifetime - margin + interval` after it was stored. Stale is halfway between that point and expiry, which
 * leaves time to act. Requires margin > interval (validated by the stack), otherwise a token could expire
 * between two checks.
 */
export function staleTokenAgeSeconds(everyMinutes: number, marginSeconds: number): number {
  const interval = everyMinutes * 60;
  return PODERO_TOKEN_LIFETIME_SECONDS - Math.floor((marginSeconds - interval) / 2);
}
