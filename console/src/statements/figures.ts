import type { Schemas } from '../api/client';

/**
 * How the printable statement shows the API's figures: kWh to 3 decimals (as the API rounds them), money from
 * its minor units in the contract's currency, and behind each its coverage. A missing figure (`null`) reads
 * "missing", never 0: the reader must not take an absence of data for an absence of consumption.
 */
export type StatementEnergy = Schemas['StatementEnergy'];
export type StatementMoney = Schemas['StatementMoney'];

export const MISSING = 'missing';

export function formatKwh(figure: StatementEnergy): string {
  return figure.kwh === null ? MISSING : `${figure.kwh.toFixed(3)} kWh`;
}

/** Minor units (cents) in the currency; without one (devices in different currencies) the bare amount. */
export function formatMoney(figure: StatementMoney, currency: string | null): string {
  if (figure.amount_minor === null) return MISSING;
  const major = figure.amount_minor / 100;
  if (currency === null) return major.toFixed(2);
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(major);
  } catch {
    // A code Intl does not know: the amount and the code as the contract spells it.
    return `${major.toFixed(2)} ${currency}`;
  }
}

/** `672/2976 quarter-hours (22.6 %)`: what a figure rests on. */
export function formatCoverage(coverage: StatementEnergy['coverage']): string {
  const percent = (coverage.ratio * 100).toFixed(1);
  return `${coverage.covered_quarter_hours}/${coverage.expected_quarter_hours} quarter-hours (${percent} %)`;
}

export const NOTE_LABELS: Readonly<Record<Schemas['StatementDevice']['notes'][number], string>> = {
  no_readings: 'no readings in the month',
  no_baseline_series: 'Podero publishes no unoptimised baseline for this kind',
  no_baseline_data: 'no baseline data from Podero for the month',
  no_energy_contract: 'no energy contract prices this device',
  no_price: 'the contract has no price for part of the month',
  removed: 'no longer on the account: figures up to its removal',
  readings_erased: 'offboarded: its readings were erased, so no figure can be shown',
  baseline_from_charging_sessions:
    "baseline cost and saving from Podero's charging sessions (EUR, Podero's own figures)",
};

type UnavailableReason = NonNullable<StatementEnergy['unavailable']>;

/** Why a figure is missing, in a word or two under "missing". */
export const UNAVAILABLE_LABELS: Readonly<Record<UnavailableReason, string>> = {
  no_readings: 'no readings',
  readings_erased: 'readings erased',
  no_baseline_series: 'no baseline published',
  no_baseline_data: 'no baseline data',
  no_energy_contract: 'no contract',
  no_price: 'no price',
  currency_mismatch: 'other currency',
  no_device_figure: 'no device has it',
};

export type StatementRemoval = NonNullable<Schemas['StatementDevice']['removed']>;

/** `removed at Podero 2025-01-11 10:07 (readings kept)`: how and when a device left, in the reader's words. */
export function formatRemoval(removal: StatementRemoval, formatTime: (iso: string) => string): string {
  const how = removal.by === 'offboarding' ? 'offboarded' : 'removed at Podero';
  return `${how} ${formatTime(removal.at)} (readings ${removal.readings})`;
}
