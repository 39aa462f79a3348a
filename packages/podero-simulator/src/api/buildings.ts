/** B1..B5: a user's buildings. Deleting a building unlinks its devices (their `building` becomes null). */
import type { Handler } from '../core';
import { jsonBody } from '../core';
import { now, requireBuilding, requireUser } from '../domain';
import { parseOr422 } from '../errors';
import type { BuildingRecord } from '../store';
import { buildingView } from '../views';
import { buildingBodySchema } from '../wire';
import { withoutUndefined } from './users';

export const listBuildings: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return { status: 200, json: core.store.buildingsOf(user.id).map(buildingView) };
};

export const createBuilding: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(buildingBodySchema, jsonBody(request), ['body']);
  const building: BuildingRecord = {
    id: core.newId(),
    org_id: request.orgId,
    user_id: user.id,
    property_type: null,
    property_size_m2: null,
    property_age: null,
    num_occupants: null,
    occupant_type: null,
    space_heating: null,
    water_heating: null,
    photovoltaic: false,
    street_and_number: null,
    street_add_info: null,
    zip_code: null,
    town: null,
    country: null,
    ...withoutUndefined(body),
  };
  core.store.addBuilding(building);
  core.changed();
  return { status: 200, json: buildingView(building) };
};

export const getBuilding: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return { status: 200, json: buildingView(requireBuilding(core, user, request.params.building_id ?? '')) };
};

export const updateBuilding: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const building = requireBuilding(core, user, request.params.building_id ?? '');
  const body = parseOr422(buildingBodySchema, jsonBody(request), ['body']);
  Object.assign(building, withoutUndefined(body));
  core.changed();
  return { status: 200, json: buildingView(building) };
};

export const deleteBuilding: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const building = requireBuilding(core, user, request.params.building_id ?? '');
  core.store.removeBuilding(building);
  const devices = [
    ...core.store.heatPumpsOf(user.id),
    ...core.store.electricVehiclesOf(user.id),
    ...core.store.wallboxesOf(user.id),
    ...core.store.invertersOf(user.id),
  ];
  for (const device of devices) {
    if (device.building === building.id) {
      device.building = null;
      device.updated_at = now(core);
    }
  }
  core.changed();
  return { status: 204, empty: true };
};
