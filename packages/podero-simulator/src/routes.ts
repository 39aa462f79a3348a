/** Every simulated Podero route. Templates are the fault-rule and counter keys (`METHOD /template`). */
import { createBuilding, deleteBuilding, getBuilding, listBuildings, updateBuilding } from './api/buildings';
import { getChargingConfig, updateChargingConfig } from './api/charging-config';
import { reportCueState, resolveCue, resolveInformationCue } from './api/cues';
import { createAuthSession, updateGeneralDevice } from './api/devices';
import {
  boostElectricVehicle,
  createElectricVehicle,
  currentChargingSession,
  disarmElectricVehicleBoost,
  electricVehicleSavings,
  getChargePolicy,
  getElectricVehicle,
  listChargingSessions,
  listElectricVehicles,
  putChargePolicy,
  updateElectricVehicle,
} from './api/electric-vehicles';
import { createEnergyContract, listEnergyContracts, updateEnergyContract } from './api/energy-contracts';
import {
  createHeatPump,
  deleteHeatPump,
  getHeatPump,
  heatPumpData,
  heatPumpSavings,
  heatPumpStatistics,
  listHeatPumps,
  updateHeatPump,
} from './api/heat-pumps';
import {
  createInverter,
  getInverter,
  inverterData,
  inverterSavings,
  inverterSchedules,
  listInverters,
  updateInverter,
} from './api/inverters';
import { issueToken } from './api/oauth';
import { createOnboardingSession, getOnboardingSession } from './api/onboarding';
import { organisationSavings } from './api/organisation-savings';
import { createUser, deleteUser, getUser, getUserByExternalId, listUsers, updateUser } from './api/users';
import {
  boostWallbox,
  cancelWallboxBoost,
  claimTokenStatus,
  createClaimToken,
  createWallbox,
  getWallbox,
  listWallboxes,
  updateWallbox,
} from './api/wallboxes';
import { showConnectPage, submitConnectForm } from './connect-ui';
import type { Handler } from './core';
import { showReauthenticationPage, submitReauthenticationForm } from './reauth-ui';
import type { RouteDefinition } from './router';
import { TRADING_ROUTES } from './trading-routes';
import { API_PREFIX } from './wire';

const USERS = `${API_PREFIX}/org/{org_id}/users`;
const USER = `${USERS}/{user_id}`;
const BUILDINGS = `${USER}/buildings`;
const HEAT_PUMPS = `${USER}/heat-pumps`;
const HEAT_PUMP = `${HEAT_PUMPS}/{heat_pump_id}`;
const ENERGY_CONTRACTS = `${USER}/energy-contracts`;
const ELECTRIC_VEHICLES = `${USER}/electric-vehicles`;
const ELECTRIC_VEHICLE = `${ELECTRIC_VEHICLES}/{electric_vehicle_id}`;
const WALLBOXES = `${USER}/wallboxes`;
const WALLBOX = `${WALLBOXES}/{wallbox_id}`;
const INVERTERS = `${USER}/inverters`;
const INVERTER = `${INVERTERS}/{inverter_id}`;
const CUE = `${API_PREFIX}/cues/{cue_id}`;

const api = (method: string, template: string, handler: Handler): RouteDefinition<Handler> => ({
  method,
  template,
  kind: 'api',
  handler,
});

export const ROUTES: readonly RouteDefinition<Handler>[] = [
  { method: 'POST', template: '/oauth2/token/', kind: 'oauth', handler: issueToken },
  { method: 'GET', template: '/connect', kind: 'connect', handler: showConnectPage },
  { method: 'POST', template: '/connect', kind: 'connect', handler: submitConnectForm },
  { method: 'GET', template: '/connect/reauthenticate', kind: 'connect', handler: showReauthenticationPage },
  {
    method: 'POST',
    template: '/connect/reauthenticate',
    kind: 'connect',
    handler: submitReauthenticationForm,
  },
  // by-ext-id before {user_id}/...: the literal segment must win.
  api('GET', `${USERS}/by-ext-id/{external_id}`, getUserByExternalId),
  api('GET', USERS, listUsers),
  api('POST', USERS, createUser),
  api('GET', USER, getUser),
  api('PUT', USER, updateUser),
  api('DELETE', USER, deleteUser),
  api('GET', BUILDINGS, listBuildings),
  api('POST', BUILDINGS, createBuilding),
  api('GET', `${BUILDINGS}/{building_id}`, getBuilding),
  api('PUT', `${BUILDINGS}/{building_id}`, updateBuilding),
  api('DELETE', `${BUILDINGS}/{building_id}`, deleteBuilding),
  api('POST', `${API_PREFIX}/device-onboarding`, createOnboardingSession),
  api('GET', `${API_PREFIX}/device-onboarding/{onboarding_session_id}`, getOnboardingSession),
  api('GET', HEAT_PUMPS, listHeatPumps),
  api('POST', HEAT_PUMPS, createHeatPump),
  api('GET', HEAT_PUMP, getHeatPump),
  api('PUT', HEAT_PUMP, updateHeatPump),
  api('DELETE', HEAT_PUMP, deleteHeatPump),
  api('GET', `${HEAT_PUMP}/statistics`, heatPumpStatistics),
  api('GET', `${HEAT_PUMP}/savings`, heatPumpSavings),
  api('GET', `${HEAT_PUMP}/data`, heatPumpData),
  api('PATCH', `${USER}/devices/{device_id}`, updateGeneralDevice),
  api('GET', ELECTRIC_VEHICLES, listElectricVehicles),
  api('POST', ELECTRIC_VEHICLES, createElectricVehicle),
  api('GET', ELECTRIC_VEHICLE, getElectricVehicle),
  api('PUT', ELECTRIC_VEHICLE, updateElectricVehicle),
  api(
    'POST',
    `${ELECTRIC_VEHICLE}/auth_session`,
    createAuthSession('electric_vehicle', 'electric_vehicle_id'),
  ),
  api('POST', `${ELECTRIC_VEHICLE}/boost`, boostElectricVehicle),
  api('DELETE', `${ELECTRIC_VEHICLE}/boost`, disarmElectricVehicleBoost),
  api('GET', `${ELECTRIC_VEHICLE}/charge-policy`, getChargePolicy),
  api('PUT', `${ELECTRIC_VEHICLE}/charge-policy`, putChargePolicy),
  // sessions/current before any capture at that depth (there is none today; the literal must win).
  api('GET', `${ELECTRIC_VEHICLE}/sessions/current`, currentChargingSession),
  api('GET', `${ELECTRIC_VEHICLE}/sessions`, listChargingSessions),
  api('GET', `${ELECTRIC_VEHICLE}/savings`, electricVehicleSavings),
  // claim-tokens before {wallbox_id}: the literal segment must win.
  api('POST', `${WALLBOXES}/claim-tokens`, createClaimToken),
  api('GET', WALLBOXES, listWallboxes),
  api('POST', WALLBOXES, createWallbox),
  api('GET', WALLBOX, getWallbox),
  api('PUT', WALLBOX, updateWallbox),
  api('POST', `${WALLBOX}/auth_session`, createAuthSession('wallbox', 'wallbox_id')),
  api('POST', `${WALLBOX}/boost`, boostWallbox),
  api('DELETE', `${WALLBOX}/boost`, cancelWallboxBoost),
  api('GET', INVERTERS, listInverters),
  api('POST', INVERTERS, createInverter),
  api('GET', INVERTER, getInverter),
  api('PUT', INVERTER, updateInverter),
  api('POST', `${INVERTER}/auth_session`, createAuthSession('inverter', 'inverter_id')),
  api('GET', `${INVERTER}/data`, inverterData),
  api('GET', `${INVERTER}/schedules`, inverterSchedules),
  api('GET', `${INVERTER}/savings`, inverterSavings),
  api('GET', `${USER}/charging-config`, getChargingConfig),
  api('PUT', `${USER}/charging-config`, updateChargingConfig),
  // Appendix B: no Authorization shown; the one-time token in the path authorises it.
  {
    method: 'GET',
    template: `${API_PREFIX}/device-onboarding/{onboarding_session_id}/wallbox-claim-tokens/{token}/status`,
    kind: 'api-secret',
    handler: claimTokenStatus,
  },
  api('GET', ENERGY_CONTRACTS, listEnergyContracts),
  api('POST', ENERGY_CONTRACTS, createEnergyContract),
  api('PUT', `${ENERGY_CONTRACTS}/{energy_contract_id}`, updateEnergyContract),
  api('GET', `${API_PREFIX}/org/{org_id}/devices/savings`, organisationSavings),
  api('POST', `${CUE}/resolve`, resolveCue),
  // The one documented operation without an Authorization header: the secret authorises it.
  { method: 'POST', template: `${CUE}/state`, kind: 'api-secret', handler: reportCueState },
  api('POST', `${CUE}/information/resolve`, resolveInformationCue),
  ...TRADING_ROUTES,
];

/** Path parameters that must be UUIDs (django-ninja answers 422 `uuid_parsing` otherwise). */
export const UUID_PARAMS = new Set([
  'org_id',
  'user_id',
  'building_id',
  'heat_pump_id',
  'onboarding_session_id',
  'cue_id',
  'energy_contract_id',
  'device_id',
  'electric_vehicle_id',
  'wallbox_id',
  'inverter_id',
]);
