import * as z from 'zod';
import { healthResponseSchema } from '../schemas';
import { defineRoute } from './types';

export const getHealth = defineRoute({
  operationId: 'getHealth',
  responses: { 200: { description: 'The API is up', schema: healthResponseSchema } },
  handle: async ({ deps }) => ({ status: 200, body: { status: 'ok', version: deps.config.appVersion } }),
});

export const getOpenApi = defineRoute({
  operationId: 'getOpenApi',
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.looseObject({ openapi: z.string() }) } },
  // The document is built from every route module, this one included: the app hands it in.
  handle: async ({ openApiDocument }) => ({ status: 200, body: openApiDocument() }),
});
