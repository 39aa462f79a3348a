/**
 * Every policy finding this app accepts, cdk-nag's (AwsSolutions) and Control Tower's (cfn-guard), each on the
 * narrowest construct and with the reason it is acceptable. Anything not listed here fails `cdk synth`.
 */
import {
  type ScheduleDeclaration,
  scheduleDeclarations,
  type TableDeclaration,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import { CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { webhookSecretPrefixFor } from './constructs/event-delivery';
import type { PoderoBridgeStack } from './podero-bridge-stack';

/** The cfn-guard plugin's name: its findings are acknowledged as `<plugin>::<rule name>`. */
export const CFN_GUARD_PLUGIN = 'cdk-validator-cfnguard';

export function acknowledgeFindings(stack: PoderoBridgeStack): void {
  acknowledgeControlTowerFindings(stack);

  // Public routes exist on purpose: liveness probes and API clients fetch them without a token.
  for (const [operationId, route] of stack.httpApi.routes) {
    if (stack.httpApi.publicOperationIds.has(operationId)) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${operationId} is declared public (functions/src/declarations.ts): it serves only liveness/version or the API description, no user data.`,
      });
    }
  }

  // DynamoDB grants include `<table>/index/*`: Query on a GSI is authorised on the index ARN. The wildcard
  // covers only the indexes of that one table (declared in declarations.ts), not other tables.
  for (const declaration of Object.values(tableDeclarations) as TableDeclaration[]) {
    if (declaration.globalSecondaryIndexes.length === 0) continue;
    const table = stack.tables.byId[declaration.id];
    const logicalId = logicalIdOf(table.node.defaultChild);
    for (const fn of Object.values(stack.functions)) {
      if (fn.declaration.access.tables[declaration.id] === undefined) continue;
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
        reason: `${fn.declaration.name} queries the ${declaration.id} table's own global secondary indexes; the wildcard is limited to indexes of that table.`,
      });
    }
  }

  // aws-scheduler-targets' LambdaInvoke grants invoke on `<function arn>:*` as well as the function: the
  // wildcard only spans versions/aliases of that one function, and the schedule invokes the unqualified one.
  for (const declaration of scheduleDeclarations as readonly ScheduleDeclaration[]) {
    const role = stack.schedules.roles.get(declaration.name);
    const target = stack.functions[declaration.function].function;
    if (!role) continue;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(target.node.defaultChild)}.Arn>:*]`,
      reason: `The ${declaration.name} schedule may invoke only ${stack.functions[declaration.function].declaration.name}; the wildcard covers that function's versions and aliases (added by the LambdaInvoke target).`,
    });
  }

  // Active tracing adds `xray:PutTraceSegments` and `xray:PutTelemetryRecords` on `*`: X-Ray's write
  // actions have no resource-level permissions (the Service Authorization Reference lists no resource type).
  for (const fn of Object.values(stack.functions)) {
    if (!fn.tracing) continue;
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${fn.declaration.name} sends its X-Ray segments (the stage traces): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource but '*'. The role's other grants are on named resources.`,
    });
  }

  // The main table's stream rings event-relay: DynamoEventSource grants dynamodb:ListStreams, which supports
  // no resource but '*' (it only lists stream ARNs; reading a stream is granted on this table's stream alone).
  for (const fn of Object.values(stack.functions)) {
    if (fn.declaration.trigger?.kind !== 'outboxStream') continue;
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${fn.declaration.name} is triggered by the main table's stream: dynamodb:ListStreams supports no resource but '*' (the stream's own read actions are granted on its ARN only).`,
    });
  }

  // Webhook signing secrets are one per endpoint, created at run time: the grant is on the stage's name
  // prefix (podero-bridge/<stage>/webhooks/*), no other secret.
  // cdk-nag prints the ARN as synthesized: the region and account literally when the stage names them.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  for (const fn of Object.values(stack.functions)) {
    if (fn.declaration.access.webhookSecrets === undefined) continue;
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${webhookSecretPrefixFor(stack.stageName)}*]`,
      reason: `${fn.declaration.name} ${fn.declaration.access.webhookSecrets === 'read' ? 'reads' : 'creates, rotates and deletes'} the webhook signing secrets, one per endpoint and created at run time, so the grant is on the stage's webhook prefix only.`,
    });
  }
  const webhookDeadLetters = stack.eventDelivery.queues.webhookDeliveries.deadLetterQueue;
  Validations.of(webhookDeadLetters).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the webhook deliveries; its depth is alarmed.',
  });

  Validations.of(stack.secrets.token).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The token secret is rotated by design without a rotation Lambda: token-refresh (scheduled hourly) replaces the Podero access token before it expires.',
  });
  if (stack.secrets.createdCredentials) {
    Validations.of(stack.secrets.createdCredentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Podero OAuth client credentials can only be re-issued by a person in the Podero web app (no API to rotate them); infra/README.md describes the manual rotation with put-secret-value.',
    });
  }

  Validations.of(stack.schedules.deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter queue of the schedules and of the scheduled functions’ failed asynchronous runs; its depth is alarmed.',
  });
}

/** Control Tower's proactive controls (cfn-guard) that do not fit this stack, and why. */
function acknowledgeControlTowerFindings(stack: PoderoBridgeStack): void {
  const guard = (rule: string) => `${CFN_GUARD_PLUGIN}::${rule}`;
  for (const [operationId, route] of stack.httpApi.routes) {
    // CT.LAMBDA.PR.2 reads a permission's SourceArn only as a string or a Ref; API Gateway's is an Fn::Join.
    Validations.of(route).acknowledge({
      id: guard('lambda_function_public_access_prohibited_check'),
      reason: `The permission lets only apigateway.amazonaws.com invoke the api, with SourceArn set to this HTTP API's ${operationId} route (an Fn::Join the rule cannot evaluate); infra/test/stack.test.ts checks every permission's SourceArn.`,
    });
    if (stack.httpApi.publicOperationIds.has(operationId)) {
      Validations.of(route).acknowledge({
        id: guard('api_gw_v2_authorization_type_configured_check'),
        reason: `${operationId} is declared public (functions/src/declarations.ts): liveness, the API description, or the re-authentication callback, which a customer's browser reaches with a single-use state instead of a token.`,
      });
    }
  }
  const logGroups = [
    ...Object.values(stack.functions).map((fn) => fn.logGroup),
    stack.httpApi.accessLogGroup,
  ];
  for (const logGroup of logGroups) {
    Validations.of(logGroup).acknowledge(
      {
        id: guard('cloudwatch_log_group_retention_period_check'),
        reason:
          'Retention is a per-stage choice (logRetentionDays in infra/stages.json: 14 days by default, 90 in prod): the logs carry external user ids and the access logs caller IPs, kept no longer than operating needs (data minimisation). A stage may set 365 or more.',
      },
      {
        id: guard('cloudwatch_log_group_encrypted_check'),
        reason:
          'CloudWatch Logs encrypts every log group at rest with keys of its own; the logs hold no secret or token (the leak scan and the tests check it), so a customer managed key would add a key to run and pay for without protecting anything more.',
      },
    );
  }
  Validations.of(stack.schedules.deadLetterQueue).acknowledge({
    id: guard('sqs_dlq_check'),
    reason:
      'This queue is itself the dead-letter queue of the schedules and of the scheduled functions’ failed asynchronous runs; a queue behind it would only move the same messages again. Its depth is alarmed.',
  });
  Validations.of(stack.eventDelivery.queues.webhookDeliveries.deadLetterQueue).acknowledge({
    id: guard('sqs_dlq_check'),
    reason:
      'This queue is itself the dead-letter queue of the webhook deliveries (their redrive policy and webhook-delivery send to it); its depth is alarmed.',
  });
  for (const fn of Object.values(stack.functions)) {
    Validations.of(fn.function).acknowledge({
      id: guard('lambda_inside_vpc_check'),
      reason: `${fn.declaration.name} reaches only DynamoDB, Secrets Manager, Lambda and Podero's public HTTPS API, all through IAM or TLS; a VPC would add NAT gateways (cost, and a fixed egress IP nobody asked for) and cold-start time without reducing what the function can reach.`,
    });
  }
}

/** The logical id cdk-nag prints in `Resource::<LogicalId.Arn>` findings. */
function logicalIdOf(resource: IConstruct | undefined): string {
  if (!resource || !CfnElement.isCfnElement(resource)) {
    throw new Error('expected a CloudFormation resource');
  }
  return Stack.of(resource).getLogicalId(resource);
}
