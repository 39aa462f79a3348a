/**
 * S1: the organisation's savings between two instants, by device type, over the live devices of its live users
 * (deleted devices saved nothing in the range they were gone; the simulator counts live ones only). Each figure
 * is the sum of what the device's own savings endpoint reports for the window, rounded per device as that
 * endpoint rounds it: H6's for a heat pump, E12's for an EV (its sessions that ended in the window), Appendix B's
 * for an inverter. A wallbox has no savings endpoint and is in none of them.
 */
import { type Handler, queryObject } from '../core';
import { advanceElectricVehicle } from '../device-kinds';
import { parseOr422, validationError } from '../errors';
import { round } from '../model/series';
import { organisationSavingsQuerySchema, parseDateTime } from '../wire';
import { electricVehicleSavingsEntry } from './electric-vehicles';
import { heatPumpSavingsBetween } from './heat-pumps';
import { inverterSavingsEntry } from './inverters';

export const organisationSavings: Handler = (core, request) => {
  const query = parseOr422(organisationSavingsQuerySchema, queryObject(request), ['query']);
  const fromMs = parseDateTime(query.start_datetime);
  const toMs = parseDateTime(query.end_datetime);
  if (toMs <= fromMs) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['query', 'end_datetime'],
        msg: '`end_datetime` must be after `start_datetime`',
      },
    ]);
  }
  const sums = { heatPump: 0, electricVehicle: 0, inverter: 0 };
  for (const user of core.store.users.values()) {
    if (user.organization_id !== request.orgId || user.deleted_at !== null) continue;
    for (const heatPump of core.store.heatPumpsOf(user.id)) {
      if (heatPump.deleted_at !== null) continue;
      sums.heatPump += heatPumpSavingsBetween(core, request.orgId, heatPump, fromMs, toMs);
    }
    for (const vehicle of core.store.electricVehiclesOf(user.id)) {
      if (vehicle.deleted_at !== null) continue;
      advanceElectricVehicle(core, vehicle);
      sums.electricVehicle += electricVehicleSavingsEntry(vehicle, fromMs, toMs).savings.total;
    }
    for (const inverter of core.store.invertersOf(user.id)) {
      if (inverter.deleted_at !== null) continue;
      sums.inverter += inverterSavingsEntry(core, inverter, fromMs, toMs).savings.total;
    }
  }
  const heatPumpSavings = round(sums.heatPump, 2) + 0;
  const electricVehicleSavings = round(sums.electricVehicle, 2) + 0;
  const inverterSavings = round(sums.inverter, 2) + 0;
  return {
    status: 200,
    json: {
      total_savings: round(heatPumpSavings + electricVehicleSavings + inverterSavings, 2) + 0,
      heat_pump_savings: heatPumpSavings,
      electric_vehicle_savings: electricVehicleSavings,
      inverter_savings: inverterSavings,
    },
  };
};
