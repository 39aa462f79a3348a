import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalAws, startLocalAws } from '../../test-support/aws';
import { loadDeliveryConfig } from '../config';
import { ENV } from '../declarations';
import { userOnboardedEvent } from '../events/rules';
import { createLogger, createRecordingMetrics } from '../platform/observability';
import { WebhookStore } from '../storage/webhooks';
import { createDeliveryDeps, InvalidDeliveryEventError, makeDeliveryHandler } from './make-delivery-handler';
import type { WebhookRequest } from './sender';

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
  send: (request: WebhookRequest) => Promise<{ ok: true; status: number; durationMs: number }>,
) {
  const config = loadDeliveryConfig({
    ...aws.eventEnv,
    AWS_REGION: aws.region,
    AWS_ENDPOINT_URL_DYNAMODB: aws.dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.secretsManager.endpoint,
    [ENV.mainTableName]: aws.tableNames.main,
  });
  const deps = createDeliveryDeps(config, {
    db: aws.db,
    send,
    logger: createLogger('webhookDelivery', { logLevel: 'SILENT' }),
    metrics: createRecordingMetrics(),
  });
  return { handler: makeDeliveryHandler(deps), deps };
}

const record = (messageId: string, body: string) => ({ messageId, body, eventSource: 'aws:sqs' });
const message = (external: string) =>
  JSON.stringify({
    webhook_id: WEBHOOK,
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
    await expect(handler({ source: 'schedule' })).rejects.toBeInstanceOf(InvalidDeliveryEventError);
  });
});
