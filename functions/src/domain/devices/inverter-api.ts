/** The solar inverter's face in the HTTP API (kind-api.ts): plain data, read by declarations.ts. */
import type { DeviceKindApi } from './kind-api';

export const inverterApi = {
  name: 'inverter',
  resource: 'inverters',
  idParam: 'inverter_id',
  singular: 'Inverter',
  plural: 'Inverters',
  noun: 'solar inverter',
  nounPlural: 'solar inverters',
  aNoun: 'a solar inverter',
  controls: [
    {
      name: 'settings',
      operationId: 'updateInverter',
      method: 'PATCH',
      path: '',
      summary: "Change a solar inverter's settings (smart optimisation, rating, home battery and its limits)",
      answer: 'The updated solar inverter (live from Podero)',
      logMessage: 'inverter settings updated',
    },
  ],
  statistics: false,
  savings: true,
  reauthentication: true,
} as const satisfies DeviceKindApi;
