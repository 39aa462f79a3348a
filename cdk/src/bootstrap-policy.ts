/**
 * The least-privilege CloudFormation execution policy for a synthesized template: the IAM actions
 * CloudFormation needs to create, update, read and delete each resource type the template actually contains,
 * and nothing for the types it does not. `cdk bootstrap --cloudformation-execution-policies <arn>` takes it
 * (infra/README.md, "A least-privilege bootstrap").
 *
 * The actions per type follow the CloudFormation resource-type schemas' handler permissions (what the
 * registry's handlers call for create, read, update, delete and list), narrowed to the features this
 * construct uses (no DynamoDB global tables or imports, no Lambda in a VPC, ...). One table, one place:
 * test/bootstrap-policy.test.ts fails when a type in the repository's templates has no entry here, so a new
 * kind of resource cannot reach a partner's account as an access-denied rollback.
 */
import * as z from 'zod';

/** Every action CloudFormation calls for one resource type (create, read, update, delete, tags). */
export const ACTIONS_BY_RESOURCE_TYPE: Readonly<Record<string, readonly string[]>> = {
  // API Gateway (HTTP API): every resource is a REST call on /apis/...; the stage's access log needs a log
  // delivery and CloudWatch Logs' resource policy.
  'AWS::ApiGatewayV2::Api': [
    'apigateway:GET',
    'apigateway:POST',
    'apigateway:PATCH',
    'apigateway:DELETE',
    'apigateway:PUT',
  ],
  'AWS::ApiGatewayV2::Authorizer': [
    'apigateway:GET',
    'apigateway:POST',
    'apigateway:PATCH',
    'apigateway:DELETE',
  ],
  'AWS::ApiGatewayV2::Integration': [
    'apigateway:GET',
    'apigateway:POST',
    'apigateway:PATCH',
    'apigateway:DELETE',
  ],
  'AWS::ApiGatewayV2::Route': ['apigateway:GET', 'apigateway:POST', 'apigateway:PATCH', 'apigateway:DELETE'],
  'AWS::ApiGatewayV2::Stage': [
    'apigateway:GET',
    'apigateway:POST',
    'apigateway:PATCH',
    'apigateway:DELETE',
    'apigateway:PUT',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  // CloudFront: the distribution writes standard logs to a bucket (CloudFront sets the bucket's ACL with the
  // caller's rights) and may name an ACM certificate.
  'AWS::CloudFront::Distribution': [
    'cloudfront:CreateDistribution',
    'cloudfront:CreateDistributionWithTags',
    'cloudfront:GetDistribution',
    'cloudfront:GetDistributionConfig',
    'cloudfront:UpdateDistribution',
    'cloudfront:DeleteDistribution',
    'cloudfront:TagResource',
    'cloudfront:UntagResource',
    'cloudfront:ListTagsForResource',
    's3:GetBucketAcl',
    's3:PutBucketAcl',
    'acm:DescribeCertificate',
    'acm:ListCertificates',
  ],
  'AWS::CloudFront::OriginAccessControl': [
    'cloudfront:CreateOriginAccessControl',
    'cloudfront:GetOriginAccessControl',
    'cloudfront:GetOriginAccessControlConfig',
    'cloudfront:UpdateOriginAccessControl',
    'cloudfront:DeleteOriginAccessControl',
  ],
  'AWS::CloudFront::ResponseHeadersPolicy': [
    'cloudfront:CreateResponseHeadersPolicy',
    'cloudfront:GetResponseHeadersPolicy',
    'cloudfront:GetResponseHeadersPolicyConfig',
    'cloudfront:UpdateResponseHeadersPolicy',
    'cloudfront:DeleteResponseHeadersPolicy',
  ],
  'AWS::CloudWatch::Alarm': [
    'cloudwatch:PutMetricAlarm',
    'cloudwatch:DescribeAlarms',
    'cloudwatch:DeleteAlarms',
    'cloudwatch:TagResource',
    'cloudwatch:UntagResource',
    'cloudwatch:ListTagsForResource',
  ],
  'AWS::CloudWatch::Dashboard': [
    'cloudwatch:PutDashboard',
    'cloudwatch:GetDashboard',
    'cloudwatch:DeleteDashboards',
  ],
  'AWS::Cognito::UserPool': [
    'cognito-idp:CreateUserPool',
    'cognito-idp:DescribeUserPool',
    'cognito-idp:UpdateUserPool',
    'cognito-idp:DeleteUserPool',
    'cognito-idp:SetUserPoolMfaConfig',
    'cognito-idp:GetUserPoolMfaConfig',
    'cognito-idp:TagResource',
    'cognito-idp:UntagResource',
    'cognito-idp:ListTagsForResource',
    'iam:PassRole',
  ],
  'AWS::Cognito::UserPoolClient': [
    'cognito-idp:CreateUserPoolClient',
    'cognito-idp:DescribeUserPoolClient',
    'cognito-idp:UpdateUserPoolClient',
    'cognito-idp:DeleteUserPoolClient',
  ],
  'AWS::Cognito::UserPoolDomain': [
    'cognito-idp:CreateUserPoolDomain',
    'cognito-idp:DescribeUserPoolDomain',
    'cognito-idp:UpdateUserPoolDomain',
    'cognito-idp:DeleteUserPoolDomain',
  ],
  'AWS::Cognito::UserPoolResourceServer': [
    'cognito-idp:CreateResourceServer',
    'cognito-idp:DescribeResourceServer',
    'cognito-idp:UpdateResourceServer',
    'cognito-idp:DeleteResourceServer',
  ],
  'AWS::DynamoDB::Table': [
    'dynamodb:CreateTable',
    'dynamodb:DescribeTable',
    'dynamodb:UpdateTable',
    'dynamodb:DeleteTable',
    'dynamodb:DescribeTimeToLive',
    'dynamodb:UpdateTimeToLive',
    'dynamodb:DescribeContinuousBackups',
    'dynamodb:UpdateContinuousBackups',
    'dynamodb:DescribeContributorInsights',
    'dynamodb:DescribeKinesisStreamingDestination',
    'dynamodb:GetResourcePolicy',
    'dynamodb:TagResource',
    'dynamodb:UntagResource',
    'dynamodb:ListTagsOfResource',
  ],
  'AWS::Events::Archive': [
    'events:CreateArchive',
    'events:DescribeArchive',
    'events:UpdateArchive',
    'events:DeleteArchive',
  ],
  'AWS::Events::EventBus': [
    'events:CreateEventBus',
    'events:DescribeEventBus',
    'events:UpdateEventBus',
    'events:DeleteEventBus',
    'events:TagResource',
    'events:UntagResource',
    'events:ListTagsForResource',
  ],
  'AWS::IAM::Policy': ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
  'AWS::IAM::Role': [
    'iam:CreateRole',
    'iam:GetRole',
    'iam:UpdateRole',
    'iam:UpdateRoleDescription',
    'iam:UpdateAssumeRolePolicy',
    'iam:DeleteRole',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:PutRolePolicy',
    'iam:GetRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:TagRole',
    'iam:UntagRole',
  ],
  'AWS::KMS::Key': [
    'kms:CreateKey',
    'kms:DescribeKey',
    'kms:GetKeyPolicy',
    'kms:PutKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:EnableKeyRotation',
    'kms:DisableKeyRotation',
    'kms:EnableKey',
    'kms:DisableKey',
    'kms:UpdateKeyDescription',
    'kms:ScheduleKeyDeletion',
    'kms:ListResourceTags',
    'kms:TagResource',
    'kms:UntagResource',
  ],
  'AWS::Lambda::EventInvokeConfig': [
    'lambda:PutFunctionEventInvokeConfig',
    'lambda:GetFunctionEventInvokeConfig',
    'lambda:UpdateFunctionEventInvokeConfig',
    'lambda:DeleteFunctionEventInvokeConfig',
  ],
  'AWS::Lambda::EventSourceMapping': [
    'lambda:CreateEventSourceMapping',
    'lambda:GetEventSourceMapping',
    'lambda:UpdateEventSourceMapping',
    'lambda:DeleteEventSourceMapping',
    'lambda:TagResource',
    'lambda:ListTags',
  ],
  // A function's code is an asset in the bootstrap bucket (the base statement reads it); its role is passed.
  'AWS::Lambda::Function': [
    'lambda:CreateFunction',
    'lambda:GetFunction',
    'lambda:GetFunctionConfiguration',
    'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration',
    'lambda:DeleteFunction',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'lambda:GetFunctionConcurrency',
    'lambda:GetRuntimeManagementConfig',
    'lambda:PutRuntimeManagementConfig',
    'lambda:TagResource',
    'lambda:UntagResource',
    'lambda:ListTags',
    'iam:PassRole',
  ],
  'AWS::Lambda::LayerVersion': [
    'lambda:PublishLayerVersion',
    'lambda:GetLayerVersion',
    'lambda:DeleteLayerVersion',
  ],
  'AWS::Lambda::Permission': ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
  'AWS::Logs::LogGroup': [
    'logs:CreateLogGroup',
    'logs:DescribeLogGroups',
    'logs:DeleteLogGroup',
    'logs:PutRetentionPolicy',
    'logs:DeleteRetentionPolicy',
    'logs:TagResource',
    'logs:UntagResource',
    'logs:ListTagsForResource',
  ],
  'AWS::S3::Bucket': [
    's3:CreateBucket',
    's3:DeleteBucket',
    's3:ListBucket',
    's3:GetBucketLocation',
    's3:GetBucketTagging',
    's3:PutBucketTagging',
    's3:GetEncryptionConfiguration',
    's3:PutEncryptionConfiguration',
    's3:GetBucketPublicAccessBlock',
    's3:PutBucketPublicAccessBlock',
    's3:GetBucketOwnershipControls',
    's3:PutBucketOwnershipControls',
    's3:GetBucketVersioning',
    's3:PutBucketVersioning',
    's3:GetLifecycleConfiguration',
    's3:PutLifecycleConfiguration',
    's3:GetBucketLogging',
    's3:PutBucketLogging',
    's3:GetBucketAcl',
    's3:PutBucketAcl',
  ],
  'AWS::S3::BucketPolicy': ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
  'AWS::Scheduler::Schedule': [
    'scheduler:CreateSchedule',
    'scheduler:GetSchedule',
    'scheduler:UpdateSchedule',
    'scheduler:DeleteSchedule',
    'iam:PassRole',
  ],
  'AWS::SecretsManager::Secret': [
    'secretsmanager:CreateSecret',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetSecretValue',
    'secretsmanager:PutSecretValue',
    'secretsmanager:UpdateSecret',
    'secretsmanager:DeleteSecret',
    'secretsmanager:TagResource',
    'secretsmanager:UntagResource',
  ],
  'AWS::SNS::Subscription': [
    'sns:Subscribe',
    'sns:Unsubscribe',
    'sns:GetSubscriptionAttributes',
    'sns:SetSubscriptionAttributes',
  ],
  'AWS::SNS::Topic': [
    'sns:CreateTopic',
    'sns:GetTopicAttributes',
    'sns:SetTopicAttributes',
    'sns:DeleteTopic',
    'sns:ListSubscriptionsByTopic',
    'sns:TagResource',
    'sns:UntagResource',
    'sns:ListTagsForResource',
    'kms:DescribeKey',
  ],
  'AWS::SNS::TopicPolicy': ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'],
  'AWS::SQS::Queue': [
    'sqs:CreateQueue',
    'sqs:GetQueueAttributes',
    'sqs:SetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:DeleteQueue',
    'sqs:ListQueueTags',
    'sqs:TagQueue',
    'sqs:UntagQueue',
  ],
  'AWS::SQS::QueuePolicy': ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
  // Custom resources (CDK's BucketDeployment and bucket notifications): CloudFormation invokes their function
  // with the execution role's rights.
  'AWS::CloudFormation::CustomResource': ['lambda:InvokeFunction'],
};

/** What every deployment of a CDK stack needs whatever it holds: the bootstrap's assets and version parameter. */
const BASE_STATEMENT = {
  Sid: 'CdkBootstrapAssetsAndVersion',
  Effect: 'Allow',
  Action: ['s3:GetObject', 'ssm:GetParameters'],
  Resource: ['arn:aws:s3:::cdk-*-assets-*/*', 'arn:aws:ssm:*:*:parameter/cdk-bootstrap/*'],
} as const;

const templateSchema = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string().min(1) }).loose()),
});

/** The resource types of a synthesized template (`Custom::X` counts as a custom resource), sorted. */
export function resourceTypesIn(template: unknown): string[] {
  const { Resources } = templateSchema.parse(template);
  const types = Object.values(Resources).map((r) =>
    r.Type.startsWith('Custom::') ? 'AWS::CloudFormation::CustomResource' : r.Type,
  );
  return [...new Set(types)].sort();
}

export interface ExecutionPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: 'Allow';
    readonly Action: readonly string[];
    readonly Resource: string | readonly string[];
  }[];
}

export class UnknownResourceTypeError extends Error {
  override readonly name = 'UnknownResourceTypeError';
}

/**
 * The execution policy for a template: one statement per service of the types it holds (Sid = the service),
 * plus the bootstrap's assets; with the stack's name, IAM only on the roles that stack creates. Throws naming every type the table lacks: a partial policy is the rollback this
 * exists to prevent.
 */
export function executionPolicyFor(template: unknown, options: { stackName?: string } = {}): ExecutionPolicy {
  const types = resourceTypesIn(template);
  const missing = types.filter((type) => ACTIONS_BY_RESOURCE_TYPE[type] === undefined);
  if (missing.length > 0) {
    throw new UnknownResourceTypeError(
      `no IAM actions known for ${missing.join(', ')}: add them to ACTIONS_BY_RESOURCE_TYPE (bootstrap-policy.ts)`,
    );
  }
  const byService = new Map<string, Set<string>>();
  for (const type of types) {
    for (const action of ACTIONS_BY_RESOURCE_TYPE[type] ?? []) {
      const service = action.split(':')[0] ?? action;
      const actions = byService.get(service) ?? new Set<string>();
      actions.add(action);
      byService.set(service, actions);
    }
  }
  const statements = [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([service, actions]) => ({
      Sid: service.replace(/[^A-Za-z0-9]/g, ''),
      Effect: 'Allow' as const,
      Action: [...actions].sort(),
      // CloudFormation names the roles it creates `<stack name>-<logical id>-<suffix>`: IAM (and PassRole) only
      // on those. The other services' resources get generated names CloudFormation picks at create time.
      Resource:
        service === 'iam' && options.stackName
          ? `arn:aws:iam::*:role/${options.stackName}-*`
          : ('*' as string),
    }));
  return { Version: '2012-10-17', Statement: [BASE_STATEMENT, ...statements] };
}
