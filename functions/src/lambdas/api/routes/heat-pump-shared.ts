/** What the routes about one of a user's heat pumps share (heat-pumps.ts, insights.ts): path and errors. */
import { userPathSchema, uuidSchema } from '../schemas';
import { errorResponse } from './types';

export const heatPumpPathSchema = userPathSchema.extend({ heat_pump_id: uuidSchema });

export const heatPumpErrors = {
  400: errorResponse('Invalid path, query or body (details name the field)'),
  401: errorResponse('No valid token'),
  403: errorResponse('The token may not access this user'),
  404: errorResponse('Unknown user, or a heat pump that is not this user’s'),
  502: errorResponse('Podero failed or timed out'),
  503: {
    ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
    headers: { 'retry-after': 'seconds' },
  },
};
