/** Energy-contract routes (admin): adapters over ../../energy-contracts/service.ts. */
import {
  createEnergyContractSchema,
  energyContractListSchema,
  energyContractSchema,
  updateEnergyContractSchema,
} from '../../../energy-contracts/schemas';
import { userPathSchema, uuidSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

const commonErrors = {
  400: errorResponse('Invalid path or body (details name the field), or a building that is not the user’s'),
  401: errorResponse('No valid token'),
  403: errorResponse('Admin only'),
  404: errorResponse('Unknown user, or a contract that is not this user’s'),
  502: errorResponse('Podero failed or timed out'),
};

export const listEnergyContracts = defineRoute({
  operationId: 'listEnergyContracts',
  params: userPathSchema,
  responses: {
    200: { description: "The user's contracts", schema: energyContractListSchema },
    ...commonErrors,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: { items: await deps.services.energyContracts.list(params.external_user_id), next_cursor: null },
  }),
});

export const createEnergyContract = defineRoute({
  operationId: 'createEnergyContract',
  params: userPathSchema,
  body: createEnergyContractSchema,
  responses: { 201: { description: 'Created at Podero', schema: energyContractSchema }, ...commonErrors },
  handle: async ({ params, body, deps, logger }) => {
    const contract = await deps.services.energyContracts.create(params.external_user_id, body);
    logger.info('energy contract created', { contract_id: contract.id, type: contract.energy_contract_type });
    return { status: 201, body: contract };
  },
});

export const updateEnergyContract = defineRoute({
  operationId: 'updateEnergyContract',
  params: userPathSchema.extend({ contract_id: uuidSchema }),
  body: updateEnergyContractSchema,
  responses: { 200: { description: 'The updated contract', schema: energyContractSchema }, ...commonErrors },
  handle: async ({ params, body, deps, logger }) => {
    const contract = await deps.services.energyContracts.update(
      params.external_user_id,
      params.contract_id,
      body,
    );
    logger.info('energy contract updated', { contract_id: contract.id, fields: Object.keys(body) });
    return { status: 200, body: contract };
  },
});
