import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../test-support/aws';
import { loadDeliveryConfig } from '../../config';
import { userOnboardedEvent } from '../../domain/events/rules';
import { createLogger, createRecordingMetrics } from '../../platform/observability';
import { WebhookStore } from '../../storage/webhooks';
import { WebhookSecretStore } from '../../webhooks/secrets';
import type { WebhookRequest, WebhookSender } from '../../webhooks/sender';
import { WebhookService } from '../../webhooks/service';
import { InvalidEventError } from '../shared/parse-event';
import { createDeliveryDeps } from './deps';
import { makeDeliveryHandler } from './handler';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.close();
});

const WEBHOOK = 'wh_0123456789abcdef01234567';
const at = new Date().toISOString();

function handlerWith(
  send: WebhookSender,
  logger = createLogger('webhookDelivery', { logLevel: 'SILENT' }),
  secretCacheSeconds?: number,
) {
  const config = loadDeliveryConfig(aws.world.environment('webhookDelivery'));
  const deps = createDeliveryDeps(config, {
    db: aws.db,
    send,
    logger,
    ...(secretCacheSeconds !== undefined ? { secretCacheSeconds } : {}),
    metrics: createRecordingMetrics(),
  });
  return { handler: makeDeliveryHandler(deps), deps };
}

const record = (messageId: string, body: string) => ({ messageId, body, eventSource: 'aws:sqs' });
const message = (external: string, webhookId = WEBHOOK) =>
  JSON.stringify({
    webhook_id: webhookId,
    event: userOnboardedEvent(external, 'p', at),
    attempt: 1,
    not_before: at,
  });

describe('the webhook-delivery handler', () => {
  beforeAll(async () => {
    await new WebhookStore(aws.db, aws.tableNames.main).create({
      id: WEBHOOK,
      url: 'http://127.0.0.1:9/hooks',
      events: null,
      description: null,
      enabled: true,
      status: 'healthy',
      failing_since: null,
      created_at: at,
      updated_at: at,
    });
    await aws.createSecret(
      `podero-bridge/test/webhooks/${WEBHOOK}`,
      JSON.stringify({
        current: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
        previous: null,
        previous_expires_at: null,
      }),
    );
  });

  it('delivers a batch in order, reading the endpoint once, and reports only the messages it could not handle', async () => {
    const sent: string[] = [];
    const { handler } = handlerWith(async (request) => {
      sent.push((JSON.parse(request.body) as { data: { external_user_id: string } }).data.external_user_id);
      return { ok: true, status: 204, durationMs: 1 };
    });
    const send = vi.spyOn(aws.db, 'send');
    const result = await handler({
      Records: [
        record('m1', message('a')),
        record('m2', 'not json'),
        record('m3', message('b')),
        record('m4', message('c')),
      ],
    });
    const endpointReads = send.mock.calls.filter(
      ([command]) =>
        command instanceof GetCommand && (command.input.Key as { pk?: string }).pk === 'WEBHOOKS',
    );
    send.mockRestore();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(endpointReads).toHaveLength(1);
  });

  it('refuses an event that is not an SQS batch', async () => {
    const { handler } = handlerWith(async () => ({ ok: true, status: 200, durationMs: 1 }));
    await expect(handler({ source: 'schedule' })).rejects.toBeInstanceOf(InvalidEventError);
  });

  /** The admin side (POST /webhooks, rotate-secret, DELETE) on the same local table and Secrets Manager. */
  const service = () =>
    new WebhookService({
      endpoints: new WebhookStore(aws.db, aws.tableNames.main),
      secrets: new WebhookSecretStore(aws.secrets, 'podero-bridge/test/webhooks/'),
      queue: { enqueue: async () => {} },
      rules: { allowLoopback: true },
      now: Date.now,
    });

  it('signs with the new and the old secret right after rotate-secret, although the old one is cached', async () => {
    const webhooks = service();
    const created = await webhooks.create({ url: 'http://127.0.0.1:9/rotating' });
    const received: WebhookRequest[] = [];
    const { handler } = handlerWith(async (request) => {
      received.push(request);
      return { ok: true, status: 204, durationMs: 1 };
    });
    await handler({ Records: [record('r1', message('before', created.id))] });
    const { secret: rotated } = await webhooks.rotateSecret(created.id);
    await handler({ Records: [record('r2', message('after', created.id))] });

    const after = received[1] as WebhookRequest;
    expect(after.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [rotated, created.secret]) {
      expect(new Webhook(secret).verify(after.body, after.headers)).toMatchObject({ type: 'user.onboarded' });
    }
    // A PATCH after the rotation keeps the endpoint's secret version.
    await webhooks.update(created.id, { description: 'renamed' });
    await handler({ Records: [record('r3', message('patched', created.id))] });
    expect(received[2]?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
  });

  it('drops the rest of a batch quietly when its endpoint is deleted meanwhile (no ERROR, no message kept)', async () => {
    const webhooks = service();
    const created = await webhooks.create({ url: 'http://127.0.0.1:9/deleted' });
    const logger = createLogger('webhookDelivery', { logLevel: 'SILENT' });
    const errors = vi.spyOn(logger, 'error');
    let sent = 0;
    const { handler } = handlerWith(
      async () => {
        // The partner deletes the webhook while the batch's first event is being sent.
        if (sent++ === 0) await webhooks.delete(created.id);
        return { ok: true, status: 204, durationMs: 1 };
      },
      logger,
      0, // the secret is read again for the second event (as in a container that had not cached it)
    );
    const result = await handler({
      Records: [record('d1', message('x', created.id)), record('d2', message('y', created.id))],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(errors).not.toHaveBeenCalled();
    expect(sent).toBe(1);
  });

  it("attempts a batch's endpoints side by side: a hanging receiver does not hold up another's event", async () => {
    const webhooks = service();
    const hanging = await webhooks.create({ url: 'http://127.0.0.1:9/hanging' });
    const healthy = await webhooks.create({ url: 'http://127.0.0.1:9/healthy' });
    const started = performance.now();
    const deliveredAfter: Record<string, number> = {};
    const { handler } = handlerWith(async (request) => {
      if (request.url.pathname === '/hanging') {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return { ok: false, status: null, error: 'timeout', durationMs: 1_500 };
      }
      deliveredAfter[request.url.pathname] = performance.now() - started;
      return { ok: true, status: 204, durationMs: 1 };
    });
    const result = await handler({
      Records: [
        record('h1', message('a', hanging.id)),
        record('h2', message('b', hanging.id)),
        record('h3', message('c', hanging.id)),
        record('ok', message('d', healthy.id)),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    // Delivered before the first hanging attempt gave up (sequentially it waited for all three).
    expect(deliveredAfter['/healthy']).toBeLessThan(1_500);
    // The hanging endpoint got one attempt; its other two events were put back (penalty box), not tried.
    const log = await new WebhookStore(aws.db, aws.tableNames.main).recentDeliveries(hanging.id, 10);
    expect(log.map((d) => [d.attempt, d.error])).toEqual([[1, 'timeout']]);
  });
});
