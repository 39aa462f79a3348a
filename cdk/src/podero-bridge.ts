import {
  ENV,
  type FunctionDeclaration,
  type FunctionId,
  functionDeclarations,
  scheduleDeclarations,
  type TableDeclaration,
  type TableId,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import { Annotations, CfnOutput, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BridgeFunction, type EnvironmentValues } from './constructs/bridge-function';
import { ConsoleSite } from './constructs/console-site';
import { EventDelivery, webhookSecretPrefixFor } from './constructs/event-delivery';
import { FileDrops } from './constructs/file-drops';
import { HttpApi } from './constructs/http-api';
import { IdentityProvider } from './constructs/identity-provider';
import { Monitoring } from './constructs/monitoring';
import { Schedules } from './constructs/schedules';
import { Secrets } from './constructs/secrets';
import { pascal, Tables } from './constructs/tables';
import { anchorLogicalIds } from './logical-ids';
import { acknowledgeFindings } from './nag-acknowledgements';
import { type PoderoBridgeSettings, parseBridgeSettings, placeholdersIn, returnUrlOriginsOf } from './props';
import type { PoderoBridgeProps } from './public-props';
import { bridgeScopes } from './scopes';
import { PACKAGE_VERSION } from './version';

/**
 * podero-bridge, one stage of it, in any CDK stack: `new PoderoBridge(stack, 'Bridge', props)`.
 *
 * It only composes constructs; every function, route, schedule, queue, bucket and table comes from
 * functions/src/declarations.ts. Every resource below it keeps the logical id it has in the repository's own
 * stack, whatever this construct's id (logical-ids.ts): an upgrade never replaces a table, secret, queue or
 * bucket because of where the bridge sits. One bridge per stack.
 */
export class PoderoBridge extends Construct {
  readonly settings: PoderoBridgeSettings;
  readonly tables: Tables;
  readonly secrets: Secrets;
  readonly functions: Readonly<Record<FunctionId, BridgeFunction>>;
  readonly httpApi: HttpApi;
  /** The operator console (absent when `console.enabled` is false). */
  readonly consoleSite: ConsoleSite | undefined;
  /** The Cognito user pool and its clients (absent unless `identityProvider.enabled`). */
  readonly identityProvider: IdentityProvider | undefined;
  readonly schedules: Schedules;
  readonly monitoring: Monitoring;
  readonly eventDelivery: EventDelivery;
  /** The declared buckets (the forecast drop's) and their object-created notifications. */
  readonly fileDrops: FileDrops;
  /** The stage this bridge is. */
  readonly stageName: string;

  constructor(scope: Construct, id: string, props: PoderoBridgeProps) {
    super(scope, id);
    const { appVersion = PACKAGE_VERSION, ...settingsInput } = props;
    const config = parseBridgeSettings(settingsInput);
    this.settings = config;
    const stack = Stack.of(this);
    const other = stack.node.findAll().find((c) => c !== this && c instanceof PoderoBridge);
    if (other) {
      throw new Error(
        `one PoderoBridge per stack: ${other.node.path} is already in ${stack.stackName} (logical ids would collide)`,
      );
    }
    this.stageName = config.stage;
    const retain = config.removalPolicy === 'retain';
    // RETAIN_ON_UPDATE_OR_DELETE, not RETAIN: a first deploy that fails and rolls back deletes what it created
    // (no orphaned, deletion-protected tables to clean up by hand), while a stack that once succeeded keeps
    // its tables, secrets and logs on deletion and on replacement.
    const removalPolicy = retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    const tokenSchedule = scheduleDeclarations.find((s) => s.function === 'tokenRefresh');
    const syncSchedule = scheduleDeclarations.find((s) => s.function === 'syncPlanner');
    if (!tokenSchedule || !syncSchedule) {
      throw new Error('declarations must schedule tokenRefresh and syncPlanner');
    }
    if (config.token.refreshMarginSeconds <= tokenSchedule.everyMinutes * 60) {
      // With a margin shorter than the check interval a token can expire between two checks.
      throw new Error(
        `token.refreshMarginSeconds (${config.token.refreshMarginSeconds}) must exceed the token-refresh interval (${tokenSchedule.everyMinutes * 60} s)`,
      );
    }

    for (const field of placeholdersIn(config)) {
      Annotations.of(this).addWarningV2(
        `podero-bridge:placeholder:${field}`,
        `${field} is a placeholder in stage "${config.stage}": set it in the bridge's props (this repository: infra/stages.json) before relying on this deployment (infra/README.md).`,
      );
    }

    this.tables = new Tables(this, 'Tables', { removalPolicy, deletionProtection: retain });
    this.secrets = new Secrets(this, 'Secrets', { credentials: config.credentialsSecret, removalPolicy });
    this.eventDelivery = new EventDelivery(this, 'EventDelivery', {
      stage: config.stage,
      removalPolicy,
      mainTable: this.tables.byId.main,
      archiveRetentionDays: config.events.archiveRetentionDays,
    });
    const deliveryQueues = this.eventDelivery.queues.webhookDeliveries;
    this.fileDrops = new FileDrops(this, 'FileDrops');

    const functions: Partial<Record<FunctionId, BridgeFunction>> = {};
    const functionOf = (functionId: FunctionId): BridgeFunction => {
      const fn = functions[functionId];
      if (!fn) throw new Error(`function ${functionId} is referenced before it exists`);
      return fn;
    };

    // Every declared variable gets its value here and only here.
    const environment: EnvironmentValues = {
      [ENV.mainTableName]: this.tables.byId.main.tableName,
      [ENV.readingsTableName]: this.tables.byId.readings.tableName,
      [ENV.credentialsSecretId]: this.secrets.credentials.secretArn,
      [ENV.tokenSecretId]: this.secrets.token.secretArn,
      // Lazy: callers of token-refresh may be created in any order relative to it.
      [ENV.tokenRefreshFunctionName]: Lazy.string({
        produce: () => functionOf('tokenRefresh').function.functionName,
      }),
      [ENV.poderoBaseUrl]: config.podero.baseUrl,
      [ENV.poderoOrgId]: config.podero.orgId,
      [ENV.tokenRefreshMarginSeconds]: String(config.token.refreshMarginSeconds),
      [ENV.tokenCacheMaxAgeSeconds]: String(config.token.cacheMaxAgeSeconds),
      [ENV.syncConcurrency]: String(config.sync.concurrency),
      [ENV.syncSafetyMarginSeconds]: String(config.sync.safetyMarginSeconds),
      [ENV.readingsRetentionDays]: String(config.readings.retentionDays),
      [ENV.deviceKindsRecheckHours]: String(config.sync.deviceKindsRecheckHours),
      [ENV.syncIntervalMinutes]: String(config.sync.everyMinutes),
      [ENV.syncShardQueueUrl]: this.eventDelivery.queues.syncShards.queue.queueUrl,
      [ENV.syncShardSize]: String(config.sync.shardSize),
      [ENV.syncRateLimitPerSecond]: String(config.sync.rateLimitPerSecond),
      [ENV.appVersion]: appVersion,
      [ENV.stage]: config.stage,
      [ENV.eventBusName]: this.eventDelivery.bus.eventBusName,
      [ENV.webhookQueueUrl]: deliveryQueues.queue.queueUrl,
      [ENV.webhookDeadLetterQueueUrl]: deliveryQueues.deadLetterQueue.queueUrl,
      [ENV.webhookSecretPrefix]: webhookSecretPrefixFor(config.stage),
      // Deployed stages never call loopback or private addresses (functions/src/webhooks/url-rules.ts).
      [ENV.webhookAllowLoopback]: 'false',
      [ENV.erasureQueueUrl]: this.eventDelivery.queues.erasures.queue.queueUrl,
      [ENV.returnUrlOrigins]: returnUrlOriginsOf(config).join(','),
      [ENV.returnUrlAllowLoopback]: 'false',
      [ENV.poderoTradingVariant]: config.trading.variant,
      [ENV.tradingAutoConfirm]: config.trading.autoConfirm,
      [ENV.tradingConfirmationDeadline]: config.trading.confirmationDeadline,
      [ENV.forecastBucketName]: this.fileDrops.byId.forecastDrops.bucketName,
      // Empty: unset, so the function applies its own default (functions/src/config.ts, the one home of the
      // figures; Podero's retention is [INFERRED] there).
      [ENV.backfillLookbackDays]: '',
      [ENV.backfillMaxRequestsPerRun]: '',
      [ENV.poderoDataRetentionDays]: '',
    };

    for (const declaration of Object.values(functionDeclarations) as FunctionDeclaration[]) {
      functions[declaration.id] = new BridgeFunction(this, pascal(declaration.id), {
        declaration,
        environment,
        logRetention,
        logRemovalPolicy: removalPolicy,
        sourceMaps: config.sourceMaps,
        logLevel: config.logLevel,
        tracing: config.tracing,
      });
    }
    this.functions = functions as Record<FunctionId, BridgeFunction>;

    for (const fn of Object.values(this.functions)) {
      this.grantDeclaredAccess(fn);
      // W is the stage's: the declaration's maxConcurrency is only the default.
      this.eventDelivery.attachTrigger(
        fn,
        fn.declaration.trigger,
        fn.declaration.id === 'syncWorker' ? { maxConcurrency: config.sync.workers } : {},
      );
      this.fileDrops.attachTrigger(fn, fn.declaration.trigger);
    }

    // The identity provider, when the bridge brings its own, is the API's issuer; its clients its audiences.
    this.identityProvider = config.identityProvider.enabled
      ? new IdentityProvider(this, 'Identity', {
          stage: config.stage,
          domainPrefix: config.identityProvider.domainPrefix,
          scopes: bridgeScopes(),
          removalPolicy,
          deletionProtection: retain,
        })
      : undefined;
    const jwt = this.identityProvider
      ? {
          issuer: this.identityProvider.issuer,
          audiences: [this.identityProvider.machineClient.userPoolClientId],
        }
      : requiredJwt(config);

    // The console's origin is the distribution's, and the API's CORS names it: the site comes first, its
    // config.json takes the API's URL and (with the bridge's own user pool) its client id lazily: that client's
    // callback is the distribution's URL, in the same deploy.
    let apiUrl = '';
    let consoleClientId = config.console.clientId ?? '';
    this.consoleSite = config.console.enabled
      ? new ConsoleSite(this, 'Console', {
          console: config.console,
          // A plain value when the partner names the client; the pool's client (created below) otherwise.
          clientId: this.identityProvider ? Lazy.string({ produce: () => consoleClientId }) : consoleClientId,
          issuer: jwt.issuer,
          issuerOrigin: this.identityProvider
            ? this.identityProvider.issuerOrigin
            : new URL(jwt.issuer).origin,
          authOrigins: [
            ...config.console.authOrigins.map((u) => new URL(u).origin),
            ...(this.identityProvider ? [this.identityProvider.domainOrigin] : []),
          ],
          apiUrl: Lazy.string({ produce: () => apiUrl }),
          stage: config.stage,
        })
      : undefined;
    if (this.identityProvider && this.consoleSite) {
      const client = this.identityProvider.addConsoleClient({
        origin: this.consoleSite.origin,
        scopes: config.console.scopes,
      });
      consoleClientId = client.userPoolClientId;
      jwt.audiences.push(client.userPoolClientId);
    }

    this.httpApi = new HttpApi(this, 'HttpApi', {
      functions: this.functions,
      jwt,
      cors: {
        allowOrigins: [...config.cors.allowOrigins, ...(this.consoleSite ? [this.consoleSite.origin] : [])],
      },
      throttling: config.throttling,
      stage: config.stage,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });

    this.schedules = new Schedules(this, 'Schedules', {
      functions: this.functions,
      everyMinutesByName: { [syncSchedule.name]: config.sync.everyMinutes },
      removalPolicy,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      removalPolicy,
      functions: this.functions,
      httpApi: this.httpApi.api,
      deadLetterQueue: this.schedules.deadLetterQueue,
      webhookDeadLetterQueue: deliveryQueues.deadLetterQueue,
      webhookQueue: deliveryQueues.queue,
      syncShardQueue: this.eventDelivery.queues.syncShards.queue,
      syncShardDeadLetterQueue: this.eventDelivery.queues.syncShards.deadLetterQueue,
      erasureDeadLetterQueue: this.eventDelivery.queues.erasures.deadLetterQueue,
      alarmEmail: config.alarms.email,
      alarmTopicArn: config.alarms.topicArn,
      syncEveryMinutes: config.sync.everyMinutes,
      tokenRefreshEveryMinutes: tokenSchedule.everyMinutes,
      tokenRefreshMarginSeconds: config.token.refreshMarginSeconds,
    });

    apiUrl = this.httpApi.url;
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTPS API' });
    if (this.consoleSite) {
      new CfnOutput(this, 'ConsoleUrl', {
        value: `${this.consoleSite.origin}/`,
        description: 'The operator console (add it as the app client callback URL at the issuer)',
      });
    }
    new CfnOutput(this, 'CredentialsSecretArn', {
      value: this.secrets.credentials.secretArn,
      description: 'Put the Podero client credentials here (infra/README.md)',
    });
    new CfnOutput(this, 'TokenSecretArn', {
      value: this.secrets.token.secretArn,
      description: 'Current Podero access token (written by token-refresh)',
    });
    for (const declaration of Object.values(tableDeclarations) as TableDeclaration[]) {
      new CfnOutput(this, `${pascal(declaration.id)}TableName`, {
        value: this.tables.byId[declaration.id as TableId].tableName,
        description: declaration.description,
      });
    }
    for (const fn of Object.values(this.functions)) {
      new CfnOutput(this, `${pascal(fn.declaration.id)}FunctionName`, {
        value: fn.function.functionName,
        description: `${fn.declaration.name} function (invoke by hand: infra/README.md)`,
      });
      new CfnOutput(this, `${pascal(fn.declaration.id)}LogGroupName`, {
        value: fn.logGroup.logGroupName,
        description: `${fn.declaration.name} logs`,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.schedules.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'EventBusName', {
      value: this.eventDelivery.bus.eventBusName,
      description: 'Change events (source podero-bridge): attach your own rules here',
    });
    new CfnOutput(this, 'ForecastBucketName', {
      value: this.fileDrops.byId.forecastDrops.bucketName,
      description:
        'Drop price forecast files under forecasts/<zone>/<day>.csv; each result appears under results/ (README, day-ahead trading)',
    });
    new CfnOutput(this, 'WebhookDeadLetterQueueUrl', {
      value: deliveryQueues.deadLetterQueue.queueUrl,
      description: 'Webhook deliveries that exhausted their retries',
    });

    if (this.identityProvider) {
      new CfnOutput(this, 'UserPoolId', {
        value: this.identityProvider.userPool.userPoolId,
        description: 'The operators (invite them: infra/README.md) and the back-office client',
      });
      new CfnOutput(this, 'BackOfficeClientId', {
        value: this.identityProvider.machineClient.userPoolClientId,
        description:
          'Client credentials for the back office (its secret: aws cognito-idp describe-user-pool-client)',
      });
      new CfnOutput(this, 'TokenEndpoint', {
        value: this.identityProvider.tokenEndpoint,
        description: 'Where the back office exchanges its client credentials for a token',
      });
    }

    anchorLogicalIds(this);
    acknowledgeFindings(this);
  }

  /** The HTTPS API's base URL, with a trailing slash (a token until deploy; output `ApiUrl`). */
  get apiUrl(): string {
    return this.httpApi.url;
  }

  /** The operator console's URL (output `ConsoleUrl`); absent when `console.enabled` is false. */
  get consoleUrl(): string | undefined {
    return this.consoleSite ? `${this.consoleSite.origin}/` : undefined;
  }

  /** The Cognito user pool (output `UserPoolId`); absent unless `identityProvider.enabled`. */
  get userPool(): cognito.IUserPool | undefined {
    return this.identityProvider?.userPool;
  }

  /**
   * Where the back office exchanges its client credentials for a token (output `TokenEndpoint`: what
   * `bridge verify --token-url` takes); absent unless `identityProvider.enabled`.
   */
  get tokenEndpoint(): string | undefined {
    return this.identityProvider?.tokenEndpoint;
  }

  /** The back office's client-credentials client (output `BackOfficeClientId`); absent unless `identityProvider.enabled`. */
  get backOfficeClient(): cognito.IUserPoolClient | undefined {
    return this.identityProvider?.machineClient;
  }

  /** The bus the change events go to (output `EventBusName`): attach your own rules to it. */
  get eventBus(): events.IEventBus {
    return this.eventDelivery.bus;
  }

  /** The topic every alarm notifies (output `AlarmTopicArn`). */
  get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  /** Turns a function's declared `access` into grants: nothing more than it declares. */
  private grantDeclaredAccess(fn: BridgeFunction): void {
    const { access } = fn.declaration;
    for (const [tableId, level] of Object.entries(access.tables) as [TableId, 'read' | 'readWrite'][]) {
      this.tables.grant(tableId, level, fn.function);
    }
    if (access.tokenSecret === 'readWrite') {
      this.secrets.grantReadWriteToken(fn.function);
    } else if (access.tokenSecret === 'read') {
      this.secrets.grantReadToken(fn.function);
    }
    this.eventDelivery.grantQueues(fn, access.queues);
    if (access.eventBus === 'put') this.eventDelivery.grantPutEvents(fn);
    this.fileDrops.grantBuckets(fn, access.buckets);
    if (access.webhookSecrets) this.eventDelivery.grantWebhookSecrets(fn, access.webhookSecrets);
    if (access.credentialsSecret === 'read') {
      this.secrets.grantReadCredentials(fn.function);
    }
    for (const targetId of access.invokes) {
      // The function ARN only (grantInvoke would add every version and alias, `arn:...:*`).
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.functions[targetId].function.functionArn],
        }),
      );
    }
  }
}

function requiredJwt(config: PoderoBridgeSettings): { issuer: string; audiences: string[] } {
  // The props' rules (props.ts checkBridgeSettings) require jwt unless the bridge brings its own issuer.
  if (!config.jwt) throw new Error('jwt is required unless identityProvider.enabled');
  return { issuer: config.jwt.issuer, audiences: [...config.jwt.audiences] };
}
