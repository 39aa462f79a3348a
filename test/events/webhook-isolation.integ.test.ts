/**
 * One partner system's trouble must not delay another's webhooks. Through the local stack's own delivery
 * pollers (batches of 10, five at once, as the event source mapping is declared) and the local SQS: 40
 * deliveries to four receivers that never answer, queued together with one event for a healthy receiver.
 * Before the fix each batch was attempted in order and the healthy event waited behind its batch's hanging
 * attempts (5 s each: about 20 s here, 30 s measured with more); now a batch's endpoints are attempted side by
 * side and a receiver that timed out is put in the penalty box, so the healthy event arrives before the first
 * hanging attempt has even timed out.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { listenLocally } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from '../support/flows';
import { startTestStack, type TestStack } from '../support/local-stack';
import { startReceiver } from '../support/webhook-receiver';

/** The delivery's deadline per attempt (functions/src/webhooks/sender.ts DELIVERY_TIMEOUT_MS). */
const ATTEMPT_TIMEOUT_MS = 5_000;

let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack();
  admin = await t.stack.mintToken({ admin: true });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** A receiver that takes requests and never answers them. */
async function startHangingReceiver() {
  let requests = 0;
  const server = createServer(() => {
    requests++;
  });
  const listening = await listenLocally(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${listening.port}/hooks`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await listening.close();
    },
  };
}

async function register(url: string): Promise<string> {
  const res = await apiCall(t.stack.apiUrl, admin, 'POST', '/webhooks', { url });
  expect(res.status, res.text).toBe(201);
  return (res.json as { id: string }).id;
}

/** A delivery message as the relay queues it (a `webhook.test` event, delivered whatever the filter). */
function deliveryMessage(webhookId: string) {
  const at = new Date().toISOString();
  return {
    webhook_id: webhookId,
    event: {
      id: `evt_${randomBytes(12).toString('hex')}`,
      type: 'webhook.test',
      timestamp: at,
      data: { webhook_id: webhookId, message: 'isolation' },
    },
    attempt: 1,
    not_before: at,
  };
}

describe('webhook delivery with hanging receivers', () => {
  it("delivers a healthy endpoint's event before the first hanging attempt times out", async () => {
    const hanging = await Promise.all(Array.from({ length: 4 }, () => startHangingReceiver()));
    const healthy = await startReceiver();
    const sqs = new SQSClient({ endpoint: t.stack.sqsEndpoint, region: t.stack.region });
    try {
      const hangingIds = await Promise.all(hanging.map((r) => register(r.url)));
      const healthyId = await register(healthy.url);
      // Ten events for each hanging endpoint, fanned out per event; the healthy event in the middle of the
      // third SendMessageBatch, so that it shares a poller's batch with hanging deliveries ahead of it.
      const messages = Array.from({ length: 10 }, () => hangingIds.map(deliveryMessage)).flat();
      const healthyMessage = deliveryMessage(healthyId);
      messages.splice(24, 0, healthyMessage);
      const queuedAt = Date.now();
      for (let i = 0; i < messages.length; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: t.stack.queueUrls.webhookDeliveries,
            Entries: messages
              .slice(i, i + 10)
              .map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
          }),
        );
      }
      await healthy.waitFor(
        (all) => all.some((r) => r.headers['webhook-id'] === healthyMessage.event.id),
        60_000,
      );
      const latencyMs = (healthy.received[0]?.at ?? Number.POSITIVE_INFINITY) - queuedAt;
      expect(latencyMs, `healthy event delivered after ${latencyMs} ms`).toBeLessThan(ATTEMPT_TIMEOUT_MS);

      // Once the first attempts have timed out, the hanging endpoints' other events are put back, not tried:
      // far fewer than the 40 deliveries reach them (at most one per endpoint per poller's batch). Counted
      // before any retry can come (a first attempt's timeout plus the schedule's 5 s).
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, queuedAt + ATTEMPT_TIMEOUT_MS + 2_500 - Date.now())),
      );
      const attempted = hanging.reduce((sum, r) => sum + r.requests(), 0);
      expect(attempted).toBeGreaterThanOrEqual(4);
      expect(attempted).toBeLessThanOrEqual(20);
      const timedOut = async () => {
        const log = await apiCall(t.stack.apiUrl, admin, 'GET', `/webhooks/${hangingIds[0]}/deliveries`);
        return (log.json as { items: { error: string | null }[] }).items.some((d) => d.error === 'timeout');
      };
      const deadline = Date.now() + 20_000;
      while (!(await timedOut()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await timedOut()).toBe(true);
    } finally {
      sqs.destroy();
      await Promise.all([...hanging.map((r) => r.close()), healthy.close()]);
    }
  }, 90_000);
});
