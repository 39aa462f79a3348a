import type { paths } from '@podero-bridge/bridge-api-client';

/** The price zones the API trades (its path parameter's enum); the compiler checks the list is complete. */
export type TradingZone =
  paths['/trading/day-ahead/{price_zone}/days/{delivery_day}']['get']['parameters']['path']['price_zone'];

export const TRADING_ZONES = [
  'DE_LU',
  'AT',
  'AT_HOURLY',
  'BE',
  'CH',
  'EE',
  'HU',
  'IT_CNOR',
  'IT_CSUD',
  'IT_NORD',
  'IT_PUN',
  'IT_SARD',
  'IT_SICI',
  'IT_SUD',
  'PT',
  'RO',
  'SE_1',
  'SE_2',
  'SE_3',
  'SE_4',
] as const satisfies readonly TradingZone[];

// A zone the API adds and this list lacks fails here, at compile time.
type Missing = Exclude<TradingZone, (typeof TRADING_ZONES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

export const DEFAULT_TRADING_ZONE: TradingZone = 'DE_LU';

export function isTradingZone(value: string): value is TradingZone {
  return (TRADING_ZONES as readonly string[]).includes(value);
}
