/** The webhook routes' bodies and answers (zod: validated on the way in, documented in OpenAPI). */
import * as z from 'zod';
import { freeText } from '../api/schemas';
import { EVENT_TYPES } from '../events/catalogue';
import { WEBHOOK_URL_MAX_LENGTH } from './url-rules';

const subscribable = EVENT_TYPES.filter((type) => type !== 'webhook.test');
const eventTypeSchema = z.enum(subscribable as [string, ...string[]]);

export const webhookIdSchema = z
  .string()
  .regex(/^wh_[0-9a-f]{24}$/, 'must be a webhook id (wh_ and 24 hex digits)');
export const webhookPathSchema = z.object({ webhook_id: webhookIdSchema });

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
      description:
        '`failing` once a delivery exhausted its retries; `healthy` again after the next delivered event',
    }),
    failing_since: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Webhook' });

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

export const deliveryListSchema = z
  .object({
    items: z.array(
      z.object({
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
      }),
    ),
    next_cursor: z.null(),
  })
  .meta({ id: 'WebhookDeliveryList' });

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
