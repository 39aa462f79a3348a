/** The wallbox's face in the HTTP API (kind-api.ts): plain data, read by declarations.ts. */
import type { DeviceKindApi } from './kind-api';

export const wallboxApi = {
  name: 'wallbox',
  resource: 'wallboxes',
  idParam: 'wallbox_id',
  singular: 'Wallbox',
  plural: 'Wallboxes',
  noun: 'wallbox',
  nounPlural: 'wallboxes',
  aNoun: 'a wallbox',
  controls: [
    {
      name: 'settings',
      operationId: 'updateWallbox',
      method: 'PATCH',
      path: '',
      summary: "Change a wallbox's settings (smart optimisation, charge target and deadline)",
      answer: 'The updated wallbox (live from Podero)',
      logMessage: 'wallbox settings updated',
    },
  ],
  statistics: false,
  savings: false,
  reauthentication: true,
} as const satisfies DeviceKindApi;
