import {
  CORS_ALLOW_HEADERS,
  CORS_MAX_AGE_SECONDS,
  type FunctionId,
  gatewayScopesFor,
  type RouteDeclaration,
  routeDeclarations,
} from '@podero-bridge/functions/declarations';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { PoderoBridgeSettings } from '../props';
import type { BridgeFunction } from './bridge-function';

export interface HttpApiProps {
  readonly functions: Readonly<Record<FunctionId, BridgeFunction>>;
  /** The issuer (may be a token: the bridge's own user pool) and the accepted audiences or client ids. */
  readonly jwt: { readonly issuer: string; readonly audiences: readonly string[] };
  readonly cors: PoderoBridgeSettings['cors'];
  readonly throttling: PoderoBridgeSettings['throttling'];
  /** The API is named after it (`podero-bridge-<stage>`). */
  readonly stage: string;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * One JSON object per request. No headers, no bodies and no query strings: tokens and personal data stay out
 * of the access log. `sub` identifies the caller for audits.
 */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
} as const;

/**
 * The HTTP API: a JWT authorizer (issuer + audiences from the stage config), one route per declared route
 * (public routes without authorizer; admin routes also require the admin scope at the gateway), CORS from
 * config, throttling on the default stage and JSON access logs.
 */
export class HttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  readonly routes: ReadonlyMap<string, apigwv2.HttpRoute>;
  /** operationIds of the routes served without a token. */
  readonly publicOperationIds: ReadonlySet<string> = new Set(
    routeDeclarations.filter((route) => route.access === 'public').map((route) => route.operationId),
  );

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const declaredMethods = [...new Set(routeDeclarations.map((route) => route.method))];

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `podero-bridge-${props.stage}`,
      description: 'podero-bridge HTTPS API',
      createDefaultStage: false,
      corsPreflight:
        props.cors.allowOrigins.length === 0
          ? undefined
          : {
              allowOrigins: [...props.cors.allowOrigins],
              allowMethods: [
                ...declaredMethods.map((method) => apigwv2.CorsHttpMethod[method]),
                apigwv2.CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: [...CORS_ALLOW_HEADERS],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
            },
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
      jwtAudience: [...props.jwt.audiences],
      identitySource: ['$request.header.Authorization'],
    });

    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    const integrationFor = (functionId: FunctionId): HttpLambdaIntegration => {
      let integration = integrations.get(functionId);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${functionId}Integration`,
          props.functions[functionId].function,
          {
            payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
          },
        );
        integrations.set(functionId, integration);
      }
      return integration;
    };

    const routes = new Map<string, apigwv2.HttpRoute>();
    for (const route of routeDeclarations as readonly RouteDeclaration[]) {
      routes.set(
        route.operationId,
        new apigwv2.HttpRoute(this, route.operationId, {
          httpApi: this.api,
          routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
          integration: integrationFor(route.function),
          ...authorizationFor(route.access, authorizer),
        }),
      );
    }
    this.routes = routes;

    // Writes get their own, tighter limits (they reach Podero and change it); reads keep the stage's.
    const writeLimits = {
      ThrottlingRateLimit: props.throttling.writeRateLimit,
      ThrottlingBurstLimit: props.throttling.writeBurstLimit,
    };
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      (routeDeclarations as readonly RouteDeclaration[])
        .filter((route) => route.method !== 'GET')
        .map((route) => [`${route.method} ${route.path}`, writeLimits]),
    );
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com/` */
  get url(): string {
    return this.stage.url;
  }
}

function authorizationFor(
  access: RouteDeclaration['access'],
  authorizer: HttpJwtAuthorizer,
): Pick<apigwv2.HttpRouteProps, 'authorizer' | 'authorizationScopes'> {
  if (access === 'public') return { authorizer: new apigwv2.HttpNoneAuthorizer() };
  const scopes = gatewayScopesFor(access);
  // A self-or-<role> route: which subject may act on which user is decided in the handler (sub vs path);
  // the gateway only guarantees a valid token from our issuer for our audience. A role route: defence in
  // depth, the gateway already rejects tokens without a scope of that role or a higher one; the handler
  // checks again.
  return scopes === undefined ? { authorizer } : { authorizer, authorizationScopes: [...scopes] };
}
