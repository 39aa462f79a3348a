/**
 * Webhook delivery throughput: N events on the delivery queue of the whole local stack (the same
 * webhook-delivery function, SQS stand-in and event source mapping stand-in as `pnpm dev`: batches of 10, 5
 * pollers), delivered to a receiver on 127.0.0.1 that fails 20 % of all attempts (the first attempt of one
 * event in four answers 500; its retry comes on the real schedule, 5 s later). Measured: events delivered per
 * second until the last one arrived, against the same run with no failures; events lost (never answered 2xx)
 * and deliveries under an id that was never sent (a duplicate under a new id): both must be 0.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalStack } from '@podero-bridge/local';
import { listenLocally } from '@podero-bridge/local-aws';
import { type Benchmark, figure } from './harness/report';

const EVENTS = 2_000;
/** Every fourth event fails its first attempt: 500 of 2,500 attempts, 20 %. */
const FAIL_EVERY = 4;

interface RunResult {
  seconds: number;
  attempts: number;
  failedAttempts: number;
  lost: number;
  underNewId: number;
  sameIdRepeats: number;
}

async function deliverOnce(failing: boolean, log: (m: string) => void): Promise<RunResult> {
  const sent = new Set<string>();
  const delivered = new Set<string>();
  const seenAttempts = new Map<string, number>();
  let attempts = 0;
  let failedAttempts = 0;
  let underNewId = 0;
  let sameIdRepeats = 0;
  const failFirst = new Set<string>();
  const failsFirst = (id: string) => failing && failFirst.has(id);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      attempts++;
      const seen = seenAttempts.get(id) ?? 0;
      seenAttempts.set(id, seen + 1);
      if (!sent.has(id)) underNewId++;
      if (seen === 0 && failsFirst(id)) {
        failedAttempts++;
        res.writeHead(500).end();
        return;
      }
      if (delivered.has(id)) sameIdRepeats++;
      delivered.add(id);
      res.writeHead(204).end();
    });
  });
  const receiver = await listenLocally(server, 0, '127.0.0.1');
  const stack = await startLocalStack({ functionLogLevel: 'SILENT', scheduleTimers: false });
  const sqs = new SQSClient({ endpoint: stack.sqsEndpoint, region: stack.region });
  try {
    const admin = await stack.mintToken({ admin: true });
    const created = await fetch(`${stack.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/hooks` }),
    });
    if (created.status !== 201) throw new Error(`POST /webhooks answered ${created.status}`);
    const webhookId = ((await created.json()) as { id: string }).id;
    const at = new Date().toISOString();
    const messages = Array.from({ length: EVENTS }, (_, i) => {
      const id = `evt_${randomBytes(12).toString('hex')}`;
      sent.add(id);
      if (i % FAIL_EVERY === 0) failFirst.add(id);
      const event = { id, type: 'user.onboarded', timestamp: at, data: { external_user_id: `bench-${i}` } };
      return JSON.stringify({ webhook_id: webhookId, event, attempt: 1, not_before: at });
    });
    const started = performance.now();
    for (let i = 0; i < messages.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.queueUrls.webhookDeliveries,
          Entries: messages.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })),
        }),
      );
    }
    // Bounded: the slowest event is retried 5 s after its first attempt; a minute is ample.
    const deadline = Date.now() + 90_000;
    while (delivered.size < sent.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    // A moment more, to catch late duplicates.
    await new Promise((resolve) => setTimeout(resolve, 500));
    log(
      `${failing ? 'with' : 'without'} failures: ${delivered.size}/${sent.size} in ${seconds.toFixed(1)} s, ${attempts} attempts`,
    );
    return { seconds, attempts, failedAttempts, lost: sent.size - delivered.size, underNewId, sameIdRepeats };
  } finally {
    sqs.destroy();
    await stack.close();
    await receiver.close();
  }
}

export const webhooksBenchmark: Benchmark = {
  name: 'webhooks',
  title: `Webhook delivery (${EVENTS.toLocaleString('en')} events through webhook-delivery to a local receiver)`,
  async run(ctx) {
    const clean = await deliverOnce(false, ctx.log);
    const faulty = await deliverOnce(true, ctx.log);
    const rows = [
      figure('no failures', 'events delivered/s', 'events/s', EVENTS / clean.seconds),
      figure(
        '20 % of attempts failing',
        'events delivered/s (until the last)',
        'events/s',
        EVENTS / faulty.seconds,
      ),
      figure(
        '20 % of attempts failing',
        'first attempts/s (before the 5 s retries)',
        'events/s',
        EVENTS / Math.max(0.001, faulty.seconds - 5),
      ),
      figure(
        '20 % of attempts failing',
        'share of attempts failed',
        '%',
        (100 * faulty.failedAttempts) / faulty.attempts,
      ),
      figure('20 % of attempts failing', 'events lost', '', faulty.lost + clean.lost, {
        text: '0',
        met: faulty.lost + clean.lost === 0,
      }),
      figure(
        '20 % of attempts failing',
        'delivered under a new id',
        '',
        faulty.underNewId + clean.underNewId,
        {
          text: '0',
          met: faulty.underNewId + clean.underNewId === 0,
        },
      ),
      figure(
        '20 % of attempts failing',
        'delivered twice under the same id',
        '',
        faulty.sameIdRepeats + clean.sameIdRepeats,
      ),
    ];
    return {
      rows,
      notes: [
        'The local stack as `pnpm dev` runs it: webhook-delivery behind the local SQS and 5 pollers of 10 messages, a receiver on 127.0.0.1, dynalite for the endpoint and the delivery log, the signing secret read through its 30 s cache.',
        'Failing attempts: the first attempt of every fourth event answers 500 (500 of 2,500 attempts); its second attempt comes 5 s later (the Standard Webhooks schedule), so the run cannot end before 5 s after the last failure. "First attempts/s" subtracts that wait.',
        'Lost: sent and never answered 2xx. Under a new id: a delivery whose webhook-id was never sent. Both are counted over both runs.',
      ],
    };
  },
};
