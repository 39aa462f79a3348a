/**
 * The control plane's trading part: `GET /__sim/trading` (variant, counters, trades), `PUT
 * /__sim/trading/settings` (an organisation's confirmation deadline), and the same in-process as
 * `sim.control.trading`. The variant itself is a mode (`PUT /__sim/modes {"trading_variant"}`).
 */
import * as z from 'zod';
import { tradingSnapshot } from './api/trading';
import type { SimCore, SimResponse } from './core';
import { parseOr422, SimHttpError } from './errors';
import { CONFIRMATION_DEADLINES, type ConfirmationDeadline } from './model/trading';

export interface TradingControl {
  snapshot(): ReturnType<typeof tradingSnapshot>;
  /** 14:30 (partners who also trade intraday) or 23:30 Europe/Berlin on D−1; default the primary org. */
  setConfirmationDeadline(deadline: ConfirmationDeadline, orgId?: string): void;
}

export function createTradingControl(core: SimCore): TradingControl {
  return {
    snapshot: () => tradingSnapshot(core),
    setConfirmationDeadline(deadline, orgId = core.orgs[0]?.orgId ?? '') {
      if (!core.orgs.some((org) => org.orgId === orgId)) throw new Error(`unknown organisation ${orgId}`);
      core.trading.deadlines.set(orgId, deadline);
    },
  };
}

const settingsBodySchema = z.strictObject({
  confirmation_deadline: z.enum(CONFIRMATION_DEADLINES),
  org_id: z.string().optional(),
});

/** `route` is `METHOD /__sim/trading...` without a trailing slash. */
export function handleTradingControl(
  core: SimCore,
  control: TradingControl,
  route: string,
  body: () => unknown,
): SimResponse | null {
  switch (route) {
    case 'GET /__sim/trading':
      return { status: 200, json: control.snapshot() };
    case 'PUT /__sim/trading/settings': {
      const parsed = parseOr422(settingsBodySchema, body(), ['body']);
      const orgId = parsed.org_id ?? core.orgs[0]?.orgId ?? '';
      if (!core.orgs.some((org) => org.orgId === orgId)) {
        throw new SimHttpError(422, {
          detail: [{ type: 'value_error', loc: ['body', 'org_id'], msg: 'Unknown organisation' }],
        });
      }
      control.setConfirmationDeadline(parsed.confirmation_deadline, orgId);
      return { status: 200, json: control.snapshot().confirmation_deadlines };
    }
    default:
      return null;
  }
}
