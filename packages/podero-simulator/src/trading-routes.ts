/** The day-ahead trading routes of both variants; each exists only under its `mode` (server.ts, router.ts). */
import {
  guideConfirm,
  guideLoadCurves,
  guideLoadCurvesByZone,
  guideUploadPrices,
  referenceGetPrices,
  referenceLoadCurve,
  referenceUploadPrices,
} from './api/trading';
import type { Handler } from './core';
import type { RouteDefinition } from './router';
import { API_PREFIX } from './wire';

const REFERENCE = `${API_PREFIX}/org/{org_id}/trading/dayahead`;
const GUIDE = `${API_PREFIX}/organizations/trading/dayahead`;

const route = (
  mode: 'reference' | 'guide',
  method: string,
  template: string,
  handler: Handler,
): RouteDefinition<Handler> => ({
  method,
  template,
  kind: 'api',
  handler,
  mode,
});

export const TRADING_ROUTES: readonly RouteDefinition<Handler>[] = [
  route('reference', 'GET', `${REFERENCE}/prices`, referenceGetPrices),
  route('reference', 'PATCH', `${REFERENCE}/prices`, referenceUploadPrices),
  route('reference', 'GET', `${REFERENCE}/loadcurve/pricezone/{price_zone_key}`, referenceLoadCurve),
  route('guide', 'POST', `${GUIDE}/prices`, guideUploadPrices),
  route('guide', 'GET', `${GUIDE}/load-curves/by-price-zone`, guideLoadCurvesByZone),
  route('guide', 'GET', `${GUIDE}/load-curves`, guideLoadCurves),
  route('guide', 'POST', `${GUIDE}/load-curve-confirmation`, guideConfirm),
];
