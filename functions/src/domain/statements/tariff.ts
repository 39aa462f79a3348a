/**
 * A customer's energy contract as a price step function: each price applies from its timestamp until the
 * next one (Podero §3.11: "one entry for a constant price, several for variable prices"). A fixed tariff
 * (`monthly`, `yearly`) is one step, or a few where the price changed; a dynamic one (`spot_hourly`) a
 * step an hour. Prices are kept as integer micro-units of the currency per kWh, so costs add up exactly.
 */

export interface TariffInput {
  contractId: string;
  type: string | null;
  currency: string | null;
  /** As the contract stores them: currency per kWh, from an ISO instant on. */
  prices: readonly { price: number | null; timestamp: string | null }[];
}

export interface Tariff {
  contractId: string;
  type: string | null;
  currency: string | null;
  /** Sorted by `fromMs`; entries without a price or a parseable time are left out. */
  steps: readonly { fromMs: number; microPerKwh: number }[];
}

/** Six decimals of the currency per kWh: finer than any tariff is quoted (0.000001 EUR). */
export const MICRO = 1_000_000;

export function tariffOf(input: TariffInput): Tariff {
  const steps = input.prices
    .flatMap((entry) => {
      const fromMs = entry.timestamp === null ? Number.NaN : Date.parse(entry.timestamp);
      if (entry.price === null || !Number.isFinite(entry.price) || !Number.isFinite(fromMs)) return [];
      return [{ fromMs, microPerKwh: Math.round(entry.price * MICRO) }];
    })
    .sort((a, b) => a.fromMs - b.fromMs);
  return { contractId: input.contractId, type: input.type, currency: input.currency, steps };
}

/** The price in force at an instant (micro-units per kWh), or undefined before the contract's first price. */
export function microPriceAt(tariff: Tariff, epochMs: number): number | undefined {
  let price: number | undefined;
  for (const step of tariff.steps) {
    if (step.fromMs > epochMs) break;
    price = step.microPerKwh;
  }
  return price;
}
