/**
 * `@podero-bridge/functions/testing`: helpers for the functions' own tests and for test/ and bench/:
 * API Gateway events, the one local world (tables, queues, secrets and a complete environment from the
 * declarations: local-world.ts, also what `pnpm dev` runs in), local AWS, a whole test environment, seeded users and
 * the test log level. Not part of any deployed bundle.
 */

/** Podero's JSON as a snapshot item stores it (a compressed projection, or an older item's string). */
export { decodeDeviceJson as storedDeviceJsonOfItem } from '../src/storage/snapshot-json';
export * from './api-event';
export * from './aws';
export * from './config';
export * from './device-world';
export * from './environment';
export * from './fake-podero';
export * from './local-world';
export * from './log-level';
export * from './pending-event';
export * from './secret-handouts';
export * from './seed-users';
export * from './test-dynamo';
