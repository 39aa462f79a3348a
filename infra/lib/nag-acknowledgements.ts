/**
 * Every cdk-nag (AwsSolutions) finding this app accepts, each on the narrowest construct and with the reason it
 * is acceptable. Anything not listed here fails `cdk synth`.
 */
import {
  type ScheduleDeclaration,
  scheduleDeclarations,
  type TableDeclaration,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PoderoBridgeStack } from './podero-bridge-stack';

export function acknowledgeFindings(stack: PoderoBridgeStack): void {
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

/** The logical id cdk-nag prints in `Resource::<LogicalId.Arn>` findings. */
function logicalIdOf(resource: IConstruct | undefined): string {
  if (!resource || !CfnElement.isCfnElement(resource)) {
    throw new Error('expected a CloudFormation resource');
  }
  return Stack.of(resource).getLogicalId(resource);
}
