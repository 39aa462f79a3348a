/**
 * Size budgets of the function bundles (minified ESM `index.mjs`, without its source map), in bytes.
 *
 * Why budgets: bundle size is the main lever on Lambda cold starts that we control, and a dependency pulled in
 * by accident (a whole SDK, a second zod) shows up here first. infra/test/bundle.test.ts bundles every function
 * for real and fails when one grows past its budget; bench/ reads the same numbers.
 *
 * Measured on 2026-11-25 (esbuild 0.28.2, AWS SDK bundled, minified): token-refresh 855 KB, api 949 KB,
 * heat-pump-sync 954 KB. Budgets leave about 30-40 % headroom for the features still to come; raise one only
 * with a reason in the commit message.
 */
import type { FunctionId } from '@podero-bridge/functions/declarations';

export const BUNDLE_BUDGET_BYTES: Readonly<Record<FunctionId, number>> = {
  tokenRefresh: 1_200_000,
  api: 1_400_000,
  heatPumpSync: 1_400_000,
};
