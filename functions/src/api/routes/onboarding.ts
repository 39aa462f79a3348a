import { ApiError } from '../http';
import { userPathSchema, uuidSchema } from '../schemas';
import { defineRoute } from './types';

const todo = async (): Promise<never> => {
  throw new ApiError(501, 'not_implemented', 'not implemented yet');
};
const responses = { 501: { description: 'Not implemented yet' } };
export const createOnboardingSession = defineRoute({
  operationId: 'createOnboardingSession',
  params: userPathSchema,
  responses,
  handle: todo,
});
export const getOnboardingSession = defineRoute({
  operationId: 'getOnboardingSession',
  params: userPathSchema.extend({ session_id: uuidSchema }),
  responses,
  handle: todo,
});
