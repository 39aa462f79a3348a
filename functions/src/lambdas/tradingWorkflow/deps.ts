import type { TradingWorkflowConfig } from '../../config';
import { tradingCalendarOf } from '../../domain/trading/market';
import { TradingDayStore } from '../../storage/trading-days';
import { TradingService } from '../../trading/service';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

export interface TradingWorkflowDepsBundle extends FleetDeps {
  readonly config: TradingWorkflowConfig;
  readonly trading: TradingService;
}

export type TradingWorkflowOverrides = FleetOverrides;

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createTradingWorkflowDeps(
  config: TradingWorkflowConfig,
  overrides: TradingWorkflowOverrides = {},
): TradingWorkflowDepsBundle {
  const fleet = createFleetDeps('tradingWorkflow', config, overrides);
  return {
    ...fleet,
    config,
    trading: new TradingService({
      store: new TradingDayStore(fleet.db, config.mainTableName),
      podero: fleet.podero.trading,
      calendar: tradingCalendarOf(config.tradingConfirmationDeadline),
      autoConfirm: config.tradingAutoConfirm,
      now: fleet.now,
      logger: fleet.logger,
    }),
  };
}
