import { ApiError } from '../http';
import { userPathSchema } from '../schemas';
import { defineRoute } from './types';

const todo = async (): Promise<never> => {
  throw new ApiError(501, 'not_implemented', 'not implemented yet');
};
const responses = { 501: { description: 'Not implemented yet' } };
export const createBuilding = defineRoute({
  operationId: 'createBuilding',
  params: userPathSchema,
  responses,
  handle: todo,
});
export const listBuildings = defineRoute({
  operationId: 'listBuildings',
  params: userPathSchema,
  responses,
  handle: todo,
});
