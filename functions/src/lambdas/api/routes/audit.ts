/**
 * The audit trail's routes (operators): the organisation's and one customer's, over storage/audit.ts; and the
 * customer timeline, which merges the customer's entries with its change events and their webhook deliveries
 * (users/timeline.ts).
 */
import * as z from 'zod';
import { AUDIT_ROLES } from '../../../domain/audit';
import { EVENT_TYPES, type EventType } from '../../../domain/events/catalogue';
import { asSeenByCustomer } from '../../../users/timeline';
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
    role: z.enum(AUDIT_ROLES).meta({
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

const timelineDeliverySchema = z
  .object({
    webhook_id: z.string(),
    status: z.enum(['pending', 'delivered', 'failing', 'dead_lettered', 'unknown']).meta({
      description:
        '`failing`: the last attempt failed and another is scheduled (`next_attempt_at`); `dead_lettered`: the retries are spent (replayable); `pending`: queued, not attempted yet; `unknown`: the event was kept before the timeline recorded deliveries',
    }),
    attempts: z.number().int().min(0).meta({
      description:
        "The latest attempt's number (a resend or a replay counts from 1 again); 0 before the first",
    }),
    last_attempt_at: timestampSchema.nullable(),
    status_code: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The receiver's HTTP status at the latest attempt; null without an answer" }),
    error: z.string().nullable().meta({
      description:
        "The latest attempt's error code (`http_status`, `redirect`, `timeout`, `network`, `blocked_address`); null when it was delivered",
    }),
    duration_ms: z.number().int().nullable(),
    next_attempt_at: timestampSchema.nullable(),
    delivery_id: z.string().nullable().meta({
      description:
        "The latest attempt in the endpoint's log: `GET /webhooks/{webhook_id}/deliveries/{delivery_id}` (admin) shows its request and response; the log keeps 7 days",
    }),
  })
  .meta({ id: 'TimelineDelivery' });

const timelineEventSchema = z
  .object({
    id: z.string().meta({ description: "The event's id (its `webhook-id`)" }),
    type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
    timestamp: timestampSchema,
    data: z.record(z.string(), z.unknown()).meta({ description: "The event's data, as published" }),
    webhook_ids: z.array(z.string()).meta({
      description: 'The webhook endpoints a delivery was queued for (`deliveries` says how each went)',
    }),
    deliveries: z.array(timelineDeliverySchema).meta({
      description:
        'How the event was delivered to each endpoint: those of `webhook_ids`, then any it was resent to since',
    }),
  })
  .meta({ id: 'TimelineEvent' });

const timelineItemSchema = z
  .discriminatedUnion('source', [
    z.object({ source: z.literal('event'), at: timestampSchema, event: timelineEventSchema }),
    z.object({ source: z.literal('audit'), at: timestampSchema, audit: auditEntrySchema }),
  ])
  .meta({ id: 'TimelineItem' });

export const getUserTimeline = defineRoute({
  operationId: 'getUserTimeline',
  params: userPathSchema,
  query: z.strictObject({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(25)
      .meta({ description: 'Items per page (1-100, default 25)' }),
    cursor: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .meta({ description: 'Opaque `next_cursor` of the previous page' }),
  }),
  responses: {
    200: {
      description:
        "One page of the customer's change events (kept 90 days after publication) with their webhook deliveries, and the writes about it (kept after an offboarding, without personal data), merged newest first. The customer's own token sees no webhook endpoints or deliveries (`webhook_ids` and `deliveries` empty) and no operator's name (`actor` null on an operator's write)",
      schema: z
        .object({
          items: z.array(timelineItemSchema),
          next_cursor: z
            .string()
            .nullable()
            .meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
        })
        .meta({ id: 'TimelinePage' }),
    },
    400: errorResponse('Invalid query, or a cursor issued for another customer'),
    401: errorResponse('No valid token'),
    403: errorResponse("An operator role (viewer or higher), or the customer's own token"),
  },
  handle: async ({ params, query, deps, caller }) => {
    const page = await deps.services.timeline.list(params.external_user_id, query);
    // No operator role: the customer's own token (the access rule let nobody else through).
    return { status: 200, body: caller?.role === undefined ? asSeenByCustomer(page) : page };
  },
});
