/**
 * The repository's own entry into @podero-bridge/cdk (`@podero-bridge/cdk/internal`): the construct's
 * implementation with all its parts, and the helpers `infra/` and the tests use. Not published: the packed
 * package's `exports` name only `.` (index.ts), the surface semantic versioning applies to. `PoderoBridge`
 * here is the implementation class (its parts: tables, functions, ...); index.ts exports its public face.
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
export { PoderoBridge } from './podero-bridge';
export {
  bridgeSettingsShape,
  checkBridgeSettings,
  formatIssues,
  PLACEHOLDER_CONSOLE_CLIENT_ID,
  PLACEHOLDER_JWT_ISSUER,
  PLACEHOLDER_ORG_ID,
  type PoderoBridgeSettings,
  type PoderoBridgeSettingsInput,
  parseBridgeSettings,
  placeholdersIn,
  poderoBridgeSettingsSchema,
  returnUrlOriginsOf,
} from './props';
export * from './public-props';
export { bridgeScopes } from './scopes';
export { PACKAGE_VERSION } from './version';
