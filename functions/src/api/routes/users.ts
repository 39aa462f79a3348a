import { PoderoNotFoundError, type PoderoUser } from '@podero-bridge/podero-client';
import * as z from 'zod';
import type { UserRecord } from '../../storage/users';
import { ApiError, notFound } from '../http';
import { externalUserIdSchema, freeText, timestampSchema, userPathSchema } from '../schemas';
import { requireOnboardedUser } from '../user-context';
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

function recordFrom(
  poderoUser: PoderoUser,
  externalUserId: string,
  createdAt: string,
  updatedAt: string,
): UserRecord {
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
  return {
    external_user_id: externalUserId,
    podero_user_id: poderoUser.id,
    email: poderoUser.email,
    first_name: str(poderoUser.first_name),
    last_name: str(poderoUser.last_name),
    street_and_number: str(poderoUser.street_and_number),
    zip_code: str(poderoUser.zip_code),
    town: str(poderoUser.town),
    country: str(poderoUser.country),
    created_at: createdAt,
    updated_at: updatedAt,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const createUser = defineRoute({
  operationId: 'createUser',
  body: createUserBodySchema,
  subject: ({ body }) => body.external_user_id,
  responses: {
    200: { description: 'The user was already onboarded: the same user', schema: userResponseSchema },
    201: { description: 'The user was onboarded', schema: userResponseSchema },
    409: { description: 'The user exists with a different email, or is being offboarded' },
  },
  handle: async ({ body, deps, logger }) => {
    const externalUserId = body.external_user_id;
    const leaseId = crypto.randomUUID();
    const { leaseMs, waitMs, pollMs } = deps.userCreation;
    const deadline = Date.now() + waitMs;

    // Wait for an existing user or win the creation lease.
    for (;;) {
      const state = await deps.users.getState(externalUserId);
      if (state.kind === 'active') {
        if (state.user.email.toLowerCase() !== body.email.toLowerCase()) {
          throw new ApiError(
            409,
            'conflict',
            'a user with this external_user_id exists with a different email',
            [{ field: 'body.email', message: 'differs from the onboarded user' }],
          );
        }
        return { status: 200, body: state.user };
      }
      if (state.kind === 'offboarding') {
        throw new ApiError(
          409,
          'offboarding_in_progress',
          'this user is being offboarded; repeat the DELETE to finish it, then onboard again',
        );
      }
      if (
        (state.kind === 'absent' || state.leaseExpiresAtMs < deps.now().getTime()) &&
        (await deps.users.acquireCreationLease(externalUserId, leaseId, deps.now().getTime(), leaseMs))
      ) {
        break;
      }
      if (Date.now() >= deadline) {
        throw new ApiError(
          503,
          'creation_in_progress',
          'this user is being onboarded by another request; retry',
          undefined,
          {
            'retry-after': '1',
          },
        );
      }
      await sleep(pollMs);
    }

    try {
      // Podero may already know this user (an earlier attempt created it, then we failed to record it).
      let poderoUser = await deps.podero.users.getByExternalId(externalUserId).catch((error: unknown) => {
        if (error instanceof PoderoNotFoundError) return undefined;
        throw error;
      });
      if (poderoUser) {
        logger.info('user already exists at Podero; linking it');
      } else {
        const { external_user_id: _ext, email, ...profile } = body;
        poderoUser = await deps.podero.users.create({
          role: 'user',
          email,
          external_user_id: externalUserId,
          ...profile,
        });
      }
      const at = deps.now().toISOString();
      const record = recordFrom(poderoUser, externalUserId, at, at);
      if (!(await deps.users.completeCreation(record, leaseId))) {
        throw new Error('lost the user creation lease before recording the user');
      }
      return { status: 201, body: record };
    } catch (error) {
      await deps.users.releaseCreationLease(externalUserId, leaseId);
      throw error;
    }
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
    body: await requireOnboardedUser(deps, params.external_user_id),
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
  handle: async ({ params, body, deps }) => {
    const user = await requireOnboardedUser(deps, params.external_user_id);
    // Podero's PUT is a partial update: only the fields sent change.
    const poderoUser = await deps.podero.users.update(user.podero_user_id, body);
    const record = recordFrom(poderoUser, user.external_user_id, user.created_at, deps.now().toISOString());
    if (!(await deps.users.replace(record))) throw new ApiError(404, 'not_found', 'user not found');
    return { status: 200, body: record };
  },
});

export const deleteUser = defineRoute({
  operationId: 'deleteUser',
  params: userPathSchema,
  responses: {
    204: { description: 'The user was deleted at Podero and our records removed' },
    404: { description: 'No such user' },
  },
  handle: async ({ params, deps, logger }) => {
    // An offboarding that failed half-way (our records partly removed) is finished by a repeated DELETE.
    const state = await deps.users.getState(params.external_user_id);
    if (state.kind !== 'active' && state.kind !== 'offboarding') throw notFound('user');
    const user = state.user;
    await deps.podero.users.delete(user.podero_user_id).catch((error: unknown) => {
      // Already gone at Podero (e.g. a retried DELETE): still remove our records.
      if (!(error instanceof PoderoNotFoundError)) throw error;
    });
    // Marked first, swept second: no concurrent request can leave an item behind (UserStore).
    if (!(await deps.users.beginOffboarding(user.external_user_id))) throw notFound('user');
    const removed = await deps.users.deleteAll(user.external_user_id);
    logger.info('user offboarded', { items_removed: removed });
    return { status: 204 };
  },
});
