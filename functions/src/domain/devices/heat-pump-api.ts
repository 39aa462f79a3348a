/**
 * The heat pump's face in the HTTP API (kind-api.ts): plain data, read by declarations.ts and by the
 * routes, views and errors built from the kind. The names are the API's since the bridge began.
 */
import type { DeviceKindApi } from './kind-api';

export const heatPumpApi = {
  name: 'heat_pump',
  resource: 'heat-pumps',
  idParam: 'heat_pump_id',
  singular: 'HeatPump',
  plural: 'HeatPumps',
  noun: 'heat pump',
  nounPlural: 'heat pumps',
  aNoun: 'a heat pump',
  controls: [
    {
      name: 'settings',
      operationId: 'updateHeatPump',
      method: 'PATCH',
      path: '',
      summary: "Change a heat pump's user settings",
      answer: 'The updated heat pump (live from Podero)',
      logMessage: 'heat-pump settings updated',
    },
  ],
  statistics: true,
  savings: true,
  reauthentication: true,
} as const satisfies DeviceKindApi;
