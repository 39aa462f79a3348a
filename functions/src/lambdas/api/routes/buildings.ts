import { createBuildingRequestSchema } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { freeText, timestampSchema, userPathSchema } from '../schemas';
import { defineRoute } from './types';

/**
 * Podero's own building request (strict; enums from the client's PROPERTY_TYPES / OCCUPANT_TYPES), with
 * the API's free-text rule on every text field and Podero's lengths.
 */
export const createBuildingBodySchema = createBuildingRequestSchema
  .extend({
    name: freeText(100),
    space_heating: freeText(50).nullish(),
    water_heating: freeText(50).nullish(),
    street_and_number: freeText(100).nullish(),
    street_add_info: freeText(100).nullish(),
    zip_code: freeText(20).nullish(),
    town: freeText(100).nullish(),
    country: freeText(100).nullish(),
  })
  .meta({ id: 'CreateBuildingRequest' });

export const buildingResponseSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    created_at: timestampSchema,
  })
  .meta({
    id: 'Building',
    description: "Podero's building fields (see CreateBuildingRequest) plus id and created_at",
  });

const toResponse = (record: { id: string; building: Record<string, unknown>; created_at: string }) => ({
  ...record.building,
  id: record.id,
  created_at: record.created_at,
});

export const createBuilding = defineRoute({
  operationId: 'createBuilding',
  params: userPathSchema,
  body: createBuildingBodySchema,
  responses: {
    201: { description: 'The building was created at Podero', schema: buildingResponseSchema },
    404: { description: 'No such user' },
  },
  handle: async ({ params, body, deps }) => ({
    status: 201,
    body: toResponse(await deps.services.buildings.create(params.external_user_id, body)),
  }),
});

export const listBuildings = defineRoute({
  operationId: 'listBuildings',
  params: userPathSchema,
  responses: {
    200: {
      description: "The user's buildings",
      schema: z
        .object({
          items: z.array(buildingResponseSchema),
          next_cursor: z
            .null()
            .meta({ description: 'Always null: every building of the user is on the one page' }),
        })
        .meta({ id: 'BuildingList' }),
    },
    404: { description: 'No such user' },
  },
  handle: async ({ params, deps }) => {
    const records = await deps.services.buildings.list(params.external_user_id);
    return { status: 200, body: { items: records.map(toResponse), next_cursor: null } };
  },
});
