/**
 * Size budgets of the function bundles (minified ESM `index.mjs`, without its source map), in bytes.
 *
 * Why budgets: bundle size is the main lever on Lambda cold starts that we control (V8 compiles the whole
 * file before the handler runs), and a dependency pulled in by accident (a whole SDK, a second zod) shows up
 * here first. infra/test/bundle.integ.test.ts bundles every function for real and fails when one grows past its
 * budget; `pnpm bench cold-start` reads the same numbers.
 *
 * Each budget is the bundle's size on 2026-12-02 before the second performance round (esbuild 0.28.2, AWS
 * SDK bundled, minified; `BUNDLE_BASELINE_BYTES`) plus 10 %: a change that grows a bundle by more fails the
 * infra tests. Raise a baseline only with a reason in the commit message and the new figure from
 * `pnpm bench cold-start`.
 */
import type { FunctionId } from '@podero-bridge/functions/declarations';

export const BUNDLE_BASELINE_BYTES: Readonly<Record<FunctionId, number>> = {
  tokenRefresh: 658_711,
  // 937_163 on 2026-12-02; raised on 2026-12-07 to the measured 1_040_488 (infra/test/bundle.integ.test.ts, a
  // fresh clone): issues 35 and 36 added 37 routes to the api (tracked changes, coverage, statements, audit,
  // timeline, search, webhook operations, fleet days). Issue 39's cold-start work is to bring it back down.
  api: 1_040_488,
  syncPlanner: 675_178,
  syncWorker: 835_222,
  eventRelay: 686_460,
  webhookDelivery: 705_293,
  // First measured 548_664 on 2026-12-07; raised the same day to 613_485 (infra/test/bundle.integ.test.ts):
  // the erasure sweeps every device kind now (issue 34), so the four kind modules come with it.
  erasureWorker: 613_485,
  // New on 2026-12-07: esbuild CLI with bridge-function.ts's options (no tracing); that measure gives erasureWorker
  // 590_318, 8 % above its baseline, so this one has room to spare until `pnpm bench cold-start` measures it.
  tradingWorkflow: 669_856,
  // New on 2026-12-08 (issue 38, the forecast file drop): 807_689 as infra/test/bundle.integ.test.ts built it
  // (no tracing). The S3 client is most of it (it and DynamoDB's; no Podero client, no Secrets Manager);
  // `pnpm bench cold-start` has not measured it yet.
  forecastDrop: 807_689,
  // New (issue 35, the history backfill): the sync worker's kinds, readings and rate-limit modules without its
  // queue client; set from the sync worker's baseline until infra/test/bundle.integ.test.ts measures it.
  historyBackfill: 835_222,
};

/** How much a bundle may grow past its baseline before the infra tests fail. */
export const BUNDLE_GROWTH_ALLOWED = 0.1;

export const BUNDLE_BUDGET_BYTES = Object.fromEntries(
  Object.entries(BUNDLE_BASELINE_BYTES).map(([id, bytes]) => [
    id,
    Math.floor(bytes * (1 + BUNDLE_GROWTH_ALLOWED)),
  ]),
) as Readonly<Record<FunctionId, number>>;
