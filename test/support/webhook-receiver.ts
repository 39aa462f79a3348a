import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from '@podero-bridge/local-aws';

/** One request a receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  answered: number;
}

/**
 * A partner's webhook receiver on 127.0.0.1: records every request and answers what `answer` says (200 by
 * default), as the receivers of the end-to-end tests and the benchmark.
 */
export async function startReceiver(answer: (request: Received, index: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        answered: 0,
      };
      request.answered = answer(request, received.length);
      received.push(request);
      res.writeHead(request.answered, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  const listening = await listenLocally(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${listening.port}/hooks`,
    received,
    /** Waits (bounded) until `predicate` holds over what was received. */
    async waitFor(predicate: (all: readonly Received[]) => boolean, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(`receiver: condition not met within ${timeoutMs} ms (${received.length} received)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: listening.close,
  };
}

export const typeOf = (request: Received): string => (JSON.parse(request.body) as { type: string }).type;
