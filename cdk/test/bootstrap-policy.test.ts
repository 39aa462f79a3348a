import { describe, expect, it } from 'vitest';
import {
  ACTIONS_BY_RESOURCE_TYPE,
  executionPolicyFor,
  resourceTypesIn,
  UnknownResourceTypeError,
} from '../src/bootstrap-policy';

const template = (...types: string[]) => ({
  Resources: Object.fromEntries(types.map((type, i) => [`R${i}`, { Type: type, Properties: {} }])),
});

describe('executionPolicyFor', () => {
  it('grants the actions of the types the template holds and no others', () => {
    const policy = executionPolicyFor(template('AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table'));
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toContain('sqs:CreateQueue');
    expect(actions).toContain('dynamodb:CreateTable');
    expect(actions.some((a) => a.startsWith('lambda:'))).toBe(false);
    expect(actions.some((a) => a.startsWith('cloudfront:'))).toBe(false);
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
  });

  it('refuses a template with a type it has no actions for, naming it (a partial policy is a rollback)', () => {
    expect(() => executionPolicyFor(template('AWS::SQS::Queue', 'AWS::RDS::DBCluster'))).toThrow(
      UnknownResourceTypeError,
    );
    expect(() => executionPolicyFor(template('AWS::RDS::DBCluster'))).toThrow(/AWS::RDS::DBCluster/);
  });

  it('counts every Custom:: type as a custom resource: CloudFormation invokes its function', () => {
    expect(resourceTypesIn(template('Custom::CDKBucketDeployment', 'Custom::S3BucketNotifications'))).toEqual(
      ['AWS::CloudFormation::CustomResource'],
    );
    const actions = executionPolicyFor(template('Custom::CDKBucketDeployment')).Statement.flatMap(
      (s) => s.Action,
    );
    expect(actions).toContain('lambda:InvokeFunction');
  });

  it('scopes IAM to the roles the named stack creates', () => {
    const policy = executionPolicyFor(template('AWS::IAM::Role'), { stackName: 'PoderoBridge-prod' });
    const iam = policy.Statement.find((s) => s.Sid === 'iam');
    expect(iam?.Resource).toBe('arn:aws:iam::*:role/PoderoBridge-prod-*');
  });

  it('lists every action under its own service and spells it service:Action', () => {
    for (const [type, actions] of Object.entries(ACTIONS_BY_RESOURCE_TYPE)) {
      expect(actions.length, type).toBeGreaterThan(0);
      for (const action of actions)
        expect(action, type).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$|^apigateway:[A-Z]+$/);
    }
  });
});
