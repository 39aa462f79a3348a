/** Webhook routes (admin): adapters over ../../webhooks/service.ts. */
import {
  createdWebhookSchema,
  createWebhookSchema,
  deliveriesQuerySchema,
  deliveryDetailSchema,
  deliveryListSchema,
  replaySummarySchema,
  resentEventSchema,
  rotatedSecretSchema,
  testEventSchema,
  updateWebhookSchema,
  webhookDeliveryPathSchema,
  webhookEventPathSchema,
  webhookListSchema,
  webhookPathSchema,
  webhookSchema,
  webhookViewOf,
} from '../../../webhooks/schemas';
import { defineRoute, errorResponse } from './types';

const adminErrors = {
  400: errorResponse(
    'Invalid path, query or body (details name the field), or a URL the bridge will not call',
  ),
  401: errorResponse('No valid token'),
  403: errorResponse('Admin only'),
};
const withWebhook = { ...adminErrors, 404: errorResponse('No such webhook') };
const disabledRefusal = {
  409: errorResponse('The webhook is disabled (code `webhook_disabled`): enable it first'),
};

export const listWebhooks = defineRoute({
  operationId: 'listWebhooks',
  responses: { 200: { description: 'Every registered endpoint', schema: webhookListSchema }, ...adminErrors },
  handle: async ({ deps }) => ({
    status: 200,
    body: { items: (await deps.services.webhooks.list()).map(webhookViewOf), next_cursor: null },
  }),
});

export const createWebhook = defineRoute({
  operationId: 'createWebhook',
  body: createWebhookSchema,
  responses: {
    201: {
      description:
        'Registered; the answer shows the signing secret once (a replay with the same Idempotency-Key answers `secret: null`)',
      schema: createdWebhookSchema,
    },
    ...adminErrors,
    409: errorResponse('The stage has the most webhooks it may have'),
  },
  shownOnce: ['secret'],
  handle: async ({ body, deps, logger }) => {
    const created = await deps.services.webhooks.create(body);
    logger.info('webhook registered', { webhook_id: created.id, events: created.events ?? 'all' });
    return { status: 201, body: webhookViewOf(created) };
  },
});

export const getWebhook = defineRoute({
  operationId: 'getWebhook',
  params: webhookPathSchema,
  responses: {
    200: { description: 'The endpoint (never its secret)', schema: webhookSchema },
    ...withWebhook,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: webhookViewOf(await deps.services.webhooks.get(params.webhook_id)),
  }),
});

export const updateWebhook = defineRoute({
  operationId: 'updateWebhook',
  params: webhookPathSchema,
  body: updateWebhookSchema,
  responses: { 200: { description: 'The changed endpoint', schema: webhookSchema }, ...withWebhook },
  handle: async ({ params, body, deps, logger }) => {
    const updated = await deps.services.webhooks.update(params.webhook_id, body);
    logger.info('webhook updated', { webhook_id: updated.id, fields: Object.keys(body) });
    return { status: 200, body: webhookViewOf(updated) };
  },
});

export const deleteWebhook = defineRoute({
  operationId: 'deleteWebhook',
  params: webhookPathSchema,
  responses: {
    204: { description: 'Deleted with its secret; queued deliveries are dropped' },
    ...withWebhook,
  },
  handle: async ({ params, deps, logger }) => {
    await deps.services.webhooks.delete(params.webhook_id);
    logger.info('webhook deleted', { webhook_id: params.webhook_id });
    return { status: 204 };
  },
});

export const testWebhook = defineRoute({
  operationId: 'testWebhook',
  params: webhookPathSchema,
  responses: {
    202: { description: 'A `webhook.test` event is queued for this endpoint', schema: testEventSchema },
    ...withWebhook,
  },
  handle: async ({ params, deps }) => ({
    status: 202,
    body: await deps.services.webhooks.sendTest(params.webhook_id),
  }),
});

export const rotateWebhookSecret = defineRoute({
  operationId: 'rotateWebhookSecret',
  params: webhookPathSchema,
  responses: {
    200: {
      description:
        'A new secret (shown once: a replay with the same Idempotency-Key answers `secret: null`); the old one keeps signing for 24 hours',
      schema: rotatedSecretSchema,
    },
    ...withWebhook,
  },
  shownOnce: ['secret'],
  handle: async ({ params, deps, logger }) => {
    const rotated = await deps.services.webhooks.rotateSecret(params.webhook_id);
    logger.info('webhook secret rotated', { webhook_id: params.webhook_id });
    return { status: 200, body: rotated };
  },
});

export const listWebhookDeliveries = defineRoute({
  operationId: 'listWebhookDeliveries',
  params: webhookPathSchema,
  query: deliveriesQuerySchema,
  responses: {
    200: { description: 'Recent attempts, newest first (kept 7 days)', schema: deliveryListSchema },
    ...withWebhook,
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    // The list's fields only: each attempt's request and answer are its detail's.
    body: deliveryListSchema.parse({
      items: await deps.services.webhooks.deliveries(params.webhook_id, query.limit),
      next_cursor: null,
    }),
  }),
});

export const getWebhookDelivery = defineRoute({
  operationId: 'getWebhookDelivery',
  params: webhookDeliveryPathSchema,
  responses: {
    200: {
      description:
        'One attempt: the request sent (headers, body), the answer (status, an excerpt), error, duration, next attempt',
      schema: deliveryDetailSchema,
    },
    ...withWebhook,
    404: errorResponse('No such webhook, or no such attempt (the log keeps 7 days)'),
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.webhooks.delivery(params.webhook_id, params.delivery_id),
  }),
});

export const resendWebhookEvent = defineRoute({
  operationId: 'resendWebhookEvent',
  params: webhookEventPathSchema,
  responses: {
    202: {
      description:
        'The event is queued for this endpoint again: same `webhook-id`, fresh timestamp and signature',
      schema: resentEventSchema,
    },
    ...withWebhook,
    404: errorResponse('No such webhook, or an event it was not sent in the last 7 days'),
    ...disabledRefusal,
  },
  handle: async ({ params, deps, logger }) => {
    const resent = await deps.services.webhooks.resend(params.webhook_id, params.event_id);
    logger.info('webhook event resent', { webhook_id: params.webhook_id, event_id: resent.event_id });
    return { status: 202, body: resent };
  },
});

export const replayWebhookDeadLetters = defineRoute({
  operationId: 'replayWebhookDeadLetters',
  params: webhookPathSchema,
  responses: {
    200: {
      description:
        'The dead-lettered deliveries queued again, each with its original `webhook-id` (a second call replays none twice)',
      schema: replaySummarySchema,
    },
    ...withWebhook,
    ...disabledRefusal,
  },
  handle: async ({ params, deps, logger }) => {
    const summary = await deps.services.webhooks.replayDeadLetters(params.webhook_id);
    logger.info('webhook dead letters replayed', { webhook_id: params.webhook_id, ...summary });
    return { status: 200, body: summary };
  },
});
