import * as z from 'zod';
import { healthResponseSchema } from '../schemas';
import { defineRoute } from './types';

export const getHealth = defineRoute({
  operationId: 'getHealth',
  responses: { 200: { description: 'The API is up', schema: healthResponseSchema } },
  handle: async ({ deps }) => ({ status: 200, body: { status: 'ok', version: deps.config.appVersion } }),
});

/** Built once per container: the document only changes with the code. */
let openApiCache: Record<string, unknown> | undefined;

export const getOpenApi = defineRoute({
  operationId: 'getOpenApi',
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.looseObject({ openapi: z.string() }) } },
  // Imported lazily: the document is built from every route module, including this one.
  handle: async () => {
    openApiCache ??= (await import('../openapi')).openApiDocument();
    return { status: 200, body: openApiCache };
  },
});
