import { type Api, expectData, type Schemas } from '../api/client';
import type { DeviceKindName } from './kinds';

export interface ChangesQuery {
  limit: number;
  /** The previous page's `next_cursor`. */
  cursor?: string;
}

type ListChanges = (
  api: Api,
  externalUserId: string,
  deviceId: string,
  query: ChangesQuery,
) => Promise<Schemas['DeviceChangeList']>;

/**
 * Each kind's change list route (`GET /users/{id}/<kind>/{device_id}/changes`, newest first), called through
 * the typed client: the card's latest change and the change list page ask through here, whatever the kind.
 */
export const KIND_CHANGES: Readonly<Record<DeviceKindName, ListChanges>> = {
  heat_pump: (api, external_user_id, heat_pump_id, query) =>
    expectData(
      api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}/changes', {
        params: { path: { external_user_id, heat_pump_id }, query },
      }),
    ),
  electric_vehicle: (api, external_user_id, electric_vehicle_id, query) =>
    expectData(
      api.GET('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/changes', {
        params: { path: { external_user_id, electric_vehicle_id }, query },
      }),
    ),
  wallbox: (api, external_user_id, wallbox_id, query) =>
    expectData(
      api.GET('/users/{external_user_id}/wallboxes/{wallbox_id}/changes', {
        params: { path: { external_user_id, wallbox_id }, query },
      }),
    ),
  inverter: (api, external_user_id, inverter_id, query) =>
    expectData(
      api.GET('/users/{external_user_id}/inverters/{inverter_id}/changes', {
        params: { path: { external_user_id, inverter_id }, query },
      }),
    ),
};
