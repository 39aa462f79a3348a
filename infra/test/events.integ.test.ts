import { CUSTOM_METRICS } from '@podero-bridge/cdk/internal';
import { functionDeclarations, queueDeclarations } from '@podero-bridge/functions/declarations';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, resourcesOfType, type Synthesized, stageConfig, synthesize } from './support';

let dev: Synthesized;
let prod: Synthesized;
beforeAll(() => {
  dev = synthesize(stageConfig('dev'));
  prod = synthesize(stageConfig('prod'));
});

describe('change events in AWS', () => {
  it('a custom bus per stage with an archive of every podero-bridge event, kept per the stage', () => {
    dev.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'podero-bridge-dev' });
    const archive = (s: Synthesized) =>
      Object.values(resourcesOfType(s.template, 'AWS::Events::Archive'))[0]?.Properties;
    expect(archive(dev)).toMatchObject({ RetentionDays: 30, EventPattern: { source: ['podero-bridge'] } });
    expect(archive(prod)?.RetentionDays).toBe(365);
    expect(archive(dev)?.SourceArn).toEqual({
      'Fn::GetAtt': [logicalIdOf(dev.stack, dev.stack.bridge.eventDelivery.bus), 'Arn'],
    });
  });

  it('the delivery queue: encrypted, TLS only, its visibility and redrive as declared, into an encrypted dead-letter queue', () => {
    const { queue, deadLetterQueue } = dev.stack.bridge.eventDelivery.queues.webhookDeliveries;
    const declared = queueDeclarations.webhookDeliveries;
    const queues = resourcesOfType(dev.template, 'AWS::SQS::Queue');
    const props = queues[logicalIdOf(dev.stack, queue)]?.Properties;
    expect(props).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: declared.visibilityTimeoutSeconds,
      RedrivePolicy: {
        maxReceiveCount: declared.maxReceiveCount,
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(dev.stack, deadLetterQueue), 'Arn'] },
      },
    });
    expect(queues[logicalIdOf(dev.stack, deadLetterQueue)]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: declared.deadLetterRetentionSeconds,
    });
    // The consumer's timeout fits six times in the visibility timeout (AWS's advice for event sources).
    expect(declared.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * functionDeclarations.webhookDelivery.timeoutSeconds,
    );
    const policies = Object.values(resourcesOfType(dev.template, 'AWS::SQS::QueuePolicy'));
    expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
  });

  it('webhook-delivery consumes the queue in batches, at most maxConcurrency at once, reporting failed items', () => {
    const trigger = functionDeclarations.webhookDelivery.trigger;
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(dev.stack, dev.stack.bridge.functions.webhookDelivery.function) },
      EventSourceArn: {
        'Fn::GetAtt': [
          logicalIdOf(dev.stack, dev.stack.bridge.eventDelivery.queues.webhookDeliveries.queue),
          'Arn',
        ],
      },
      BatchSize: trigger.batchSize,
      ScalingConfig: { MaximumConcurrency: trigger.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it("the main table's stream (new images) rings event-relay, filtered to items with pending events; the relay runs alone", () => {
    const main = logicalIdOf(dev.stack, dev.stack.bridge.tables.byId.main);
    expect(
      resourcesOfType(dev.template, 'AWS::DynamoDB::Table')[main]?.Properties?.StreamSpecification,
    ).toEqual({
      StreamViewType: 'NEW_IMAGE',
    });
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(dev.stack, dev.stack.bridge.functions.eventRelay.function) },
      EventSourceArn: { 'Fn::GetAtt': [main, 'StreamArn'] },
      StartingPosition: 'LATEST',
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { outbox_pk: { S: ['PENDING'] } } } }) }],
      },
    });
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: { Ref: logicalIdOf(dev.stack, dev.stack.bridge.eventDelivery.bus) },
        }),
      },
    });
  });

  it('the outbox index is sparse and keys-only', () => {
    const main = logicalIdOf(dev.stack, dev.stack.bridge.tables.byId.main);
    const indexes = resourcesOfType(dev.template, 'AWS::DynamoDB::Table')[main]?.Properties
      ?.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: unknown;
    }[];
    expect(indexes.find((index) => index.IndexName === 'outbox')?.Projection).toEqual({
      ProjectionType: 'KEYS_ONLY',
    });
  });

  it('deployed stages refuse loopback webhook URLs and name their own secret prefix', () => {
    for (const s of [dev, prod]) {
      for (const id of ['api', 'webhookDelivery'] as const) {
        const environment = resourcesOfType(s.template, 'AWS::Lambda::Function')[
          logicalIdOf(s.stack, s.stack.bridge.functions[id].function)
        ]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
        expect(environment?.Variables.WEBHOOK_ALLOW_LOOPBACK).toBe('false');
        expect(environment?.Variables.WEBHOOK_SECRET_PREFIX).toBe(
          `podero-bridge/${s.config.stage}/webhooks/`,
        );
      }
    }
  });

  it('alarms on dead-lettered deliveries, on an endpoint marked failing (this stage only) and on a delivery backlog', () => {
    const alarms = Object.values(resourcesOfType(dev.template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties ?? {},
    );
    const dlq = logicalIdOf(
      dev.stack,
      dev.stack.bridge.eventDelivery.queues.webhookDeliveries.deadLetterQueue,
    );
    expect(
      alarms.some(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions).includes(dlq) &&
          a.Threshold === 1,
      ),
    ).toBe(true);
    const failing = alarms.find((a) => a.MetricName === CUSTOM_METRICS.webhookEndpointFailed.metricName);
    expect(failing?.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'service', Value: 'webhook-delivery' },
        { Name: 'stage', Value: 'dev' },
      ]),
    );
    expect(alarms.some((a) => a.MetricName === 'ApproximateAgeOfOldestMessage')).toBe(true);
  });
});
