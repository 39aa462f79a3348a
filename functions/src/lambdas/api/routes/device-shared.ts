/** What the routes about one of a user's devices share (devices.ts, insights.ts, reauthentication.ts): path and errors. */
import type { DeviceKind } from '../../../domain/devices/kinds';
import { userPathSchema, uuidSchema } from '../schemas';
import { errorResponse } from './types';

/** What the routes of one of a user's devices answer besides their success (insights.ts and reauthentication.ts too). */
export const deviceErrors = (kind: Pick<DeviceKind, 'api'>) => ({
  400: errorResponse('Invalid path, query or body (details name the field)'),
  401: errorResponse('No valid token'),
  403: errorResponse('The token may not access this user'),
  404: errorResponse(`Unknown user, or ${kind.api.aNoun} that is not this user’s`),
  502: errorResponse('Podero failed or timed out'),
  503: {
    ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
    headers: { 'retry-after': 'seconds' },
  },
});

/** The path of one device: the user's, plus the kind's id parameter (`heat_pump_id`). */
export const devicePathSchema = (kind: Pick<DeviceKind, 'api'>): typeof userPathSchema =>
  // Typed as the user's path: the id is read by its kind's name (deviceIdOf).
  userPathSchema.extend({ [kind.api.idParam]: uuidSchema }) as unknown as typeof userPathSchema;

/** The device's id, under the kind's parameter name. */
export const deviceIdOf = (kind: Pick<DeviceKind, 'api'>, params: Record<string, unknown>): string =>
  params[kind.api.idParam] as string;
