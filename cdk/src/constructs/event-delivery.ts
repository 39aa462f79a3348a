import {
  type FunctionTrigger,
  type QueueDeclaration,
  type QueueId,
  queueDeclarations,
} from '@podero-bridge/functions/declarations';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BridgeFunction } from './bridge-function';
import { pascal } from './tables';

export interface EventDeliveryProps {
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
  /** The main table (its stream rings event-relay). */
  readonly mainTable: dynamodb.Table;
  /** Days the bus's archive keeps events for replay. */
  readonly archiveRetentionDays: number;
}

/** The Secrets Manager name prefix of a stage's webhook signing secrets. */
export const webhookSecretPrefixFor = (stage: string) => `podero-bridge/${stage}/webhooks/`;

/**
 * Where change events go (functions/src/events, functions/src/webhooks):
 * - the stage's custom EventBridge bus, with an archive so events can be replayed, for the partner's own
 *   rules and targets (`source` = `podero-bridge`, `detail-type` = the event type);
 * - the declared queues (the webhook deliveries, the sync's shards), each with an encrypted dead-letter queue that
 *   its redrive policy and its consumer both send to;
 * - the triggers the functions declare: the queue's event source mapping (batches, `maxConcurrency`,
 *   failed items reported one by one) and the main table's stream, filtered to items with pending events.
 */
export class EventDelivery extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly queues: Readonly<Record<QueueId, { queue: sqs.Queue; deadLetterQueue: sqs.Queue }>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EventDeliveryProps,
  ) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `podero-bridge-${props.stage}` });
    this.archive = this.bus.archive('Archive', {
      description: 'Every podero-bridge change event, for replay',
      eventPattern: { source: ['podero-bridge'] },
      retention: Duration.days(props.archiveRetentionDays),
    });
    const queues: Partial<Record<QueueId, { queue: sqs.Queue; deadLetterQueue: sqs.Queue }>> = {};
    for (const declaration of Object.values(queueDeclarations) as QueueDeclaration[]) {
      const deadLetterQueue = new sqs.Queue(this, `${pascal(declaration.name)}DeadLetters`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.seconds(declaration.deadLetterRetentionSeconds),
        removalPolicy: props.removalPolicy,
      });
      const queue = new sqs.Queue(this, pascal(declaration.name), {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(declaration.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: declaration.maxReceiveCount },
        removalPolicy: props.removalPolicy,
      });
      queues[declaration.id] = { queue, deadLetterQueue };
    }
    this.queues = queues as Record<QueueId, { queue: sqs.Queue; deadLetterQueue: sqs.Queue }>;
  }

  /** The function's declared trigger, if any, as an event source. */
  attachTrigger(
    fn: BridgeFunction,
    trigger: FunctionTrigger | undefined,
    stage: { maxConcurrency?: number } = {},
  ): void {
    // A bucket's notification is FileDrops' to attach.
    if (trigger === undefined || trigger.kind === 'objectCreated') return;
    if (trigger.kind === 'queue') {
      fn.function.addEventSource(
        new sources.SqsEventSource(this.queues[trigger.queue].queue, {
          batchSize: trigger.batchSize,
          maxConcurrency: stage.maxConcurrency ?? trigger.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      return;
    }
    // The stream only rings the relay (the outbox holds the events): a batch that cannot be handed over
    // after two retries is dropped, and the relay's one-minute schedule drains what it announced.
    fn.function.addEventSource(
      new sources.DynamoEventSource(this.props.mainTable, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 2,
        filters: [
          lambda.FilterCriteria.filter({ dynamodb: { NewImage: { outbox_pk: { S: ['PENDING'] } } } }),
        ],
      }),
    );
  }

  /** The declared queue access of a function: send, consume (its trigger grants that) and dead-letter. */
  grantQueues(fn: BridgeFunction, access: Partial<Record<QueueId, readonly string[]>> | undefined): void {
    for (const [queueId, levels] of Object.entries(access ?? {}) as [QueueId, readonly string[]][]) {
      const { queue, deadLetterQueue } = this.queues[queueId];
      if (levels.includes('send')) queue.grantSendMessages(fn.function);
      if (levels.includes('consume')) queue.grantConsumeMessages(fn.function);
      if (levels.includes('sendDeadLetter')) deadLetterQueue.grantSendMessages(fn.function);
    }
  }

  grantPutEvents(fn: BridgeFunction): void {
    this.bus.grantPutEventsTo(fn.function);
  }

  /** Webhook signing secrets, by name prefix: read (deliveries) or create, rotate and delete (the API). */
  grantWebhookSecrets(fn: BridgeFunction, level: 'read' | 'manage'): void {
    const stack = Stack.of(this);
    const arn = `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${webhookSecretPrefixFor(this.props.stage)}*`;
    const actions =
      level === 'read'
        ? ['secretsmanager:GetSecretValue']
        : [
            'secretsmanager:CreateSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:DeleteSecret',
            'secretsmanager:DescribeSecret',
          ];
    fn.function.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [arn] }));
  }
}
