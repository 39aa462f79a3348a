/** The audit trail's routes (operators): the organisation's and one customer's, over storage/audit.ts. */
import * as z from 'zod';
import { timestampSchema, userPathSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(50)
  .meta({ description: 'Entries per page (1-100, default 50)' });
const cursor = z
  .string()
  .min(1)
  .max(1024)
  .optional()
  .meta({ description: 'Opaque `next_cursor` of the previous page, with the same filters' });

const auditEntrySchema = z
  .object({
    request_id: z.string().meta({ description: 'The request that made the write (its `x-request-id`)' }),
    at: timestampSchema,
    actor: z.string().nullable().meta({ description: "The token's `sub`: the operator or the end user" }),
    role: z.enum(['viewer', 'support', 'admin', 'user']).meta({
      description: "The operator role the token held, or `user` for an end user's own token",
    }),
    action: z.string().meta({ description: 'The operation (its operationId), e.g. `updateHeatPump`' }),
    target: z.object({
      external_user_id: z.string().nullable(),
      method: z.string(),
      path: z.string(),
    }),
    changes: z.record(z.string(), z.unknown()).nullable().meta({
      description:
        "The fields the request sent, as sent (a large body: its field names only); an offboarded customer's names, e-mails and addresses read `[erased]`",
    }),
    outcome: z.enum(['attempted', 'succeeded', 'failed']).meta({
      description:
        '`attempted`: recorded before the change, outcome unknown (a 5xx answer, or a process that died); `failed`: refused, nothing changed',
    }),
    status: z.number().int().nullable(),
    erased_at: timestampSchema
      .nullable()
      .meta({ description: "When the customer's personal data was erased from the entry (offboarding)" }),
  })
  .meta({ id: 'AuditEntry' });

const auditPageSchema = z
  .object({
    items: z.array(auditEntrySchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .meta({ id: 'AuditPage' });

const operatorErrors = {
  401: errorResponse('No valid token'),
  403: errorResponse('An operator role (viewer or higher) only'),
};

export const listAuditEntries = defineRoute({
  operationId: 'listAuditEntries',
  query: z.strictObject({
    limit,
    cursor,
    actor: z.string().min(1).max(256).optional().meta({ description: "Only this actor's writes (a `sub`)" }),
    action: z
      .string()
      .regex(/^[A-Za-z]{1,64}$/, 'must be an operationId')
      .optional()
      .meta({ description: 'Only this operation (an operationId, e.g. `deleteUser`)' }),
  }),
  responses: {
    200: { description: 'One page of the trail, newest first', schema: auditPageSchema },
    400: errorResponse('Invalid query, or a cursor issued for other filters'),
    ...operatorErrors,
  },
  handle: async ({ query, deps }) => ({ status: 200, body: await deps.audit.list(query) }),
});

export const listUserAuditEntries = defineRoute({
  operationId: 'listUserAuditEntries',
  params: userPathSchema,
  query: z.strictObject({ limit, cursor }),
  responses: {
    200: {
      description:
        "One page of the customer's entries, newest first (kept after an offboarding, without personal data)",
      schema: auditPageSchema,
    },
    400: errorResponse('Invalid query, or a cursor issued for another customer'),
    ...operatorErrors,
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.audit.listForUser(params.external_user_id, query),
  }),
});
