/**
 * Which day-ahead trading API an environment speaks (contract §3.13, Appendix E: the reference and the
 * guide disagree, [INFERRED] which is live), settled with reads only: nothing is uploaded and no trade is
 * confirmed. The evidence:
 *
 * - reference: T1 `GET /org/{org_id}/trading/dayahead/prices` for a day a week ago answers (2xx, or a 400/422
 *   about its parameters) rather than 404 `Not Found`/405; T3 for AT is read too, as evidence;
 * - guide: `GET /organizations/trading/dayahead/prices` answers 405 (the path exists, for POST);
 *   `GET .../load-curves?date=` a week ago is read too, as evidence.
 */
import type { Check, ProbeContext } from './checks';
import { describeAnswer, field, type RawAnswer } from './http';

export type TradingVariantFinding = 'reference' | 'guide' | 'both' | 'neither';

/** An answer from a route that exists: anything but an unknown path (404 `Not Found`) or a wrong method. */
function routeExists(answer: RawAnswer): boolean {
  if (answer.status === 405 || answer.status === 401 || answer.status === 403) return false;
  if (answer.status === 404) {
    const detail = field(answer.json, 'detail');
    return typeof detail === 'string' && detail !== 'Not Found';
  }
  return answer.status < 500;
}

function dayAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

export async function findTradingVariant(
  ctx: ProbeContext,
): Promise<{ variant: TradingVariantFinding; evidence: string }> {
  const day = dayAgo(7);
  const from = `${day}T00:00:00Z`;
  const to = `${dayAgo(6)}T00:00:00Z`;
  const t1 = await ctx.http.request(
    'GET',
    ctx.http.org(`/trading/dayahead/prices?from_dt=${from}&to_dt=${to}&price_zone=AT`),
  );
  const t3 = await ctx.http.request(
    'GET',
    ctx.http.org('/trading/dayahead/loadcurve/pricezone/AT?resolution=1HOUR'),
  );
  const guidePrices = await ctx.http.request('GET', 'api:/organizations/trading/dayahead/prices');
  const guideCurves = await ctx.http.request(
    'GET',
    `api:/organizations/trading/dayahead/load-curves?date=${day}`,
  );
  // T1 and the guide's 405 decide; T3 and the guide's load curves are evidence only (a 404 for "no curve
  // yet" cannot always be told from an unknown path, e.g. behind a proxy that rewrites error pages).
  const reference = routeExists(t1);
  const guide = guidePrices.status === 405;
  const variant: TradingVariantFinding = reference
    ? guide
      ? 'both'
      : 'reference'
    : guide
      ? 'guide'
      : 'neither';
  const evidence = [
    `T1 GET prices ${describeAnswer(t1)}`,
    `T3 GET loadcurve ${describeAnswer(t3)}`,
    `guide GET prices ${describeAnswer(guidePrices)}`,
    `guide GET load-curves ${describeAnswer(guideCurves)}`,
  ].join('; ');
  return { variant, evidence };
}

export const TRADING_CHECKS: readonly Check[] = [
  {
    id: 'trading.variant',
    expected:
      "the environment speaks a day-ahead trading API, reference (T1-T3) or guide (/organizations/trading/...), found by reads only; set the bridge's trading variant to the one reported",
    async run(ctx) {
      const { variant, evidence } = await findTradingVariant(ctx);
      ctx.tradingVariant = variant;
      const observed = `${variant} (${evidence})`;
      return variant === 'neither' ? { verdict: 'diverges', observed } : { verdict: 'holds', observed };
    },
  },
];
