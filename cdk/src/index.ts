/**
 * @podero-bridge/cdk: podero-bridge as a CDK construct (README.md; what changed between versions: CHANGELOG.md).
 *
 * ```ts
 * const app = new App();
 * const stack = new Stack(app, 'PoderoBridge-prod', { env: { region: 'eu-central-1' } });
 * new PoderoBridge(stack, 'Bridge', { stage: 'prod', podero: { baseUrl, orgId }, identityProvider: { enabled: true }, console });
 * ```
 */
export { ARTIFACT_MODE, type ArtifactMode, CONSOLE_ROOT, FUNCTIONS_ROOT, REPO_ROOT } from './artifacts';
export {
  ACTIONS_BY_RESOURCE_TYPE,
  type ExecutionPolicy,
  executionPolicyFor,
  resourceTypesIn,
  UnknownResourceTypeError,
} from './bootstrap-policy';
export {
  BridgeFunction,
  BUNDLE_SETTINGS,
  bundleDefine,
  LAMBDA_RUNTIME,
  METRICS_NAMESPACE,
} from './constructs/bridge-function';
export { ConsoleSite } from './constructs/console-site';
export { EventDelivery, webhookSecretPrefixFor } from './constructs/event-delivery';
export { FileDrops } from './constructs/file-drops';
export { ACCESS_LOG_FORMAT, HttpApi } from './constructs/http-api';
export { IdentityProvider } from './constructs/identity-provider';
export {
  CUSTOM_METRICS,
  DEVICES_STALE_SHARE_ALARM_PERCENT,
  Monitoring,
  staleTokenAgeSeconds,
} from './constructs/monitoring';
export { SCHEDULER_RETRY_ATTEMPTS, Schedules } from './constructs/schedules';
export { CREDENTIALS_PLACEHOLDER, Secrets } from './constructs/secrets';
export { pascal, Tables } from './constructs/tables';
export { anchorLogicalIds, uniqueIdOf } from './logical-ids';
export { CFN_GUARD_PLUGIN } from './nag-acknowledgements';
export { bridgeScopes, PoderoBridge, type PoderoBridgeProps } from './podero-bridge';
export {
  BRIDGE_DEFAULTS,
  bridgeSettingsShape,
  checkBridgeSettings,
  formatIssues,
  PLACEHOLDER_CONSOLE_CLIENT_ID,
  PLACEHOLDER_JWT_ISSUER,
  PLACEHOLDER_ORG_ID,
  type PoderoBridgeSettings,
  PoderoBridgeSettingsError,
  type PoderoBridgeSettingsInput,
  parseBridgeSettings,
  placeholdersIn,
  poderoBridgeSettingsSchema,
  returnUrlOriginsOf,
} from './props';
export { PACKAGE_VERSION } from './version';
