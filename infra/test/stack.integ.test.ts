import { readFileSync } from 'node:fs';
import {
  ACCESS_LOG_FORMAT,
  CUSTOM_METRICS,
  DEVICES_STALE_SHARE_ALARM_PERCENT,
  LAMBDA_RUNTIME,
  METRICS_NAMESPACE,
  SCHEDULER_RETRY_ATTEMPTS,
  staleTokenAgeSeconds,
} from '@podero-bridge/cdk/internal';
import {
  ADMIN_SCOPE,
  bucketDeclarations,
  ENV,
  FORECAST_DROP_PREFIX,
  FORECAST_RESULT_PREFIX,
  type FunctionDeclaration,
  type FunctionId,
  functionDeclarations,
  nodeOptionsOf,
  rateExpression,
  routeDeclarations,
  scheduleDeclarations,
  type TableDeclaration,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allPolicyStatements,
  getAtt,
  indexesOf,
  LOG_WRITE,
  permissionsOfRole,
  QUEUE_SEND,
  ref,
  SECRET_READ,
  SECRET_WRITE,
  sorted,
  TABLE_READ,
  TABLE_WRITE,
} from './iam';
import {
  environmentOf,
  logicalIdOf,
  resourcesOfType,
  type Synthesized,
  stageConfig,
  synthesize,
} from './support';

const functionList = Object.values(functionDeclarations) as FunctionDeclaration[];
const tableList = Object.values(tableDeclarations) as TableDeclaration[];

let dev: Synthesized;
let prod: Synthesized;

// The bridge's own resources; the console's site (CloudFront, S3 and CDK's BucketDeployment function) has its
// own tests in console.test.ts, which also hold its one exception to the rules here (CDK's deployment role).
const WITHOUT_CONSOLE = { console: { enabled: false } };
beforeAll(() => {
  dev = synthesize(stageConfig('dev', WITHOUT_CONSOLE));
  prod = synthesize(stageConfig('prod', WITHOUT_CONSOLE));
});

const fnLogicalId = (s: Synthesized, id: FunctionId) =>
  logicalIdOf(s.stack, s.stack.bridge.functions[id].function);
const tableLogicalId = (s: Synthesized, id: 'main' | 'readings') =>
  logicalIdOf(s.stack, s.stack.bridge.tables.byId[id]);

/**
 * CDK's own function that puts the forecast bucket's notification configuration at deploy time (a singleton
 * of the stack; the forecast drop's tests below hold its exceptions, as console.test.ts holds BucketDeployment's).
 */
const NOTIFICATIONS_HANDLER = /^BucketNotificationsHandler/;
const bridgeResourcesOfType = (s: Synthesized, type: string) =>
  Object.fromEntries(
    Object.entries(resourcesOfType(s.template, type)).filter(([id]) => !NOTIFICATIONS_HANDLER.test(id)),
  );

describe('functions', () => {
  it('creates exactly one function per declaration with its memory, timeout and concurrency', () => {
    const functions = bridgeResourcesOfType(dev, 'AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(functionList.length);
    for (const declaration of functionList) {
      const props = functions[fnLogicalId(dev, declaration.id)]?.Properties;
      expect(props, declaration.name).toMatchObject({
        Runtime: LAMBDA_RUNTIME.name,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: declaration.memoryMb,
        Timeout: declaration.timeoutSeconds,
      });
      expect(props?.ReservedConcurrentExecutions).toBe(declaration.reservedConcurrency);
    }
    expect(LAMBDA_RUNTIME.name).toMatch(/^nodejs(22|24)\.x$/);
    // `pnpm test` runs the suite on the same major (scripts/lambda-node.mjs), so the tests run on the runtime.
    const script = readFileSync(new URL('../../scripts/lambda-node.mjs', import.meta.url), 'utf8');
    const major = /LAMBDA_NODE_MAJOR = (\d+);/.exec(script)?.[1];
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${major}.x`);
  });

  it('gives token-refresh a reserved concurrency of 1: one writer of the token secret', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: functionDeclarations.tokenRefresh.description,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('sets exactly the declared environment variables plus the shared Powertools settings and Node.js flags', () => {
    for (const declaration of functionList) {
      const variables = environmentOf(dev.template, fnLogicalId(dev, declaration.id));
      const nodeOptions = nodeOptionsOf(declaration, { sourceMaps: dev.config.sourceMaps });
      expect(Object.keys(variables).sort(), declaration.name).toEqual(
        sorted(
          [...declaration.environment],
          [
            ...(nodeOptions ? ['NODE_OPTIONS'] : []),
            'POWERTOOLS_LOG_LEVEL',
            'POWERTOOLS_METRICS_NAMESPACE',
            'POWERTOOLS_SERVICE_NAME',
            'POWERTOOLS_TRACE_ENABLED',
          ],
        ),
      );
      expect(variables).toMatchObject({
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        POWERTOOLS_SERVICE_NAME: declaration.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      });
    }
  });

  it("caps heat-pump-sync's V8 old space (its peak RSS is collector headroom); source maps only when the stage asks", () => {
    const options = (s: Synthesized, id: FunctionId) =>
      environmentOf(s.template, fnLogicalId(s, id)).NODE_OPTIONS;
    // Off by default: applying them costs about 10 ms of every cold start.
    expect(dev.config.sourceMaps).toBe(false);
    expect(options(dev, 'syncWorker')).toBe('--max-old-space-size=128');
    expect(options(dev, 'syncPlanner')).toBeUndefined();
    expect(options(dev, 'api')).toBeUndefined();
    expect(options(dev, 'tokenRefresh')).toBeUndefined();
    const mapped = synthesize(stageConfig('dev', { sourceMaps: true }));
    expect(options(mapped, 'syncWorker')).toBe('--enable-source-maps --max-old-space-size=128');
    expect(options(mapped, 'api')).toBe('--enable-source-maps');
    expect(options(mapped, 'tokenRefresh')).toBe('--enable-source-maps');
  });

  it('passes CDK-generated table names, secret ARNs and the token-refresh name through the declared variables', () => {
    const variables = environmentOf(dev.template, fnLogicalId(dev, 'api'));
    expect(variables).toMatchObject({
      MAIN_TABLE_NAME: { Ref: tableLogicalId(dev, 'main') },
      READINGS_TABLE_NAME: { Ref: tableLogicalId(dev, 'readings') },
      TOKEN_SECRET_ID: { Ref: logicalIdOf(dev.stack, dev.stack.bridge.secrets.token) },
      TOKEN_REFRESH_FUNCTION_NAME: { Ref: fnLogicalId(dev, 'tokenRefresh') },
      PODERO_BASE_URL: dev.config.podero.baseUrl,
      PODERO_ORG_ID: dev.config.podero.orgId,
      TOKEN_CACHE_MAX_AGE_SECONDS: String(dev.config.token.cacheMaxAgeSeconds),
      READINGS_RETENTION_DAYS: String(dev.config.readings.retentionDays),
    });
    expect(environmentOf(prod.template, fnLogicalId(prod, 'syncWorker'))).toMatchObject({
      SYNC_CONCURRENCY: String(prod.config.sync.concurrency),
      SYNC_RATE_LIMIT_PER_SECOND: String(prod.config.sync.rateLimitPerSecond),
      SYNC_SHARD_QUEUE_URL: {
        Ref: logicalIdOf(prod.stack, prod.stack.bridge.eventDelivery.queues.syncShards.queue),
      },
      READINGS_RETENTION_DAYS: '400',
      PODERO_BASE_URL: 'https://app.podero.com',
    });
    expect(environmentOf(prod.template, fnLogicalId(prod, 'syncPlanner'))).toMatchObject({
      SYNC_SHARD_SIZE: String(prod.config.sync.shardSize),
      SYNC_SHARD_QUEUE_URL: {
        Ref: logicalIdOf(prod.stack, prod.stack.bridge.eventDelivery.queues.syncShards.queue),
      },
    });
    // No physical table name is hard-coded anywhere.
    for (const table of Object.values(resourcesOfType(dev.template, 'AWS::DynamoDB::Table'))) {
      expect(table.Properties?.TableName).toBeUndefined();
    }
  });

  it('writes each function to its own log group with the stage retention', () => {
    for (const s of [dev, prod]) {
      const groups = resourcesOfType(s.template, 'AWS::Logs::LogGroup');
      for (const declaration of functionList) {
        const fn = s.stack.bridge.functions[declaration.id];
        const functionProps = resourcesOfType(s.template, 'AWS::Lambda::Function')[
          fnLogicalId(s, declaration.id)
        ]?.Properties;
        expect(functionProps?.LoggingConfig).toMatchObject({
          LogGroup: { Ref: logicalIdOf(s.stack, fn.logGroup) },
        });
        expect(groups[logicalIdOf(s.stack, fn.logGroup)]?.Properties?.RetentionInDays).toBe(
          s.config.logRetentionDays,
        );
      }
      // Every log group, the access logs included, has the stage retention.
      for (const group of Object.values(groups)) {
        expect(group.Properties?.RetentionInDays).toBe(s.config.logRetentionDays);
      }
    }
    expect(dev.config.logRetentionDays).not.toBe(prod.config.logRetentionDays);
  });
});

describe('IAM: least privilege per function', () => {
  it('grants token-refresh exactly: its logs, read+write of the token secret, read of the credentials, DLQ', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.tokenRefresh;
    expect(permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role))).toEqual({
      [getAtt(logicalIdOf(s.stack, fn.logGroup))]: sorted(LOG_WRITE),
      [getAtt(logicalIdOf(s.stack, s.stack.bridge.schedules.deadLetterQueue))]: sorted(QUEUE_SEND),
      [ref(logicalIdOf(s.stack, s.stack.bridge.secrets.token))]: sorted(SECRET_READ, SECRET_WRITE),
      [ref(logicalIdOf(s.stack, s.stack.bridge.secrets.createdCredentials as never))]: sorted(SECRET_READ),
    });
  });

  const webhookSecretsArn = (stage: string) =>
    JSON.stringify({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:secret:podero-bridge/${stage}/webhooks/*`,
        ],
      ],
    });
  const deliveryQueue = (s: Synthesized) =>
    getAtt(logicalIdOf(s.stack, s.stack.bridge.eventDelivery.queues.webhookDeliveries.queue));
  const erasureQueue = (s: Synthesized) =>
    getAtt(logicalIdOf(s.stack, s.stack.bridge.eventDelivery.queues.erasures.queue));

  it('grants the api exactly: its logs, main read+write, readings read only, token read, invoke token-refresh, webhook secrets, test events and erasure jobs', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.api;
    const main = tableLogicalId(s, 'main');
    const readings = tableLogicalId(s, 'readings');
    expect(permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role))).toEqual({
      [getAtt(logicalIdOf(s.stack, fn.logGroup))]: sorted(LOG_WRITE),
      [getAtt(main)]: sorted(TABLE_READ, TABLE_WRITE),
      [indexesOf(main)]: sorted(TABLE_READ, TABLE_WRITE),
      [getAtt(readings)]: sorted(TABLE_READ),
      [ref(logicalIdOf(s.stack, s.stack.bridge.secrets.token))]: sorted(SECRET_READ),
      [getAtt(fnLogicalId(s, 'tokenRefresh'))]: ['lambda:InvokeFunction'],
      [deliveryQueue(s)]: sorted(QUEUE_SEND),
      [erasureQueue(s)]: sorted(QUEUE_SEND),
      [webhookSecretsArn('dev')]: sorted([
        'secretsmanager:CreateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ]),
    });
  });

  it('grants erasure exactly: its logs, both tables read+write, consume and send its queue; no token, no Podero', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.erasureWorker;
    const main = tableLogicalId(s, 'main');
    const readings = tableLogicalId(s, 'readings');
    const permissions = permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role));
    expect(Object.keys(permissions).sort()).toEqual(
      [
        getAtt(logicalIdOf(s.stack, fn.logGroup)),
        getAtt(main),
        indexesOf(main),
        getAtt(readings),
        erasureQueue(s),
      ].sort(),
    );
    expect(permissions[getAtt(readings)]).toEqual(
      expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:Query']),
    );
    expect(permissions[erasureQueue(s)]).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    );
  });

  it('grants event-relay exactly: main read+write and its stream, put on the bus, send to the delivery queue; no token', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.eventRelay;
    const main = tableLogicalId(s, 'main');
    expect(permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role))).toEqual({
      [JSON.stringify('*')]: ['dynamodb:ListStreams'],
      [getAtt(logicalIdOf(s.stack, fn.logGroup))]: sorted(LOG_WRITE),
      [getAtt(main)]: sorted(TABLE_READ, TABLE_WRITE),
      [indexesOf(main)]: sorted(TABLE_READ, TABLE_WRITE),
      [getAtt(main, 'StreamArn')]: sorted([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
      ]),
      [getAtt(logicalIdOf(s.stack, s.stack.bridge.eventDelivery.bus))]: ['events:PutEvents'],
      [deliveryQueue(s)]: sorted(QUEUE_SEND),
      [getAtt(logicalIdOf(s.stack, s.stack.bridge.schedules.deadLetterQueue))]: sorted(QUEUE_SEND),
    });
  });

  it('grants webhook-delivery exactly: main read+write, consume and send its queue, send its dead letters, read webhook secrets; no token', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.webhookDelivery;
    const main = tableLogicalId(s, 'main');
    const permissions = permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role));
    expect(Object.keys(permissions).sort()).toEqual(
      [
        getAtt(logicalIdOf(s.stack, fn.logGroup)),
        getAtt(main),
        indexesOf(main),
        deliveryQueue(s),
        getAtt(logicalIdOf(s.stack, s.stack.bridge.eventDelivery.queues.webhookDeliveries.deadLetterQueue)),
        webhookSecretsArn('dev'),
      ].sort(),
    );
    expect(permissions[deliveryQueue(s)]).toEqual(
      expect.arrayContaining([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:SendMessage',
        'sqs:ChangeMessageVisibility',
      ]),
    );
    expect(permissions[webhookSecretsArn('dev')]).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(permissions)).not.toContain(logicalIdOf(s.stack, s.stack.bridge.secrets.token));
  });

  it('grants heat-pump-sync (the planner) exactly: its logs, main read+write, send shards, its schedule DLQ; no token, no Podero', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.syncPlanner;
    const main = tableLogicalId(s, 'main');
    const shards = getAtt(logicalIdOf(s.stack, s.stack.bridge.eventDelivery.queues.syncShards.queue));
    expect(permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role))).toEqual({
      [getAtt(logicalIdOf(s.stack, fn.logGroup))]: sorted(LOG_WRITE),
      [getAtt(main)]: sorted(TABLE_READ, TABLE_WRITE),
      [indexesOf(main)]: sorted(TABLE_READ, TABLE_WRITE),
      [shards]: sorted(QUEUE_SEND),
      [getAtt(logicalIdOf(s.stack, s.stack.bridge.schedules.deadLetterQueue))]: sorted(QUEUE_SEND),
    });
  });

  it('grants heat-pump-sync-worker exactly: its logs, both tables read+write, token read, invoke token-refresh, consume and send shards', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.syncWorker;
    const main = tableLogicalId(s, 'main');
    const readings = tableLogicalId(s, 'readings');
    const shards = getAtt(logicalIdOf(s.stack, s.stack.bridge.eventDelivery.queues.syncShards.queue));
    const permissions = permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role));
    expect(Object.keys(permissions).sort()).toEqual(
      [
        getAtt(logicalIdOf(s.stack, fn.logGroup)),
        getAtt(main),
        indexesOf(main),
        getAtt(readings),
        ref(logicalIdOf(s.stack, s.stack.bridge.secrets.token)),
        getAtt(fnLogicalId(s, 'tokenRefresh')),
        shards,
      ].sort(),
    );
    expect(permissions[ref(logicalIdOf(s.stack, s.stack.bridge.secrets.token))]).toEqual(sorted(SECRET_READ));
    expect(permissions[shards]).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    );
  });

  it("runs the worker on the shard queue, one shard per invocation, at most the stage's W at once", () => {
    const mapping = (s: Synthesized) =>
      Object.values(resourcesOfType(s.template, 'AWS::Lambda::EventSourceMapping')).find(
        (r) =>
          (r.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === fnLogicalId(s, 'syncWorker'),
      )?.Properties;
    expect(mapping(dev)).toMatchObject({
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: dev.config.sync.workers },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mapping(prod)).toMatchObject({ ScalingConfig: { MaximumConcurrency: 8 } });
    const wide = synthesize(stageConfig('dev', { sync: { ...dev.config.sync, workers: 32 } }));
    expect(mapping(wide)).toMatchObject({ ScalingConfig: { MaximumConcurrency: 32 } });
    // The queue: visibility six times the worker's timeout, dead-lettered after the declared receives.
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 180,
      RedrivePolicy: { maxReceiveCount: 3 },
    });
  });

  it('follows each declaration: no table write unless readWrite, credentials and token writes only where declared', () => {
    const s = prod;
    const credentialsKey = ref(logicalIdOf(s.stack, s.stack.bridge.secrets.createdCredentials as never));
    const tokenKey = ref(logicalIdOf(s.stack, s.stack.bridge.secrets.token));
    for (const declaration of functionList) {
      const permissions = permissionsOfRole(
        s.template,
        logicalIdOf(s.stack, s.stack.bridge.functions[declaration.id].role),
      );
      for (const table of tableList) {
        const actions = permissions[getAtt(tableLogicalId(s, table.id))] ?? [];
        const level = declaration.access.tables[table.id];
        expect(actions.length > 0, `${declaration.name} on ${table.id}`).toBe(level !== undefined);
        expect(
          actions.some((action) => TABLE_WRITE.includes(action)),
          `${declaration.name} writes ${table.id}`,
        ).toBe(level === 'readWrite');
      }
      expect(permissions[credentialsKey] !== undefined).toBe(declaration.access.credentialsSecret === 'read');
      expect(permissions[tokenKey]?.includes('secretsmanager:PutSecretValue') ?? false).toBe(
        declaration.access.tokenSecret === 'readWrite',
      );
      const invoked = Object.entries(permissions)
        .filter(([, actions]) => actions.includes('lambda:InvokeFunction'))
        .map(([resource]) => resource);
      expect(invoked).toEqual(declaration.access.invokes.map((target) => getAtt(fnLogicalId(s, target))));
    }
  });

  it('has no wildcard action and no `*` resource but for X-Ray writes and ListStreams (no resource types), and no managed policies', () => {
    const xrayWrites = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
    for (const s of [dev, prod]) {
      const statements = allPolicyStatements(s.template);
      expect(statements.length).toBeGreaterThan(10);
      for (const statement of statements) {
        const actions = [statement.Action].flat();
        for (const action of actions) {
          expect(action).not.toContain('*');
        }
        // dynamodb:ListStreams (event-relay's stream trigger) has no resource type either.
        if ([statement.Resource].flat().includes('*'))
          for (const action of actions) expect([...xrayWrites, 'dynamodb:ListStreams']).toContain(action);
      }
      for (const role of Object.values(bridgeResourcesOfType(s, 'AWS::IAM::Role'))) {
        expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      }
    }
  });
});

describe('HTTP API', () => {
  it('configures the JWT authorizer with the stage issuer and audiences', () => {
    dev.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: dev.config.jwt?.issuer, Audience: dev.config.jwt?.audiences },
    });
    const custom = synthesize(
      stageConfig('dev', { jwt: { issuer: 'https://login.partner.test/realm', audiences: ['a', 'b'] } }),
    );
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://login.partner.test/realm', Audience: ['a', 'b'] },
    });
  });

  it("creates one route per declared route: public without authorizer, a role's route with the scopes of that role and the higher ones", () => {
    const routes = Object.values(resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(routeDeclarations.length);
    const authorizerId = Object.keys(resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Authorizer'))[0];
    for (const route of routeDeclarations) {
      const found = routes.filter((r) => r.Properties?.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      const props = found[0]?.Properties;
      if (route.access === 'public') {
        expect(props?.AuthorizationType).toBe('NONE');
        expect(props?.AuthorizerId).toBeUndefined();
      } else {
        expect(props?.AuthorizationType).toBe('JWT');
        expect(props?.AuthorizerId).toEqual({ Ref: authorizerId });
      }
      // An end user's route (self-or-<role>) needs no scope at the gateway: the handler decides.
      const scopesOfRole: Record<string, string[]> = {
        viewer: ['bridge/viewer', 'bridge/support', ADMIN_SCOPE],
        support: ['bridge/support', ADMIN_SCOPE],
        admin: [ADMIN_SCOPE],
      };
      expect(props?.AuthorizationScopes, `${route.method} ${route.path}`).toEqual(scopesOfRole[route.access]);
    }
  });

  it('sends every route to its declared function through a payload 2.0 proxy integration', () => {
    const integrations = resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Integration');
    const routes = Object.values(resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Route'));
    for (const route of routeDeclarations) {
      const target = routes.find((r) => r.Properties?.RouteKey === `${route.method} ${route.path}`)
        ?.Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = integrations[target['Fn::Join'][1][1].Ref]?.Properties;
      expect(integration).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fnLogicalId(dev, route.function), 'Arn'] },
      });
    }
  });

  it('applies CORS from the stage config and omits it when no origin is configured', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: dev.config.cors.allowOrigins,
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-correlation-id'],
        AllowMethods: Match.arrayWith(['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS']),
      },
    });
    expect(prod.config.cors.allowOrigins).toEqual([]);
    const api = Object.values(resourcesOfType(prod.template, 'AWS::ApiGatewayV2::Api'))[0];
    expect(api?.Properties?.CorsConfiguration).toBeUndefined();
  });

  it('throttles the default stage and writes JSON access logs without headers or tokens', () => {
    for (const s of [dev, prod]) {
      const stage = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Stage'))[0]?.Properties;
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: s.config.throttling.rateLimit,
          ThrottlingBurstLimit: s.config.throttling.burstLimit,
        },
        AccessLogSettings: {
          DestinationArn: {
            'Fn::GetAtt': [logicalIdOf(s.stack, s.stack.bridge.httpApi.accessLogGroup), 'Arn'],
          },
        },
      });
      const format = (stage?.AccessLogSettings as { Format: string } | undefined)?.Format ?? '';
      expect(JSON.parse(format)).toEqual(ACCESS_LOG_FORMAT);
      expect(format).not.toMatch(/header|authorization|requestBody/i);
    }
    expect(prod.config.throttling.rateLimit).not.toBe(dev.config.throttling.rateLimit);
  });

  it('throttles each write route tighter than the reads, and names the API after its stage', () => {
    for (const s of [dev, prod]) {
      const stage = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Stage'))[0]?.Properties;
      const settings = stage?.RouteSettings as Record<
        string,
        { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
      >;
      const writes = routeDeclarations.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
      expect(Object.keys(settings).sort()).toEqual(writes.sort());
      for (const limits of Object.values(settings)) {
        expect(limits).toEqual({
          ThrottlingRateLimit: s.config.throttling.writeRateLimit,
          ThrottlingBurstLimit: s.config.throttling.writeBurstLimit,
        });
        expect(limits.ThrottlingRateLimit).toBeLessThan(s.config.throttling.rateLimit);
      }
      // Every key is a real route of this API.
      const routeKeys = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Route')).map(
        (r) => r.Properties?.RouteKey,
      );
      for (const key of Object.keys(settings)) expect(routeKeys).toContain(key);
      const api = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Api'))[0];
      expect(api?.Properties?.Name).toBe(`podero-bridge-${s.config.stage}`);
    }
  });

  it('encrypts the alarm topic with a rotating key that CloudWatch may use, and only CloudWatch of this account', () => {
    const topics = Object.values(resourcesOfType(prod.template, 'AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const keyRef = (topics[0]?.Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: string[] } | undefined)?.[
      'Fn::GetAtt'
    ]?.[0];
    expect(keyRef).toBeDefined();
    const key = resourcesOfType(prod.template, 'AWS::KMS::Key')[keyRef ?? ''];
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    const statements = (key?.Properties?.KeyPolicy as { Statement?: Record<string, unknown>[] } | undefined)
      ?.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
    expect(key?.DeletionPolicy).toBe('RetainExceptOnCreate');
    const devKey = Object.values(resourcesOfType(dev.template, 'AWS::KMS::Key'))[0];
    expect(devKey?.DeletionPolicy).toBe('Delete');
  });
});

describe('schedules', () => {
  it('creates one schedule per declaration with its rate, target, payload, retry policy and DLQ', () => {
    for (const s of [dev, prod]) {
      const schedules = Object.values(resourcesOfType(s.template, 'AWS::Scheduler::Schedule'));
      expect(schedules).toHaveLength(scheduleDeclarations.length);
      const queueArn = {
        'Fn::GetAtt': [logicalIdOf(s.stack, s.stack.bridge.schedules.deadLetterQueue), 'Arn'],
      };
      for (const declaration of scheduleDeclarations) {
        const everyMinutes =
          declaration.function === 'syncPlanner' ? s.config.sync.everyMinutes : declaration.everyMinutes;
        const matching = schedules.filter((sch) => sch.Properties?.Description === declaration.description);
        expect(matching, declaration.name).toHaveLength(1);
        const props = matching[0]?.Properties as Record<string, unknown> & {
          Target: { Input: string; RetryPolicy: { MaximumEventAgeInSeconds: number } };
        };
        expect(props).toMatchObject({
          ScheduleExpression: rateExpression(everyMinutes),
          State: 'ENABLED',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: { 'Fn::GetAtt': [fnLogicalId(s, declaration.function), 'Arn'] },
            DeadLetterConfig: { Arn: queueArn },
            RetryPolicy: { MaximumRetryAttempts: SCHEDULER_RETRY_ATTEMPTS },
          },
        });
        expect(JSON.parse(props.Target.Input)).toEqual(declaration.payload);
        expect(props.Target.RetryPolicy.MaximumEventAgeInSeconds).toBe(Math.min(everyMinutes, 1440) * 60);
      }
    }
  });

  it('lets a stage override the sync interval', () => {
    const custom = synthesize(stageConfig('dev', { sync: { everyMinutes: 30 } }));
    custom.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Description: scheduleDeclarations.find((d) => d.function === 'syncPlanner')?.description,
      ScheduleExpression: 'rate(30 minutes)',
    });
  });

  it('routes failed asynchronous runs to the DLQ; retries only the short token-refresh', () => {
    const configs = Object.values(resourcesOfType(dev.template, 'AWS::Lambda::EventInvokeConfig'));
    expect(configs).toHaveLength(scheduleDeclarations.length);
    const queueArn = {
      'Fn::GetAtt': [logicalIdOf(dev.stack, dev.stack.bridge.schedules.deadLetterQueue), 'Arn'],
    };
    const byFunction = (id: FunctionId) =>
      configs.find(
        (c) => JSON.stringify(c.Properties?.FunctionName) === JSON.stringify({ Ref: fnLogicalId(dev, id) }),
      )?.Properties;
    expect(byFunction('tokenRefresh')).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    // The planner is short: its retries fit inside the interval (a pass begins once whatever retries).
    expect(byFunction('syncPlanner')).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  it('encrypts the dead-letter queue and refuses non-TLS access to it', () => {
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets each schedule role invoke only its target and send only to the DLQ', () => {
    for (const declaration of scheduleDeclarations) {
      const role = dev.stack.bridge.schedules.roles.get(declaration.name);
      expect(role).toBeDefined();
      const target = fnLogicalId(dev, declaration.function);
      expect(permissionsOfRole(dev.template, logicalIdOf(dev.stack, role as never))).toEqual({
        [getAtt(target)]: ['lambda:InvokeFunction'],
        [JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [target, 'Arn'] }, ':*']] })]: [
          'lambda:InvokeFunction',
        ],
        [getAtt(logicalIdOf(dev.stack, dev.stack.bridge.schedules.deadLetterQueue))]: ['sqs:SendMessage'],
      });
    }
  });
});

describe('tables', () => {
  it('creates every declared table with its keys, indexes, TTL, PITR, on-demand billing and encryption', () => {
    for (const declaration of tableList) {
      const props = resourcesOfType(dev.template, 'AWS::DynamoDB::Table')[tableLogicalId(dev, declaration.id)]
        ?.Properties;
      expect(props).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: declaration.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: declaration.sortKey.name, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: declaration.timeToLiveAttribute, Enabled: true },
      });
      const indexes = (props?.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown }[];
      expect(indexes.map((index) => index.IndexName)).toEqual(
        declaration.globalSecondaryIndexes.map((index) => index.indexName),
      );
      for (const index of declaration.globalSecondaryIndexes) {
        expect(indexes.find((i) => i.IndexName === index.indexName)?.KeySchema).toEqual([
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ]);
      }
    }
  });

  it('retains tables (with deletion protection) in prod, except when the first deploy fails, and deletes them in dev', () => {
    for (const [s, deletion, replace, protection] of [
      [prod, 'RetainExceptOnCreate', 'Retain', true],
      [dev, 'Delete', 'Delete', false],
    ] as const) {
      const tables = resourcesOfType(s.template, 'AWS::DynamoDB::Table');
      expect(Object.keys(tables)).toHaveLength(tableList.length);
      for (const table of Object.values(tables)) {
        expect(table.DeletionPolicy).toBe(deletion);
        expect(table.UpdateReplacePolicy).toBe(replace);
        expect(table.Properties?.DeletionProtectionEnabled ?? false).toBe(protection);
      }
    }
  });
});

describe('logging', () => {
  it("logs JSON (Lambda's format) at the stage's level, and keeps prod's logs past a delete but not a failed create", () => {
    for (const [s, level] of [
      [dev, 'DEBUG'],
      [prod, 'INFO'],
    ] as const) {
      const fns = Object.values(bridgeResourcesOfType(s, 'AWS::Lambda::Function'));
      expect(fns.length).toBe(functionList.length);
      for (const fn of fns) {
        expect(fn.Properties?.LoggingConfig).toMatchObject({
          LogFormat: 'JSON',
          ApplicationLogLevel: level,
          SystemLogLevel: 'INFO',
        });
        const variables = (fn.Properties?.Environment as { Variables?: Record<string, string> } | undefined)
          ?.Variables;
        expect(variables?.POWERTOOLS_LOG_LEVEL).toBe(level);
      }
    }
    for (const group of Object.values(resourcesOfType(prod.template, 'AWS::Logs::LogGroup'))) {
      expect(group.DeletionPolicy).toBe('RetainExceptOnCreate');
    }
    // The schedules' dead-letter queue too: lost runs stay inspectable in prod; dev's goes with the stack.
    const queue = (s: Synthesized) => Object.values(resourcesOfType(s.template, 'AWS::SQS::Queue'))[0];
    expect(queue(prod)?.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(queue(dev)?.DeletionPolicy).toBe('Delete');
  });
});

describe('Lambda permissions', () => {
  it('let only API Gateway invoke the api, and only from this HTTP API (the SourceArn cfn-guard cannot read)', () => {
    for (const s of [dev, prod]) {
      // The forecast bucket's own permission (s3.amazonaws.com) is tested with the file drop below.
      const permissions = Object.values(resourcesOfType(s.template, 'AWS::Lambda::Permission')).filter(
        (p) => p.Properties?.Principal !== 's3.amazonaws.com',
      );
      expect(permissions.length).toBe(s.stack.bridge.httpApi.routes.size);
      const apiId = logicalIdOf(s.stack, s.stack.bridge.httpApi.api);
      for (const permission of permissions) {
        expect(permission.Properties).toMatchObject({
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [fnLogicalId(s, 'api'), 'Arn'] },
        });
        const sourceArn = JSON.stringify(permission.Properties?.SourceArn);
        expect(sourceArn).toContain(':execute-api:');
        expect(sourceArn).toContain(JSON.stringify({ Ref: apiId }));
      }
    }
  });
});

describe('tracing', () => {
  it("traces prod's functions with X-Ray (Tracer on, the role allowed to send segments) and not dev's", () => {
    for (const [s, traced] of [
      [dev, false],
      [prod, true],
    ] as const) {
      expect(s.config.tracing).toBe(traced);
      for (const declaration of functionList) {
        const logicalId = fnLogicalId(s, declaration.id);
        const fn = s.template.toJSON().Resources[logicalId] as { Properties: Record<string, unknown> };
        // Untraced: no TracingConfig, which is Lambda's PassThrough.
        expect(fn.Properties.TracingConfig, declaration.name).toEqual(
          traced ? { Mode: 'Active' } : undefined,
        );
        expect(environmentOf(s.template, logicalId).POWERTOOLS_TRACE_ENABLED).toBe(String(traced));
        const role = logicalIdOf(s.stack, s.stack.bridge.functions[declaration.id].role);
        const sendsSegments = Object.values(permissionsOfRole(s.template, role))
          .flat()
          .includes('xray:PutTraceSegments');
        expect(sendsSegments, declaration.name).toBe(traced);
      }
    }
  });
});

describe('secrets', () => {
  it('creates the credentials secret with the REPLACE_ME template and the token secret empty', () => {
    const secrets = resourcesOfType(dev.template, 'AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(2);
    const credentials = secrets[logicalIdOf(dev.stack, dev.stack.bridge.secrets.createdCredentials as never)];
    expect(JSON.parse(credentials?.Properties?.SecretString as string)).toEqual({
      client_id: 'REPLACE_ME',
      client_secret: 'REPLACE_ME',
      org_id: 'REPLACE_ME',
    });
    const token = secrets[logicalIdOf(dev.stack, dev.stack.bridge.secrets.token)];
    expect(token?.Properties?.SecretString).toBe('{}');
  });

  it('imports the credentials secret by ARN: no secret resource, grants on that ARN (and kms:Decrypt via Secrets Manager)', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:podero/credentials-AbCdEf';
    const keyArn = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const imported = synthesize(
      stageConfig('prod', { credentialsSecret: { mode: 'import', arn, kmsKeyArn: keyArn } }),
    );
    imported.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const role = logicalIdOf(imported.stack, imported.stack.bridge.functions.tokenRefresh.role);
    const permissions = permissionsOfRole(imported.template, role);
    expect(permissions[JSON.stringify(arn)]).toEqual(sorted(SECRET_READ));
    expect(permissions[JSON.stringify(keyArn)]).toEqual(['kms:Decrypt']);
    for (const other of ['api', 'syncPlanner'] as const) {
      const otherPermissions = permissionsOfRole(
        imported.template,
        logicalIdOf(imported.stack, imported.stack.bridge.functions[other].role),
      );
      expect(otherPermissions[JSON.stringify(arn)]).toBeUndefined();
      expect(otherPermissions[JSON.stringify(keyArn)]).toBeUndefined();
    }
    expect(
      environmentOf(imported.template, fnLogicalId(imported, 'tokenRefresh')).CREDENTIALS_SECRET_ID,
    ).toBe(arn);
  });

  it('puts no secret value in the template: no simulator credentials, no token, only the placeholder', () => {
    for (const s of [dev, prod]) {
      const json = JSON.stringify(s.template.toJSON());
      // The simulator's fake credentials (what a developer has in their local env) never leak into a template.
      for (const forbidden of ['sim-client-secret-not-real', 'sim-client-id', 'Bearer ']) {
        expect(json).not.toContain(forbidden);
      }
      const secretStrings = Object.values(resourcesOfType(s.template, 'AWS::SecretsManager::Secret')).map(
        (secret) => secret.Properties?.SecretString,
      );
      expect(secretStrings.sort()).toEqual(
        [
          JSON.stringify({ client_id: 'REPLACE_ME', client_secret: 'REPLACE_ME', org_id: 'REPLACE_ME' }),
          '{}',
        ].sort(),
      );
    }
  });
});

const resourcesOfValues = (s: Synthesized, type: string) =>
  Object.values(resourcesOfType(s.template, type)) as {
    Properties?: { Environment?: { Variables?: Record<string, unknown> } };
  }[];

describe('monitoring', () => {
  const alarmsOf = (s: Synthesized) => Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Alarm'));
  const alarmOn = (s: Synthesized, metricName: string, namespace?: string) =>
    alarmsOf(s).filter(
      (a) =>
        a.Properties?.MetricName === metricName &&
        (namespace === undefined || a.Properties?.Namespace === namespace),
    );

  it('alarms on errors and throttles of every function', () => {
    for (const declaration of functionList) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = alarmOn(dev, metric, 'AWS/Lambda').filter(
          (a) =>
            JSON.stringify(a.Properties?.Dimensions) ===
            JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnLogicalId(dev, declaration.id) } }]),
        );
        expect(found, `${declaration.name} ${metric}`).toHaveLength(1);
        expect(found[0]?.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      }
    }
  });

  it('alarms on dead-letter queue depth and on sync failures in two runs in a row', () => {
    expect(alarmOn(dev, 'ApproximateNumberOfMessagesVisible', 'AWS/SQS')[0]?.Properties).toMatchObject({
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [logicalIdOf(dev.stack, dev.stack.bridge.schedules.deadLetterQueue), 'QueueName'],
          },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    // The metric the sync engine emits once per run (heat-pump-sync-worker: a run per shard).
    expect(alarmOn(dev, 'SyncFailures', METRICS_NAMESPACE)[0]?.Properties).toMatchObject({
      Dimensions: [
        { Name: 'service', Value: 'heat-pump-sync-worker' },
        { Name: 'stage', Value: 'dev' },
      ],
      Statistic: 'Sum',
      Period: dev.config.sync.everyMinutes * 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
    });
  });

  it("alarms when more than a tenth of the connected devices went stale in two sync intervals, from the worker's counts", () => {
    type MetricQuery = {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Period: number; Stat: string };
    };
    const staleShare = alarmsOf(dev).find((a) =>
      ((a.Properties?.Metrics ?? []) as MetricQuery[]).some(
        (m) => m.MetricStat?.Metric.MetricName === 'SyncDevicesStale',
      ),
    );
    expect(staleShare?.Properties).toMatchObject({
      Threshold: DEVICES_STALE_SHARE_ALARM_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    const queries = (staleShare?.Properties?.Metrics ?? []) as MetricQuery[];
    expect(queries.find((m) => m.Expression)?.Expression).toBe('IF(judged > 0, 100 * stale / judged, 0)');
    for (const name of ['SyncDevicesStale', 'SyncDevicesReportingJudged']) {
      const stat = queries.find((m) => m.MetricStat?.Metric.MetricName === name)?.MetricStat;
      expect(stat).toMatchObject({ Period: dev.config.sync.everyMinutes * 60, Stat: 'Sum' });
      expect(stat?.Metric.Dimensions).toEqual([
        { Name: 'service', Value: 'heat-pump-sync-worker' },
        { Name: 'stage', Value: 'dev' },
      ]);
    }
  });

  it("watches only its own stage's custom metrics: no alarm of one stage can see another stage's metric", () => {
    for (const synthesized of [dev, prod]) {
      const custom = alarmsOf(synthesized).filter((a) => a.Properties?.Namespace === METRICS_NAMESPACE);
      expect(custom.length).toBeGreaterThan(0);
      for (const alarm of custom) {
        const dimensions = alarm.Properties?.Dimensions as { Name: string; Value: unknown }[];
        expect(dimensions).toContainEqual({ Name: 'stage', Value: synthesized.config.stage });
      }
    }
    // The functions emit the same stage: it is in every function's environment.
    for (const fn of Object.values(bridgeResourcesOfType(prod, 'AWS::Lambda::Function')) as ReturnType<
      typeof resourcesOfValues
    >) {
      expect(fn.Properties?.Environment?.Variables?.STAGE).toBe('prod');
    }
  });

  it('alarms on the fleet sync: shards dead-lettered, shards waiting longer than the interval, passes longer than it', () => {
    const queueNamed = (queue: unknown) => [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(dev.stack, queue as never), 'QueueName'] } },
    ];
    const { queue, deadLetterQueue } = dev.stack.bridge.eventDelivery.queues.syncShards;
    const dlq = alarmOn(dev, 'ApproximateNumberOfMessagesVisible', 'AWS/SQS').find(
      (a) => JSON.stringify(a.Properties?.Dimensions) === JSON.stringify(queueNamed(deadLetterQueue)),
    );
    expect(dlq?.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const age = alarmOn(dev, 'ApproximateAgeOfOldestMessage', 'AWS/SQS').find(
      (a) => JSON.stringify(a.Properties?.Dimensions) === JSON.stringify(queueNamed(queue)),
    );
    expect(age?.Properties).toMatchObject({ Threshold: dev.config.sync.everyMinutes * 60 });
    const pass = alarmsOf(dev).find((a) =>
      (a.Properties?.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[] | undefined)?.some(
        (m) => m.MetricStat?.Metric.MetricName === 'SyncPassDuration',
      ),
    );
    expect(pass?.Properties).toMatchObject({
      Threshold: dev.config.sync.everyMinutes * 60 * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const services = (
      (pass?.Properties?.Metrics ?? []) as {
        MetricStat?: { Metric: { Dimensions: { Name: string; Value: string }[] } };
      }[]
    )
      .flatMap(
        (m) => m.MetricStat?.Metric.Dimensions.filter((d) => d.Name === 'service').map((d) => d.Value) ?? [],
      )
      .sort();
    expect(services).toEqual(['heat-pump-sync', 'heat-pump-sync-worker']);
  });

  it('alarms when Podero fails (5xx, timeouts, no answer) as the api and the sync see it, in this stage only', () => {
    const podero = alarmsOf(prod).filter(
      (a) =>
        Array.isArray(a.Properties?.Metrics) &&
        ((a.Properties?.Metrics ?? []) as { MetricStat?: { Metric: { MetricName: string } } }[]).some((m) =>
          m.MetricStat?.Metric.MetricName.startsWith('Podero'),
        ),
    );
    expect(podero).toHaveLength(1);
    const metrics = podero[0]?.Properties?.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: {
        Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: string }[] };
      };
    }[];
    const stats = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric);
    expect(
      stats.map((m) => `${m?.Dimensions.find((d) => d.Name === 'service')?.Value} ${m?.MetricName}`).sort(),
    ).toEqual([
      'api PoderoNetworkErrors',
      'api PoderoServerErrors',
      'api PoderoTimeouts',
      'heat-pump-sync-worker PoderoNetworkErrors',
      'heat-pump-sync-worker PoderoServerErrors',
      'heat-pump-sync-worker PoderoTimeouts',
    ]);
    for (const m of stats) {
      expect(m?.Namespace).toBe(METRICS_NAMESPACE);
      expect(m?.Dimensions).toContainEqual({ Name: 'stage', Value: 'prod' });
    }
    expect(metrics.find((m) => m.Expression)?.Expression?.split(' + ')).toHaveLength(6);
    expect(podero[0]?.Properties).toMatchObject({
      Threshold: 10,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  it("alarms on the API's p99 latency over a quarter of its request budget for 15 minutes", () => {
    const latency = alarmOn(dev, 'Latency', 'AWS/ApiGateway');
    expect(latency).toHaveLength(1);
    expect(latency[0]?.Properties).toMatchObject({
      ExtendedStatistic: 'p99',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms when token-refresh has not run for 3 hours (no data counts as breaching)', () => {
    const silent = alarmOn(dev, 'Invocations', 'AWS/Lambda');
    expect(silent).toHaveLength(1);
    expect(silent[0]?.Properties).toMatchObject({
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnLogicalId(dev, 'tokenRefresh') } }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms on the age of the token secret: no new token stored for longer than a healthy token lives', () => {
    const stale = alarmOn(dev, CUSTOM_METRICS.tokenRefreshed.metricName, METRICS_NAMESPACE);
    expect(stale).toHaveLength(1);
    const periods = Math.ceil(staleTokenAgeSeconds(60, dev.config.token.refreshMarginSeconds) / 1800);
    expect(stale[0]?.Properties).toMatchObject({
      Dimensions: [
        { Name: 'service', Value: 'token-refresh' },
        { Name: 'stage', Value: 'dev' },
      ],
      Statistic: 'Sum',
      Period: 1800,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    // Defaults: 19 half-hours = 9.5 h without a new token. Healthy: replaced within 9 h; expiry at 10 h.
    expect(periods * 1800).toBe(34_200);
  });

  it('places the stale-token threshold between the latest healthy replacement and expiry', () => {
    // Refresh hourly with a 2 h margin: healthy tokens are replaced at most 9 h after being stored.
    expect(staleTokenAgeSeconds(60, 7200)).toBe(34_200);
    expect(staleTokenAgeSeconds(60, 7200)).toBeGreaterThan(36_000 - 7200 + 3600);
    expect(staleTokenAgeSeconds(60, 7200)).toBeLessThan(36_000);
    expect(staleTokenAgeSeconds(60, 14_400)).toBe(30_600);
  });

  it('notifies one SNS topic from every alarm and subscribes the configured e-mail', () => {
    const topicId = logicalIdOf(dev.stack, dev.stack.bridge.monitoring.topic as never);
    for (const alarm of alarmsOf(dev)) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
    }
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = synthesize(stageConfig('dev', { alarms: { email: 'ops@partner.test' } }));
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@partner.test',
    });
    const existingTopic = 'arn:aws:sns:eu-central-1:123456789012:ops-alarms';
    const withTopic = synthesize(stageConfig('dev', { alarms: { topicArn: existingTopic } }));
    withTopic.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(resourcesOfType(withTopic.template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties?.AlarmActions).toEqual([existingTopic]);
    }
  });

  it('creates one dashboard per stage, named after the stack', () => {
    dev.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    dev.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'PoderoBridge-dev' });
    prod.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'PoderoBridge-prod' });
  });

  it("graphs Podero's figures per client operation, searching this stage's metrics only", () => {
    for (const s of [dev, prod]) {
      const dashboard = Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Dashboard'))[0];
      // The body is an Fn::Join of strings and references: join it with placeholders and read it as JSON.
      const joined = dashboard?.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] } | undefined;
      const parts = joined?.['Fn::Join'][1] ?? [];
      const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ref')).join('')) as {
        widgets: { properties: { metrics?: unknown[][] } }[];
      };
      const expressions = body.widgets
        .flatMap((w) => w.properties.metrics ?? [])
        .flat()
        .flatMap((m) =>
          typeof m === 'object' && m !== null && 'expression' in m ? [String(m.expression)] : [],
        );
      for (const metricName of [
        'PoderoLatency',
        'PoderoServerErrors',
        'PoderoTimeouts',
        'PoderoRateLimited',
      ]) {
        expect(expressions).toContainEqual(
          expect.stringContaining(
            `SEARCH('{PoderoBridge,operation,service,stage} MetricName="${metricName}" stage="${s.config.stage}"'`,
          ),
        );
      }
    }
  });
});

describe('outputs', () => {
  it('exports the API URL, secret ARNs and table names', () => {
    const outputs = dev.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'CredentialsSecretArn',
        'TokenSecretArn',
        'MainTableName',
        'ReadingsTableName',
        'TokenRefreshFunctionName',
        'SyncPlannerFunctionName',
        'SyncPlannerLogGroupName',
        'SyncWorkerFunctionName',
        'SyncWorkerLogGroupName',
        'DashboardName',
      ]),
    );
    expect(outputs.MainTableName?.Value).toEqual({ Ref: tableLogicalId(dev, 'main') });
    expect(outputs.TokenSecretArn?.Value).toEqual({
      Ref: logicalIdOf(dev.stack, dev.stack.bridge.secrets.token),
    });
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain('execute-api');
  });
});

describe('the forecast file drop', () => {
  const bucketLogicalId = (s: Synthesized) =>
    logicalIdOf(s.stack, s.stack.bridge.fileDrops.byId.forecastDrops);

  it('keeps the forecast bucket private, TLS-only, SSE-S3 encrypted and unversioned, every object expiring after its declared days', () => {
    for (const s of [dev, prod]) {
      const bucket = resourcesOfType(s.template, 'AWS::S3::Bucket')[bucketLogicalId(s)];
      expect(bucket?.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Status: 'Enabled',
              ExpirationInDays: bucketDeclarations.forecastDrops.expireAfterDays,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      });
      expect(bucket?.Properties?.VersioningConfiguration).toBeUndefined();
      expect(bucket?.DeletionPolicy).toBe('Retain');
      const policies = Object.values(resourcesOfType(s.template, 'AWS::S3::BucketPolicy')).filter(
        (policy) => JSON.stringify(policy.Properties?.Bucket) === ref(bucketLogicalId(s)),
      );
      expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('invokes trading-forecast-drop on objects created under forecasts/ only, and lets only this bucket invoke it', () => {
    const notifications = Object.values(resourcesOfType(dev.template, 'Custom::S3BucketNotifications'));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.Properties).toMatchObject({
      BucketName: { Ref: bucketLogicalId(dev) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: FORECAST_DROP_PREFIX }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [fnLogicalId(dev, 'forecastDrop'), 'Arn'] },
          },
        ],
      },
    });
    const permissions = Object.values(resourcesOfType(dev.template, 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties?.Principal === 's3.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': [fnLogicalId(dev, 'forecastDrop'), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [bucketLogicalId(dev), 'Arn'] },
    });
  });

  it('grants trading-forecast-drop exactly: its logs, main read+write, GetObject under forecasts/, PutObject under results/; no token, no Podero', () => {
    const s = dev;
    const fn = s.stack.bridge.functions.forecastDrop;
    const main = tableLogicalId(s, 'main');
    const objectsUnder = (prefix: string) =>
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketLogicalId(s), 'Arn'] }, `/${prefix}*`]] });
    const permissions = permissionsOfRole(s.template, logicalIdOf(s.stack, fn.role));
    expect(Object.keys(permissions).sort()).toEqual(
      [
        getAtt(logicalIdOf(s.stack, fn.logGroup)),
        getAtt(main),
        indexesOf(main),
        objectsUnder(FORECAST_DROP_PREFIX),
        objectsUnder(FORECAST_RESULT_PREFIX),
      ].sort(),
    );
    expect(permissions[objectsUnder(FORECAST_DROP_PREFIX)]).toEqual(['s3:GetObject']);
    expect(permissions[objectsUnder(FORECAST_RESULT_PREFIX)]).toEqual(['s3:PutObject']);
    expect(environmentOf(s.template, fnLogicalId(s, 'forecastDrop'))[ENV.forecastBucketName]).toEqual({
      Ref: bucketLogicalId(s),
    });
  });

  it("gives CDK's bucket-notifications function only its logs and s3:PutBucketNotification", () => {
    const roles = Object.entries(resourcesOfType(dev.template, 'AWS::IAM::Role')).filter(([id]) =>
      NOTIFICATIONS_HANDLER.test(id),
    );
    expect(roles).toHaveLength(1);
    const [roleId, role] = roles[0] ?? ['', {}];
    expect(JSON.stringify(role.Properties?.ManagedPolicyArns)).toContain('AWSLambdaBasicExecutionRole');
    expect(Object.values(permissionsOfRole(dev.template, roleId)).flat()).toEqual([
      's3:PutBucketNotification',
    ]);
  });

  it('alarms on any refused file, on its errors like every function', () => {
    const alarms = Object.values(resourcesOfType(dev.template, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties?.MetricName === CUSTOM_METRICS.tradingForecastFilesRefused.metricName,
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [
        { Name: 'service', Value: functionDeclarations.forecastDrop.name },
        { Name: 'stage', Value: 'dev' },
      ],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});
