import { z } from 'zod';
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
  // Imported lazily: the document is built from every route module, including this one.
  handle: async () => ({ status: 200, body: (await import('../openapi')).openApiDocument() }),
});
