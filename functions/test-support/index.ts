/**
 * `@podero-bridge/functions/testing`: helpers for the functions' own tests and for test/ and bench/:
 * API Gateway events, local AWS (dynalite, Secrets Manager), a whole test environment, seeded users and
 * the test log level. Not part of any deployed bundle.
 */
export * from './api-event';
export * from './aws';
export * from './config';
export * from './environment';
export * from './heat-pump-world';
export * from './log-level';
export * from './seed-users';
