/** The webhook routes' bodies and answers (zod: validated on the way in, documented in OpenAPI). */
import * as z from 'zod';
import { EVENT_ID_PATTERN, EVENT_TYPES } from '../domain/events/catalogue';
import { freeText } from '../domain/text';
import { FAILING_AFTER_CONSECUTIVE_FAILURES, MAX_REPLAY_PER_CALL } from './health';
import { WEBHOOK_URL_MAX_LENGTH } from './url-rules';

const subscribable = EVENT_TYPES.filter((type) => type !== 'webhook.test');
const eventTypeSchema = z.enum(subscribable as [string, ...string[]]);

export const webhookIdSchema = z
  .string()
  .regex(/^wh_[0-9a-f]{24}$/, 'must be a webhook id (wh_ and 24 hex digits)');
export const webhookPathSchema = z.object({ webhook_id: webhookIdSchema });
export const webhookDeliveryPathSchema = webhookPathSchema.extend({
  delivery_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a delivery id from the delivery log')
    .meta({ description: "An attempt's `delivery_id` from the delivery log" }),
});
export const webhookEventPathSchema = webhookPathSchema.extend({
  event_id: z.string().regex(EVENT_ID_PATTERN, 'must be an event id (evt_ and 24 hex digits)'),
});

const urlField = z.string().min(1).max(WEBHOOK_URL_MAX_LENGTH).meta({
  description: 'https URL that receives the events (the local stage also accepts http://127.0.0.1:<port>)',
});
const eventsField = z
  .array(eventTypeSchema)
  .min(1)
  .max(subscribable.length)
  .refine((types) => new Set(types).size === types.length, 'must not repeat a type')
  .meta({ description: 'Event types to deliver; absent or null: every type' });
const descriptionField = freeText(200);

export const createWebhookSchema = z.strictObject({
  url: urlField,
  events: eventsField.nullable().optional(),
  description: descriptionField.optional(),
});
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = z
  .strictObject({
    url: urlField.optional(),
    events: eventsField.nullable().optional(),
    description: descriptionField.nullable().optional(),
    enabled: z
      .boolean()
      .optional()
      .meta({ description: 'false pauses deliveries (events meanwhile are not kept)' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field');
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;

export const webhookSchema = z
  .object({
    id: webhookIdSchema,
    url: z.string(),
    events: z.array(z.string()).nullable(),
    description: z.string().nullable(),
    enabled: z.boolean(),
    status: z.enum(['healthy', 'failing']).meta({
      description: `\`failing\` after ${FAILING_AFTER_CONSECUTIVE_FAILURES} failed attempts in a row (to any event), or once a delivery exhausted its retries; \`healthy\` again after the next delivered attempt`,
    }),
    failing_since: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    consecutive_failures: z.number().int().min(0).meta({
      description: 'Failed attempts in a row; 0 after a delivered one',
    }),
    failing_after: z.literal(FAILING_AFTER_CONSECUTIVE_FAILURES).meta({
      description: 'How many failed attempts in a row make the endpoint `failing`',
    }),
    last_error: z
      .object({
        at: z.string(),
        event_id: z.string(),
        error: z.string().meta({ description: 'http_status, redirect, timeout, network or blocked_address' }),
        status_code: z.number().int().nullable(),
      })
      .nullable()
      .meta({ description: 'The latest failed attempt (kept after a success, until the next failure)' }),
    last_success_at: z.string().nullable(),
    next_attempt_at: z.string().nullable().meta({
      description:
        "When the latest failed attempt's event is tried again; null after a delivered attempt or a dead letter",
    }),
  })
  .meta({ id: 'Webhook' });

/** An endpoint as the API shows it: the record and the declared threshold of its health. */
export function webhookViewOf<T extends object>(record: T): T & { failing_after: number } {
  return { ...record, failing_after: FAILING_AFTER_CONSECUTIVE_FAILURES };
}

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z.string().startsWith('whsec_').nullable().meta({
      description:
        'The signing secret (Standard Webhooks). Shown once: store it now. Null in a replay of the request (`idempotent-replayed: true`), which never shows it again: rotate it to get a new one.',
    }),
  })
  .meta({ id: 'CreatedWebhook' });

export const webhookListSchema = z
  .object({ items: z.array(webhookSchema), next_cursor: z.null() })
  .meta({ id: 'WebhookList' });

export const rotatedSecretSchema = z
  .object({
    secret: z.string().startsWith('whsec_').nullable().meta({
      description:
        'The new signing secret. Shown once: null in a replay of the request (`idempotent-replayed: true`); rotate again to get another.',
    }),
    previous_secret_expires_at: z.string().meta({
      description: 'Until then deliveries carry a signature with the old secret too',
    }),
  })
  .meta({ id: 'RotatedWebhookSecret' });

export const testEventSchema = z
  .object({ event_id: z.string(), type: z.literal('webhook.test') })
  .meta({ id: 'WebhookTestEvent' });

const deliveryAttemptFields = {
  delivery_id: z.string().meta({ description: "The attempt's id (`GET .../deliveries/{delivery_id}`)" }),
  event_id: z.string(),
  event_type: z.string(),
  attempt: z.number().int(),
  attempted_at: z.string(),
  outcome: z.enum(['delivered', 'retrying', 'dead_lettered']),
  status_code: z.number().int().nullable(),
  error: z
    .string()
    .nullable()
    .meta({ description: 'http_status, redirect, timeout, network or blocked_address' }),
  duration_ms: z.number().int(),
  next_attempt_at: z.string().nullable(),
};

export const deliveryListSchema = z
  .object({
    items: z.array(z.object(deliveryAttemptFields)),
    next_cursor: z.null(),
  })
  .meta({ id: 'WebhookDeliveryList' });

export const deliveryDetailSchema = z
  .object({
    ...deliveryAttemptFields,
    request_headers: z.record(z.string(), z.string()).meta({
      description:
        'The headers sent (`webhook-signature` is a MAC of the body, never the secret); {} for attempts logged before they were kept',
    }),
    request_body: z.string().nullable().meta({
      description: 'The body sent (the Standard Webhooks payload); null once the event is no longer kept',
    }),
    response_excerpt: z.string().nullable().meta({
      description: "The start of the receiver's answer (at most 512 bytes); null without an answer",
    }),
    error_detail: z
      .string()
      .nullable()
      .meta({ description: 'What went wrong below HTTP (a refused connection, a blocked address)' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const resentEventSchema = z
  .object({ event_id: z.string(), type: z.string() })
  .meta({ id: 'WebhookResentEvent' });

export const replaySummarySchema = z
  .object({
    replayed: z
      .number()
      .int()
      .min(0)
      .meta({
        description: `Dead-lettered deliveries queued again (at most ${MAX_REPLAY_PER_CALL} per call), each with its original \`webhook-id\``,
      }),
    discarded: z.number().int().min(0).meta({
      description: 'Dead letters of event types the endpoint no longer takes: removed, not sent',
    }),
    more: z.boolean().meta({ description: 'More dead letters remain: call again' }),
  })
  .meta({ id: 'WebhookReplaySummary' });

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
