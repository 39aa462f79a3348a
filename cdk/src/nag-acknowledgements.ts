/**
 * Every policy finding this app accepts, cdk-nag's (AwsSolutions) and Control Tower's (cfn-guard), each on the
 * narrowest construct and with the reason it is acceptable. Anything not listed here fails `cdk synth`.
 */

import type { FunctionId } from '@podero-bridge/functions/declarations';
import {
  type QueueDeclaration,
  queueDeclarations,
  type ScheduleDeclaration,
  scheduleDeclarations,
  type TableDeclaration,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import { CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import type { BridgeFunction } from './constructs/bridge-function';
import type { ConsoleSite } from './constructs/console-site';
import { type EventDelivery, webhookSecretPrefixFor } from './constructs/event-delivery';
import type { FileDrops } from './constructs/file-drops';
import type { HttpApi } from './constructs/http-api';
import type { IdentityProvider } from './constructs/identity-provider';
import type { Schedules } from './constructs/schedules';
import type { Secrets } from './constructs/secrets';
import type { Tables } from './constructs/tables';

/**
 * The parts of the bridge whose findings are acknowledged (what PoderoBridge has; named here so that the
 * construct imports this module and not the other way round: no import cycle).
 */
export interface AcknowledgedStack extends Construct {
  readonly tables: Tables;
  readonly secrets: Secrets;
  readonly functions: Readonly<Record<FunctionId, BridgeFunction>>;
  readonly httpApi: HttpApi;
  readonly consoleSite: ConsoleSite | undefined;
  readonly schedules: Schedules;
  readonly eventDelivery: EventDelivery;
  readonly fileDrops: FileDrops;
  readonly identityProvider: IdentityProvider | undefined;
  readonly stageName: string;
}

/** The cfn-guard plugin's name: its findings are acknowledged as `<plugin>::<rule name>`. */
export const CFN_GUARD_PLUGIN = 'cdk-validator-cfnguard';

export function acknowledgeFindings(stack: AcknowledgedStack): void {
  acknowledgeControlTowerFindings(stack);
  if (stack.consoleSite) acknowledgeConsoleFindings(stack, stack.consoleSite);
  acknowledgeFileDropFindings(stack);
  if (stack.identityProvider) {
    Validations.of(stack.identityProvider.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The pool holds a handful of invited operators (no self sign-up) behind long passwords and required authenticator-app MFA; the Plus plan’s threat protection is priced per active user on top, and a partner who wants it switches the feature plan.',
    });
  }

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
  const { region, account, partition } = synthesizedArnParts(stack);
  for (const fn of Object.values(stack.functions)) {
    if (fn.declaration.access.webhookSecrets === undefined) continue;
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:secretsmanager:${region}:${account}:secret:${webhookSecretPrefixFor(stack.stageName)}*]`,
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
function acknowledgeControlTowerFindings(stack: AcknowledgedStack): void {
  const guard = (rule: string) => `${CFN_GUARD_PLUGIN}::${rule}`;
  for (const [operationId, route] of stack.httpApi.routes) {
    // CT.LAMBDA.PR.2 reads a permission's SourceArn only as a string or a Ref; API Gateway's is an Fn::Join.
    Validations.of(route).acknowledge({
      id: guard('lambda_function_public_access_prohibited_check'),
      reason: `The permission lets only apigateway.amazonaws.com invoke the api, with SourceArn set to this HTTP API's ${operationId} route (an Fn::Join the rule cannot evaluate); infra/test/stack.integ.test.ts checks every permission's SourceArn.`,
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
  // Every declared queue's dead-letter queue. The control's other fix, a RedriveAllowPolicy `byQueue` naming the
  // source queue, would need that queue's ARN, and the source queue already refers to this one (a cycle).
  for (const declaration of Object.values(queueDeclarations) as QueueDeclaration[]) {
    Validations.of(stack.eventDelivery.queues[declaration.id].deadLetterQueue).acknowledge({
      id: guard('sqs_dlq_check'),
      reason: `This queue is itself the dead-letter queue of the ${declaration.name} queue (a message received ${declaration.maxReceiveCount} times without success lands here); nothing consumes it but an operator's redrive, so a queue behind it would only hold the same messages again. Its depth is alarmed.`,
    });
  }
  for (const fn of Object.values(stack.functions)) {
    Validations.of(fn.function).acknowledge({
      id: guard('lambda_inside_vpc_check'),
      reason: `${fn.declaration.name} reaches only DynamoDB, Secrets Manager, Lambda and Podero's public HTTPS API, all through IAM or TLS; a VPC would add NAT gateways (cost, and a fixed egress IP nobody asked for) and cold-start time without reducing what the function can reach.`,
    });
  }
}

/**
 * An ARN's parts as cdk-nag prints them: literally when the stack knows them (a stage naming its account and
 * region; the partition then follows from the region), as `<AWS::...>` otherwise.
 */
function synthesizedArnParts(scope: Construct): { region: string; account: string; partition: string } {
  const stack = Stack.of(scope);
  const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return {
    region: literal(stack.region, 'Region'),
    account: literal(stack.account, 'AccountId'),
    partition: literal(stack.partition, 'Partition'),
  };
}

/** The logical id cdk-nag prints in `Resource::<LogicalId.Arn>` findings. */
function logicalIdOf(resource: IConstruct | undefined): string {
  if (!resource || !CfnElement.isCfnElement(resource)) {
    throw new Error('expected a CloudFormation resource');
  }
  // The element's own id (logical-ids.ts anchors it), not the one its path below the stack would give.
  return Stack.of(resource).resolve(resource.logicalId) as string;
}

/**
 * The operator console's site: static files behind CloudFront, and CDK's own BucketDeployment function that
 * copies them into the bucket at deploy time.
 */
function acknowledgeConsoleFindings(stack: AcknowledgedStack, site: ConsoleSite): void {
  const guard = (rule: string) => `${CFN_GUARD_PLUGIN}::${rule}`;
  // cdk-nag prints the asset bucket's name as synthesized: the region and account literally when the stage names them.
  const { region, account, partition } = synthesizedArnParts(stack);
  const distribution = site.distribution;
  Validations.of(distribution).acknowledge(
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'The console is for the partner’s own support staff, who may work from anywhere; who gets in is decided by the OIDC sign-in and the API’s JWT authorizer, not by country.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves only the public, static console bundle (no data, no server code); every data request goes to the API, which has its own throttling and JWT authorizer. A WAF web ACL can be attached if the partner’s policy asks for one (infra/README.md).',
    },
    {
      id: guard('cloudfront_origin_failover_enabled_check'),
      reason:
        'One S3 origin holds the console’s static files; a second origin in another region would double the deployment for an internal tool whose data path (the API) is single-region anyway.',
    },
  );
  if (!site.hasCustomDomain) {
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Without console.domain the distribution serves on its *.cloudfront.net name with CloudFront’s default certificate, whose minimum protocol cannot be set; a stage that sets console.domain gets TLSv1.2_2021 (infra/test/stack.integ.test.ts).',
      },
      {
        id: guard('cloudfront_custom_ssl_certificate_check'),
        reason:
          'No console.domain is set for this stage: the console serves on its *.cloudfront.net name, which only CloudFront’s default certificate covers. Setting console.domain (with an ACM certificate) switches to it.',
      },
      {
        id: guard('cloudfront_sni_enabled_check'),
        reason:
          'SNI applies to a custom certificate; on the *.cloudfront.net default certificate CloudFront serves HTTPS itself. With console.domain the certificate is served by SNI.',
      },
      {
        id: guard('cloudfront_security_policy_check'),
        reason:
          'The *.cloudfront.net default certificate fixes the security policy; with console.domain the distribution requires TLSv1.2_2021.',
      },
    );
  }
  for (const bucket of [site.bucket, site.logBucket]) {
    Validations.of(bucket).acknowledge(
      {
        id: guard('s3_bucket_default_encryption_kms_check'),
        reason:
          'S3-managed encryption (SSE-S3): the files bucket holds the console bundle every browser downloads anyway, the log bucket CloudFront and S3 access logs; a customer managed key would add key policy for CloudFront and cost without protecting a secret.',
      },
      {
        id: guard('s3_event_notifications_enabled_check'),
        reason: 'Nothing reacts to these objects: deploys write the files, CloudFront and S3 write the logs.',
      },
      {
        id: guard('s3_bucket_object_lock_enabled_check'),
        reason:
          'Deploys overwrite index.html and config.json in place (versioning keeps 30 days of history), and the logs expire after 90 days: object lock would forbid both.',
      },
    );
  }
  Validations.of(site.logBucket).acknowledge(
    {
      id: guard('s3_bucket_logging_enabled_check'),
      reason: 'This is the log bucket: logging its own access would log into itself.',
    },
    {
      id: guard('s3_bucket_acl_prohibited_check'),
      reason:
        'CloudFront standard logs are written with an ACL (the object writer owns them), which needs ACLs enabled on their bucket; it is private, blocks public access and enforces TLS.',
    },
    {
      id: 'AwsSolutions-S1',
      reason: 'This is the log bucket of the console site: logging its own access would log into itself.',
    },
  );
  const deploymentFunction = Stack.of(stack).node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  const deploymentRole = site.deployments[0]?.handlerRole;
  if (deploymentFunction === undefined || deploymentRole === undefined) {
    throw new Error('the console site has no BucketDeployment function');
  }
  Validations.of(deploymentFunction).acknowledge(
    {
      id: 'AwsSolutions-L1',
      reason:
        'CDK’s BucketDeployment function (it runs the AWS CLI to copy the console into its bucket at deploy time) pins the runtime its bundled CLI layer is built for; it runs only during deploys.',
    },
    {
      id: guard('lambda_inside_vpc_check'),
      reason:
        'CDK’s BucketDeployment function only copies files from the CDK asset bucket into the console bucket and invalidates the distribution, at deploy time; it reaches S3 and CloudFront through IAM.',
    },
  );
  // With @aws-cdk/aws-lambda:useCdkManagedLogGroup (cdk.json) the function has a log group of its own.
  const deploymentLogs = deploymentFunction.node.tryFindChild('LogGroup');
  if (deploymentLogs !== undefined) {
    Validations.of(deploymentLogs).acknowledge({
      id: guard('cloudwatch_log_group_encrypted_check'),
      reason:
        'CDK’s BucketDeployment function logs only the AWS CLI’s copy of the console’s public files at deploy time; CloudWatch Logs encrypts it at rest with keys of its own, and a customer managed key would protect nothing more.',
    });
  }
  Validations.of(deploymentRole).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK’s BucketDeployment function logs to CloudWatch with the basic execution policy; it has no other managed policy.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      reason:
        'BucketDeployment reads the CDK asset bucket and the console bucket (grantRead on those two buckets only).',
    },
    {
      id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
      reason: 'BucketDeployment reads the console’s asset from the CDK asset bucket (that bucket only).',
    },
    {
      id: 'AwsSolutions-IAM5[Action::s3:List*]',
      reason:
        'BucketDeployment lists the CDK asset bucket and the console bucket to sync them (those two only).',
    },
    {
      id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
      reason: 'BucketDeployment writes the console bucket (grantReadWrite on that bucket only).',
    },
    {
      id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      reason:
        'BucketDeployment writes the console bucket (grantReadWrite on that bucket only); it does not prune here.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(site.bucket.node.defaultChild)}.Arn>/*]`,
      reason: 'The objects of the console bucket, which BucketDeployment fills.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
      reason:
        'The CDK bootstrap asset bucket’s objects, where the console’s built files are uploaded by cdk deploy.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:CreateInvalidation and GetInvalidation, which BucketDeployment grants on "*"; it invalidates only this distribution’s index.html and config.json after a deploy.',
    },
  );
}

/**
 * The forecast bucket (constructs/file-drops.ts), the drop function's grants on it, and CDK's own
 * function that puts the bucket's notification configuration at deploy time.
 */
function acknowledgeFileDropFindings(stack: AcknowledgedStack): void {
  const guard = (rule: string) => `${CFN_GUARD_PLUGIN}::${rule}`;
  for (const [bucketId, bucket] of Object.entries(stack.fileDrops.byId)) {
    Validations.of(bucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason:
          'No server access logs: the partner writes files here through its own role, and every object created invokes trading-forecast-drop, which logs the key, ETag, size and S3 principal id of each file and writes its outcome beside it under results/ (infra/README.md, runbook). Reads are the function’s own. CloudTrail data events can be enabled for the bucket where a partner’s policy asks for them.',
      },
      {
        id: guard('s3_bucket_logging_enabled_check'),
        reason:
          'Each object created is logged by the function it triggers (key, ETag, size, principal id) and its outcome is written beside it; access logs would need a log bucket of their own for the same facts.',
      },
      {
        id: guard('s3_bucket_default_encryption_kms_check'),
        reason:
          'S3-managed encryption (SSE-S3): the files are day-ahead price forecasts, no personal data and no secret, kept 30 days; a customer managed key would add a key policy for the partner’s uploading role and cost without protecting anything more.',
      },
      {
        id: guard('s3_bucket_versioning_enabled_check'),
        reason:
          'A corrected forecast is dropped again under the same key and must replace the file (the accepted forecast itself is stored with its trading day); versions would keep every earlier file for the expiry to chase. The function reads the version its notification announced by ETag (If-Match).',
      },
      {
        id: guard('s3_bucket_object_lock_enabled_check'),
        reason:
          'Files are replaced when corrected and expire after 30 days by design (no personal data, no record to keep): object lock would forbid both.',
      },
      {
        id: guard('s3_event_notifications_enabled_check'),
        reason: `The ${bucketId} bucket's object-created notification (forecasts/ prefix) invokes trading-forecast-drop; CDK puts it with a custom resource (Custom::S3BucketNotifications), which the rule does not read from the bucket's own properties.`,
      },
    );
  }
  for (const fn of Object.values(stack.functions)) {
    const buckets = fn.declaration.access.buckets;
    if (buckets === undefined) continue;
    for (const [bucketId, prefixes] of Object.entries(buckets) as [
      keyof FileDrops['byId'],
      { read?: string; write?: string },
    ][]) {
      const logicalId = logicalIdOf(stack.fileDrops.byId[bucketId].node.defaultChild);
      for (const [verb, prefix] of [
        ['reads (s3:GetObject)', prefixes.read],
        ['writes (s3:PutObject)', prefixes.write],
      ] as const) {
        if (prefix === undefined) continue;
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
          reason: `${fn.declaration.name} ${verb} the objects under ${prefix} in the ${bucketId} bucket only; the keys are the partner's files (one per zone and day), so the grant is on the prefix.`,
        });
      }
    }
  }
  const handler = Stack.of(stack).node.tryFindChild(
    'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
  );
  const handlerRole = handler?.node.tryFindChild('Role');
  if (handler === undefined || handlerRole === undefined) {
    throw new Error('the forecast bucket has no CDK BucketNotificationsHandler');
  }
  Validations.of(handlerRole).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK’s bucket-notifications function (it puts the forecast bucket’s notification configuration at deploy time) logs to CloudWatch with the basic execution policy; it has no other managed policy.',
  });
  Validations.of(handler).acknowledge({
    id: guard('lambda_inside_vpc_check'),
    reason:
      'CDK’s bucket-notifications function only calls s3:PutBucketNotification on the forecast bucket, at deploy time, through IAM.',
  });
}
