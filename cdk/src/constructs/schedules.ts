import {
  type FunctionId,
  rateExpression,
  type ScheduleDeclaration,
  scheduleDeclarations,
} from '@podero-bridge/functions/declarations';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BridgeFunction } from './bridge-function';
import { pascal } from './tables';

/** How often Scheduler retries an invoke that Lambda refused (throttle, service error). */
export const SCHEDULER_RETRY_ATTEMPTS = 3;

export interface SchedulesProps {
  readonly functions: Readonly<Record<FunctionId, BridgeFunction>>;
  /** Stage overrides of the declared intervals, by schedule name. */
  readonly everyMinutesByName: Readonly<Record<string, number>>;
  /** The dead-letter queue's: in a retaining stage lost runs stay inspectable after the stack is gone. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One EventBridge Scheduler schedule per declared schedule, all sharing an encrypted dead-letter queue:
 * - Scheduler retries an invoke Lambda rejects and, when that fails or the event grows too old, sends it
 *   to the queue;
 * - the target function's asynchronous invoke config sends a run that failed (after its retries) to the
 *   same queue, so one depth alarm covers both ways a scheduled run can be lost.
 */
export class Schedules extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly byName: ReadonlyMap<string, scheduler.Schedule>;
  /** The role each schedule assumes to invoke its target, by schedule name. */
  readonly roles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });

    const byName = new Map<string, scheduler.Schedule>();
    const roles = new Map<string, iam.Role>();
    for (const declaration of scheduleDeclarations as readonly ScheduleDeclaration[]) {
      const everyMinutes = props.everyMinutesByName[declaration.name] ?? declaration.everyMinutes;
      const target = props.functions[declaration.function];
      // A scheduled event older than one interval is stale: the next run does the same work.
      const maxEventAge = Duration.minutes(Math.min(Math.max(everyMinutes, 1), 24 * 60));

      // Our own role, so the stack can name it (cdk-nag acknowledgement) and restrict who may assume it. The
      // LambdaInvoke target grants it lambda:InvokeFunction on the function (and its qualifiers) and
      // sqs:SendMessage on the dead-letter queue; nothing else.
      const role = new iam.Role(this, `${pascal(declaration.name)}Role`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: `EventBridge Scheduler: ${declaration.name} schedule`,
      });
      roles.set(declaration.name, role);

      byName.set(
        declaration.name,
        new scheduler.Schedule(this, pascal(declaration.name), {
          description: declaration.description,
          schedule: scheduler.ScheduleExpression.expression(rateExpression(everyMinutes)),
          target: new targets.LambdaInvoke(target.function, {
            role,
            input: scheduler.ScheduleTargetInput.fromObject(declaration.payload),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: SCHEDULER_RETRY_ATTEMPTS,
            maxEventAge,
          }),
        }),
      );

      configureAsyncFailures(target.function, everyMinutes, maxEventAge, this.deadLetterQueue);
    }
    this.byName = byName;
    this.roles = roles;
  }
}

/**
 * Lambda retries a failed asynchronous run up to twice. That is right when the retries finish well before
 * the next scheduled run; a long run (heat-pump-sync may take its full timeout) is not retried, because the
 * retry would overlap the next run: the next run is the retry.
 */
export function asyncRetryAttempts(timeoutSeconds: number, everyMinutes: number): 0 | 2 {
  return timeoutSeconds * 3 <= everyMinutes * 60 ? 2 : 0;
}

function configureAsyncFailures(
  fn: lambda.Function,
  everyMinutes: number,
  maxEventAge: Duration,
  deadLetterQueue: sqs.IQueue,
): void {
  fn.configureAsyncInvoke({
    retryAttempts: asyncRetryAttempts(fn.timeout?.toSeconds() ?? 3, everyMinutes),
    maxEventAge,
    onFailure: new SqsDestination(deadLetterQueue),
  });
}
