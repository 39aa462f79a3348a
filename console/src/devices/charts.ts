import { CHARTS, type ChartSpec } from '../readings';
import type { DeviceKindName } from './kinds';

/**
 * What the customer page plots for each kind, from the reading values its sync stores (the kind's
 * `readingFields` in functions/src/domain/devices/<kind>.ts). The heat pump's are the charts from before.
 */
export const KIND_CHARTS: Readonly<Record<DeviceKindName, readonly ChartSpec[]>> = {
  heat_pump: CHARTS,
  electric_vehicle: [
    {
      id: 'state-of-charge',
      title: 'State of charge',
      unit: '%',
      series: [{ field: 'battery_level', label: 'State of charge', colour: '#1a7f37' }],
    },
    {
      id: 'charging-power',
      title: 'Charging power',
      unit: 'W',
      series: [{ field: 'current_charging_power_w', label: 'Charging', colour: '#1f6feb' }],
    },
    {
      id: 'plugged-in',
      title: 'Plugged in (1) or not (0)',
      unit: 'yes/no',
      series: [{ field: 'is_plugged_in', label: 'Plugged in', colour: '#8250df', map: 'flag' }],
    },
  ],
  wallbox: [
    {
      id: 'wallbox-power',
      title: 'Charging power',
      unit: 'W',
      series: [{ field: 'current_power_w', label: 'Power', colour: '#1f6feb' }],
    },
    {
      id: 'wallbox-charging',
      title: 'Plugged in and charging (1) or not (0)',
      unit: 'yes/no',
      series: [
        { field: 'is_plugged_in', label: 'Plugged in', colour: '#8250df', map: 'flag' },
        { field: 'is_charging', label: 'Charging', colour: '#bf8700', map: 'flag' },
      ],
    },
  ],
  inverter: [
    {
      id: 'energy-flows',
      title: 'Production, consumption and grid',
      unit: 'W',
      series: [
        { field: 'current_solar_production_w', label: 'Solar production', colour: '#bf8700' },
        { field: 'household_consumption_w', label: 'Consumption', colour: '#d1242f' },
        { field: 'current_power_to_grid_w', label: 'Grid export', colour: '#1a7f37', map: 'positive' },
        { field: 'current_power_to_grid_w', label: 'Grid import', colour: '#8250df', map: 'negative' },
      ],
    },
    {
      id: 'battery-level',
      title: 'Battery level',
      unit: '%',
      series: [{ field: 'battery_charge_level_percent', label: 'Battery', colour: '#1a7f37' }],
    },
    {
      id: 'battery-power',
      title: 'Battery power (+ discharging, − charging)',
      unit: 'W',
      series: [{ field: 'battery_charge_discharge_power_w', label: 'Battery power', colour: '#0969da' }],
    },
  ],
};
