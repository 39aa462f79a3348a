import * as z from 'zod';
import { externalUserIdSchema, freeText, timestampSchema, userPathSchema } from '../schemas';
import { defineRoute } from './types';

const profileFields = {
  first_name: freeText(100),
  last_name: freeText(100),
  street_and_number: freeText(100),
  zip_code: freeText(20),
  town: freeText(100),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'),
};

export const createUserBodySchema = z
  .strictObject({
    external_user_id: externalUserIdSchema,
    email: z.email().max(254),
    first_name: profileFields.first_name.optional(),
    last_name: profileFields.last_name.optional(),
    street_and_number: profileFields.street_and_number.optional(),
    zip_code: profileFields.zip_code.optional(),
    town: profileFields.town.optional(),
    country: profileFields.country.optional(),
  })
  .meta({ id: 'CreateUserRequest' });

/** Partial update; `null` clears an optional field. */
export const updateUserBodySchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    first_name: profileFields.first_name.nullable().optional(),
    last_name: profileFields.last_name.nullable().optional(),
    street_and_number: profileFields.street_and_number.nullable().optional(),
    zip_code: profileFields.zip_code.nullable().optional(),
    town: profileFields.town.nullable().optional(),
    country: profileFields.country.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' })
  .meta({ id: 'UpdateUserRequest', minProperties: 1 });

export const userResponseSchema = z
  .object({
    external_user_id: z.string(),
    podero_user_id: z.string(),
    email: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    street_and_number: z.string().nullable(),
    zip_code: z.string().nullable(),
    town: z.string().nullable(),
    country: z.string().nullable(),
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .meta({ id: 'User' });

export const createUser = defineRoute({
  operationId: 'createUser',
  body: createUserBodySchema,
  subject: ({ body }) => body.external_user_id,
  responses: {
    200: { description: 'The user was already onboarded: the same user', schema: userResponseSchema },
    201: { description: 'The user was onboarded', schema: userResponseSchema },
    409: { description: 'The user exists with a different email, or is being offboarded' },
  },
  handle: async ({ body, deps }) => {
    const { user, created } = await deps.services.users.onboard(body);
    return { status: created ? 201 : 200, body: user };
  },
});

export const getUser = defineRoute({
  operationId: 'getUser',
  params: userPathSchema,
  responses: {
    200: { description: 'The user', schema: userResponseSchema },
    404: { description: 'No such user' },
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.users.require(params.external_user_id),
  }),
});

export const updateUser = defineRoute({
  operationId: 'updateUser',
  params: userPathSchema,
  body: updateUserBodySchema,
  responses: {
    200: { description: 'The updated user', schema: userResponseSchema },
    404: { description: 'No such user' },
  },
  handle: async ({ params, body, deps }) => ({
    status: 200,
    body: await deps.services.users.update(params.external_user_id, body),
  }),
});

export const deleteUser = defineRoute({
  operationId: 'deleteUser',
  params: userPathSchema,
  responses: {
    204: {
      description:
        "The user was deleted at Podero and its records removed; its devices' readings, the sync's failure record and its re-authentication attempts are erased within minutes (`GET /users/{external_user_id}/erasure`)",
    },
    404: { description: 'No such user' },
  },
  handle: async ({ params, deps, logger }) => {
    const removed = await deps.services.users.offboard(params.external_user_id);
    logger.info('user offboarded', { items_removed: removed });
    return { status: 204 };
  },
});
