import type { DeviceKindName } from './kinds';

/** One figure of a device's card: a field of its view, and how to show it. */
export interface FigureSpec {
  label: string;
  field: string;
  /** Shown after a number (`W`, `%`); a yes/no value shows as yes or no, a text as it is. */
  unit?: string;
}

/** The figures each kind's card lists (the heat pump's card has its own settings list). */
export const KIND_FIGURES: Readonly<Record<Exclude<DeviceKindName, 'heat_pump'>, readonly FigureSpec[]>> = {
  electric_vehicle: [
    { label: 'State of charge', field: 'battery_level', unit: '%' },
    { label: 'Charging power', field: 'current_charging_power_w', unit: 'W' },
    { label: 'Charge rate', field: 'charge_rate_w', unit: 'W' },
    { label: 'Plugged in', field: 'is_plugged_in' },
    { label: 'Charging', field: 'is_charging' },
    { label: 'Range', field: 'driving_range', unit: 'km' },
    { label: 'Boost', field: 'boost_state' },
    { label: 'Boost armed for the next plug-in', field: 'boost_for_next_session' },
    { label: 'Smart optimisation', field: 'is_smart_optimization_active' },
  ],
  wallbox: [
    { label: 'Power', field: 'current_power_w', unit: 'W' },
    { label: 'Mode', field: 'mode' },
    { label: 'Plugged in', field: 'is_plugged_in' },
    { label: 'Charging', field: 'is_charging' },
    { label: 'Boost', field: 'boost_state' },
    { label: 'Boost armed for the next plug-in', field: 'boost_for_next_session' },
    { label: 'OCPP connected', field: 'is_ocpp_connected' },
  ],
  inverter: [
    { label: 'Solar production', field: 'current_solar_production_w', unit: 'W' },
    { label: 'Consumption', field: 'household_consumption_w', unit: 'W' },
    { label: 'Grid (+ export, − import)', field: 'current_power_to_grid_w', unit: 'W' },
    { label: 'Solar surplus', field: 'solar_surplus_w', unit: 'W' },
    { label: 'Battery level', field: 'battery_charge_level_percent', unit: '%' },
    {
      label: 'Battery power (+ discharging, − charging)',
      field: 'battery_charge_discharge_power_w',
      unit: 'W',
    },
    { label: 'Battery connected', field: 'is_battery_connected' },
    { label: 'Battery capacity', field: 'battery_capacity_kwh', unit: 'kWh' },
  ],
};

/** The figures as label and text, `—` where the device does not report the field. */
export function figureRows(
  specs: readonly FigureSpec[],
  device: Readonly<Record<string, unknown>>,
): [label: string, text: string][] {
  return specs.map(({ label, field, unit }) => {
    const value = device[field];
    if (typeof value === 'boolean') return [label, value ? 'yes' : 'no'];
    if (typeof value === 'number' && Number.isFinite(value))
      return [label, unit ? `${value} ${unit}` : `${value}`];
    if (typeof value === 'string' && value !== '') return [label, value];
    return [label, '—'];
  });
}
