/**
 * Size budgets of the function bundles (minified ESM `index.mjs`, without its source map), in bytes.
 *
 * Why budgets: bundle size is the main lever on Lambda cold starts that we control, and a dependency pulled in
 * by accident (a whole SDK, a second zod) shows up here first. infra/test/bundle.test.ts bundles every function
 * for real and fails when one grows past its budget; bench/ reads the same numbers.
 *
 * Measured on 2026-11-25 21:35 UTC (esbuild 0.28.2, AWS SDK bundled, minified): token-refresh 876 KB,
 * api 1,061 KB, heat-pump-sync 978 KB. The budgets leave 30-40 % headroom for features still to come. Raise one
 * only with a reason in the commit message.
 */
import type { FunctionId } from '@podero-bridge/functions/declarations';

export const BUNDLE_BUDGET_BYTES: Readonly<Record<FunctionId, number>> = {
  tokenRefresh: 1_200_000,
  api: 1_400_000,
  heatPumpSync: 1_200_000,
  syncWorker: 1_400_000,
  eventRelay: 1_200_000,
  webhookDelivery: 1_200_000,
};
