/**
 * @podero-bridge/podero-client: typed client for the Podero Partner API v2.0. No AWS dependency.
 * See ../README.md for examples, the retry policy and the error classes.
 */

export type { ChargingConfigResource } from './charging-config';
export * from './charging-config-schemas';
export {
  createPoderoClient,
  type GetOptions,
  type ListOptions,
  type PoderoClient,
  type PoderoClientOptions,
} from './client';
export { type CueLink, parseCueLink } from './cue-links';
export type { DeviceKindResource } from './device-kinds';
export * from './device-schemas';
export * from './electric-vehicle-schemas';
export type { AllChargingSessionsQuery, ElectricVehiclesResource } from './electric-vehicles';
export {
  BOOST_REFUSAL_REASONS,
  type BoostRefusalReason,
  BoostRefusedError,
  InvalidChargingConfigError,
  PoderoAuthError,
  PoderoConflictError,
  PoderoError,
  type PoderoErrorInit,
  type PoderoFieldError,
  type PoderoIssue,
  PoderoNetworkError,
  PoderoNotFoundError,
  PoderoRateLimitError,
  PoderoRequestError,
  PoderoResponseShapeError,
  PoderoServerError,
  PoderoValidationError,
} from './errors';
export * from './inverter-schemas';
export type { InvertersResource } from './inverters';
export {
  addDays,
  dayInZone,
  isoUtc,
  MARKET_TIME_ZONE,
  type MarketDay,
  marketDay,
  zonedTimeToUtcMs,
} from './market-day';
export { createNodeHttpFetch, type NodeHttpFetchOptions } from './node-http-fetch';
export { DEFAULT_RETRY_OPTIONS, parseRetryAfterMs, type RetryOptions } from './retry';
export * from './schemas';
export {
  type ClientCredentialsOptions,
  type ClientCredentialsTokenProviderOptions,
  createClientCredentialsTokenProvider,
  DEFAULT_TIMEOUT_MS,
  requestClientCredentialsToken,
  staticTokenProvider,
  type TokenProvider,
} from './token';
export * from './trading';
export type {
  AttemptObservation,
  FetchInit,
  FetchLike,
  FetchResponseLike,
  RequestSpan,
  TransportOverrides,
} from './transport';
export { API_PREFIX, TOKEN_PATH } from './urls';
export * from './wallbox-schemas';
export type { WallboxesResource } from './wallboxes';
