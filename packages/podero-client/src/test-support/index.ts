/**
 * `@podero-bridge/podero-client/testing`: the client's test helpers for other packages' tests (the CLI's):
 * a scripted fake `fetch` and reference bodies taken from Podero's documentation.
 */
export * from './fake-fetch';
export * from './fixtures';
