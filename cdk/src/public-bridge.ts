/**
 * `PoderoBridge` as a partner's TypeScript sees it: the construct and what it hands out, in aws-cdk-lib's own
 * types. The implementation (podero-bridge.ts) has more (its parts, for this repository's stack and tests);
 * what is declared here is the public surface semantic versioning applies to (CHANGELOG.md).
 */
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PoderoBridge as PoderoBridgeConstruct } from './podero-bridge';
import type { PoderoBridgeProps } from './public-props';

/**
 * podero-bridge, one stage of it, in any CDK stack: `new PoderoBridge(stack, 'Bridge', props)`. One per stack:
 * its resources' logical ids do not depend on its id or the stack's name, so an upgrade or a move never
 * replaces a table, secret, queue or bucket.
 */
export interface PoderoBridge extends Construct {
  /** The stage this bridge is (`props.stage`). */
  readonly stageName: string;
  /** The HTTPS API's base URL, with a trailing slash (a token until deploy; output `ApiUrl`). */
  readonly apiUrl: string;
  /** The operator console's URL (output `ConsoleUrl`); absent when `console.enabled` is false. */
  readonly consoleUrl: string | undefined;
  /** The Cognito user pool (output `UserPoolId`); absent unless `identityProvider.enabled`. */
  readonly userPool: cognito.IUserPool | undefined;
  /** The back office's client-credentials client (output `BackOfficeClientId`); absent unless `identityProvider.enabled`. */
  readonly backOfficeClient: cognito.IUserPoolClient | undefined;
  /** The token endpoint of the user pool's domain (output `TokenEndpoint`); absent unless `identityProvider.enabled`. */
  readonly tokenEndpoint: string | undefined;
  /** The bus the change events go to (output `EventBusName`): attach your own rules to it. */
  readonly eventBus: events.IEventBus;
  /** The topic every alarm notifies (output `AlarmTopicArn`). */
  readonly alarmTopic: sns.ITopic;
}

export interface PoderoBridgeConstructor {
  /** Validates `props` (throws `PoderoBridgeSettingsError` naming every bad field) and adds the bridge. */
  new (scope: Construct, id: string, props: PoderoBridgeProps): PoderoBridge;
}

// The implementation, typed as its public surface: the compiler checks that it has every member above.
export const PoderoBridge: PoderoBridgeConstructor = PoderoBridgeConstruct;
