/**
 * PLACEHOLDER owned by the issue-5 engineer (heat-pump routes + sync): replace these four definitions
 * with the real ones (schemas + handlers). They are already wired into the registry in ./index.ts, so
 * the operationIds below are all that needs to stay.
 */
import { ApiError } from '../http';
import { userPathSchema, uuidSchema } from '../schemas';
import { defineRoute } from './types';

const notImplemented = async (): Promise<never> => {
  throw new ApiError(501, 'not_implemented', 'heat-pump routes are not implemented yet');
};
const heatPumpPathSchema = userPathSchema.extend({ heat_pump_id: uuidSchema });
const responses = { 501: { description: 'Not implemented yet' } };

export const listHeatPumps = defineRoute({
  operationId: 'listHeatPumps',
  params: userPathSchema,
  responses,
  handle: notImplemented,
});
export const getHeatPump = defineRoute({
  operationId: 'getHeatPump',
  params: heatPumpPathSchema,
  responses,
  handle: notImplemented,
});
export const updateHeatPump = defineRoute({
  operationId: 'updateHeatPump',
  params: heatPumpPathSchema,
  responses,
  handle: notImplemented,
});
export const listHeatPumpReadings = defineRoute({
  operationId: 'listHeatPumpReadings',
  params: heatPumpPathSchema,
  responses,
  handle: notImplemented,
});
