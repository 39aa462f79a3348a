import { type FunctionId, functionDeclarations } from '@podero-bridge/functions/declarations';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BridgeFunction } from './bridge-function';
import { METRICS_NAMESPACE } from './bridge-function';

/**
 * The custom metrics the alarms watch. The functions emit them with Powertools metrics: namespace from
 * POWERTOOLS_METRICS_NAMESPACE, and Powertools adds the `service` dimension from POWERTOOLS_SERVICE_NAME,
 * which the stack sets to the function's declared name.
 */
export const CUSTOM_METRICS = {
  /** heat-pump-sync: users whose sync failed in a run (Count), emitted once per run (0 when all succeeded). */
  syncUserFailures: {
    metricName: 'SyncUserFailures',
    service: functionDeclarations.heatPumpSync.name,
  },
  /** token-refresh: seconds since the stored token was fetched (its `refreshed_at`), emitted on every run. */
  tokenAgeSeconds: {
    metricName: 'TokenAgeSeconds',
    service: functionDeclarations.tokenRefresh.name,
  },
} as const;

/** Podero's documented access-token lifetime (`expires_in: 36000`). */
export const PODERO_TOKEN_LIFETIME_SECONDS = 36_000;

export interface MonitoringProps {
  readonly functions: Readonly<Record<FunctionId, BridgeFunction>>;
  readonly httpApi: apigwv2.HttpApi;
  readonly deadLetterQueue: sqs.IQueue;
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
 * function errors and throttles, API 5xx, dead-letter queue depth, sync failures, and the token: no refresh
 * reported for 3 hours, or a stored token older than it should ever get.
 */
export class Monitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : this.createTopic(props.alarmEmail);
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

    alarm('DeadLetterQueueDepth', {
      alarmDescription:
        'A scheduled run was lost (Scheduler could not invoke, or the run failed after retries). Inspect the dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const syncFailures = customMetric(CUSTOM_METRICS.syncUserFailures, {
      period: Duration.minutes(props.syncEveryMinutes),
      statistic: cloudwatch.Stats.SUM,
    });
    alarm('SyncUserFailures', {
      alarmDescription:
        'heat-pump-sync: users failed to sync in two runs in a row. The sync summary log line names them.',
      metric: syncFailures,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const oneHour = Duration.hours(1);
    const tokenAgeSamples = customMetric(CUSTOM_METRICS.tokenAgeSeconds, {
      period: oneHour,
      statistic: cloudwatch.Stats.SAMPLE_COUNT,
    });
    alarm('TokenRefreshSilent', {
      alarmDescription:
        'token-refresh reported no run for 3 hours (it runs hourly): the stored Podero token is not being checked.',
      metric: tokenAgeSamples,
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data at all is exactly the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const maxTokenAge = maxNormalTokenAgeSeconds(
      props.tokenRefreshEveryMinutes,
      props.tokenRefreshMarginSeconds,
    );
    alarm('TokenStale', {
      alarmDescription: `The stored Podero token is older than ${maxTokenAge} s: refreshes are failing and it expires soon.`,
      metric: customMetric(CUSTOM_METRICS.tokenAgeSeconds, {
        period: oneHour,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: maxTokenAge,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
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
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Sync: users failed per run', left: [syncFailures], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Token age (s)',
        left: [
          customMetric(CUSTOM_METRICS.tokenAgeSeconds, {
            period: oneHour,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        ],
        leftAnnotations: [{ value: maxTokenAge, label: 'stale' }],
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

  private createTopic(email: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'podero-bridge alarms',
      enforceSSL: true,
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
  options: { period: Duration; statistic: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metric.metricName,
    dimensionsMap: { service: metric.service },
    ...options,
  });
}

/**
 * The oldest a stored token gets while everything works: token-refresh checks every `everyMinutes` and
 * replaces the token once less than `marginSeconds` of its lifetime remains, so a healthy token is at most
 * `lifetime - margin + interval` old. The alarm fires halfway between that point and expiry, which leaves
 * time to act. Requires margin > interval (validated by the stack), otherwise a token could expire between
 * two checks.
 */
export function maxNormalTokenAgeSeconds(everyMinutes: number, marginSeconds: number): number {
  const interval = everyMinutes * 60;
  return PODERO_TOKEN_LIFETIME_SECONDS - Math.floor((marginSeconds - interval) / 2);
}
