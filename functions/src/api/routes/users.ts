import { ApiError } from '../http';
import { userPathSchema } from '../schemas';
import { defineRoute } from './types';

const todo = async (): Promise<never> => {
  throw new ApiError(501, 'not_implemented', 'not implemented yet');
};
const responses = { 501: { description: 'Not implemented yet' } };
export const createUser = defineRoute({ operationId: 'createUser', responses, handle: todo });
export const getUser = defineRoute({
  operationId: 'getUser',
  params: userPathSchema,
  responses,
  handle: todo,
});
export const updateUser = defineRoute({
  operationId: 'updateUser',
  params: userPathSchema,
  responses,
  handle: todo,
});
export const deleteUser = defineRoute({
  operationId: 'deleteUser',
  params: userPathSchema,
  responses,
  handle: todo,
});
