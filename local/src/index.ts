// Re-exported so that tests of the gateway need no direct dependency on @types/aws-lambda.
export type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  Context as LambdaContext,
} from 'aws-lambda';
export { type AuthorizerResult, createJwtAuthorizer, type JwtAuthorizer } from './auth/authorizer';
export { generateSigningKey, loadOrCreateSigningKey, type SigningKey } from './auth/signing-key';
export { createTokenMinter, type MintToken, type MintTokenOptions } from './auth/tokens';
export { type BridgeClock, bridgeClockOf, LOCAL_CLOCKS, type LocalClock } from './clock';
// The console's build as `pnpm dev` makes it (tests that serve the console from an in-process stack).
export { consoleBuildAt, ensureConsoleBuilt } from './console/build';
export { CONSOLE_SESSION_PATH, consoleSession } from './console/session';
export * from './constants';
export {
  DEMO_DEVICE_EVENTS,
  DEMO_PARTS,
  type DemoOptions,
  type DemoPart,
  type DemoResult,
  DemoStepError,
  type DemoTradingDay,
  GUIDE_HEAT_PUMP_FIELDS,
  GUIDE_KEY_HEAT_PUMP_FIELDS,
  type HeatPumpView,
  readConnectForm,
  runDemo,
} from './demo';
export {
  fillHistory,
  HISTORY_DAYS_MAX,
  HISTORY_STEP_SECONDS,
  historyDaysSchema,
  rewindForHistory,
} from './demo-history';
export { createRecordingReporter, createStreamReporter, type DemoReporter } from './demo-reporter';
export { buildApiGatewayEvent, collectHeaders, parseQueryString } from './gateway/event';
export { createLambdaContext, localFunctionName } from './gateway/lambda-context';
export { resultToResponse } from './gateway/response';
export { compileRoutes, matchRoute } from './gateway/routes';
export {
  type HttpApiHandler,
  LOCAL_STACK_MARKER,
  type LocalGateway,
  type LocalGatewayOptions,
  startLocalGateway,
} from './gateway/server';
export {
  installLabelledOutput,
  type PartLabel,
  type StackLog,
  silentLog,
  streamLog,
  withLabel,
} from './logging';
export { createScheduler, type ScheduleRun, type Scheduler, UnknownScheduleError } from './scheduler';
export {
  LOCAL_SECRET_IDS,
  type LocalPassRun,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from './stack';
