export { FAILING_PASSWORD } from './connect-ui';
export type { SeededUser, SeedRequest, SimulatorControl } from './control';
export type { OrgCredentials } from './core';
export type { CountersSnapshot } from './counters';
export { DEVICE_CATALOG } from './domain';
export { type FaultRule, faultRuleSchema, parseFaultsJson } from './faults';
export { type BoundAddress, localOnlyRefusal } from './local-only';
export { profileFor, readingAt } from './model/living';
export {
  DEFAULT_ORG,
  SECOND_ORG,
  type Simulator,
  type SimulatorOptions,
  simulatorOptionsSchema,
  startSimulator,
} from './server';
export { API_PREFIX } from './wire';
