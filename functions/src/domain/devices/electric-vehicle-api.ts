/** The electric vehicle's face in the HTTP API (kind-api.ts): plain data, read by declarations.ts. */
import type { DeviceKindApi } from './kind-api';

export const electricVehicleApi = {
  name: 'electric_vehicle',
  resource: 'electric-vehicles',
  idParam: 'electric_vehicle_id',
  singular: 'ElectricVehicle',
  plural: 'ElectricVehicles',
  noun: 'electric vehicle',
  nounPlural: 'electric vehicles',
  aNoun: 'an electric vehicle',
  controls: [
    {
      name: 'settings',
      operationId: 'updateElectricVehicle',
      method: 'PATCH',
      path: '',
      summary: "Change an electric vehicle's settings (smart optimisation, charge target and deadline)",
      answer: 'The updated electric vehicle (live from Podero)',
      logMessage: 'electric-vehicle settings updated',
    },
  ],
  statistics: false,
  savings: true,
  reauthentication: true,
} as const satisfies DeviceKindApi;
