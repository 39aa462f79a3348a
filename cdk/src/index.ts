/**
 * @podero-bridge/cdk: podero-bridge as a CDK construct (README.md; the public surface and what changed between
 * versions: CHANGELOG.md). Only what a partner's app uses is exported here; the repository's own stack and tests
 * use `@podero-bridge/cdk/internal`, which the published package does not export.
 *
 * ```ts
 * const app = new App();
 * const stack = new Stack(app, 'PoderoBridge-prod', { env: { region: 'eu-central-1' } });
 * new PoderoBridge(stack, 'Bridge', { stage: 'prod', podero: { baseUrl, orgId }, identityProvider: { enabled: true }, console });
 * ```
 */
export {
  type ExecutionPolicy,
  executionPolicyFor,
  resourceTypesIn,
  UnknownResourceTypeError,
} from './bootstrap-policy';
export { PoderoBridge, type PoderoBridgeConstructor } from './public-bridge';
export {
  type AlarmsSettings,
  BRIDGE_DEFAULTS,
  type ConsoleSettings,
  type CorsSettings,
  type CredentialsSecretSettings,
  type CustomerLinks,
  type EventsSettings,
  type IdentityProviderSettings,
  type JwtSettings,
  type PoderoBridgeProps,
  PoderoBridgeSettingsError,
  type PoderoBridgeSettingsProps,
  type PoderoSettings,
  type ReadingsSettings,
  type ReturnUrlsSettings,
  type SyncSettings,
  type ThrottlingSettings,
  type TokenSettings,
  type TradingSettings,
} from './public-props';
export { bridgeScopes } from './scopes';
export { PACKAGE_VERSION } from './version';
