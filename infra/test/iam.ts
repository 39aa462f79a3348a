import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOfType } from './support';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Effective permissions of a role: resource (as its CloudFormation expression, JSON-encoded) -> sorted
 * actions, gathered from every AWS::IAM::Policy attached to the role. Merged statements (minimizePolicies)
 * and split ones give the same result, so tests compare meaning, not layout.
 */
export function permissionsOfRole(template: Template, roleLogicalId: string): Record<string, string[]> {
  const byResource = new Map<string, Set<string>>();
  for (const policy of Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties?.Roles ?? []) as unknown[];
    if (!roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }))) continue;
    const document = policy.Properties?.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') throw new Error('unexpected Deny in a role policy');
      for (const resource of asArray(statement.Resource)) {
        const key = JSON.stringify(resource);
        const actions = byResource.get(key) ?? new Set<string>();
        for (const action of asArray(statement.Action)) actions.add(action);
        byResource.set(key, actions);
      }
    }
  }
  return Object.fromEntries(
    [...byResource.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, actions]) => [key, [...actions].sort()]),
  );
}

/** Every action string in every IAM policy and managed policy of the template. */
export function allPolicyStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))) {
    const document = policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
    statements.push(...(document?.Statement ?? []));
  }
  for (const role of Object.values(resourcesOfType(template, 'AWS::IAM::Role'))) {
    for (const inline of (role.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[]) {
      statements.push(...inline.PolicyDocument.Statement);
    }
  }
  return statements;
}

export const getAtt = (logicalId: string, attribute = 'Arn'): string =>
  JSON.stringify({ 'Fn::GetAtt': [logicalId, attribute] });
export const ref = (logicalId: string): string => JSON.stringify({ Ref: logicalId });
export const indexesOf = (tableLogicalId: string): string =>
  JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableLogicalId, 'Arn'] }, '/index/*']] });

export const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
export const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
export const TABLE_WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
export const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
export const SECRET_WRITE = ['secretsmanager:PutSecretValue'];
export const QUEUE_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];

export const sorted = (...groups: string[][]): string[] => [...new Set(groups.flat())].sort();
