import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPoderoClient, type PoderoClientOptions } from './client';
import { PoderoNetworkError } from './errors';
import { createNodeHttpFetch } from './node-http-fetch';
import { ORG_ID } from './test-support/fake-fetch';
import { staticTokenProvider } from './token';

interface TestServer {
  url: string;
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  const state: TestServer = {
    url: '',
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(state);
  return state;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A client on the node:http transport; no backoff waits. */
function clientFor(baseUrl: string, overrides: Partial<PoderoClientOptions> = {}) {
  return createPoderoClient({
    baseUrl,
    orgId: ORG_ID,
    tokenProvider: staticTokenProvider('token-abc'),
    fetch: createNodeHttpFetch(),
    timeoutMs: 5_000,
    sleep: async () => {},
    ...overrides,
  });
}

describe('createNodeHttpFetch', () => {
  it('sends method, headers and body, and reads status, headers and the whole body', async () => {
    let seen: { method?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        seen = { method: req.method ?? '', headers: req.headers, body };
        res.writeHead(201, { 'content-type': 'application/json', 'x-many': ['a', 'b'] });
        // Written in pieces: the body is read to its end, not to the first chunk.
        res.write('{"hello":');
        setImmediate(() => res.end('"wörld"}'));
      });
    });
    const fetch = createNodeHttpFetch();
    const response = await fetch(`${server.url}/x?y=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"a":"é"}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-many')).toBe('a, b');
    expect(response.headers.get('absent')).toBeNull();
    expect(await response.text()).toBe('{"hello":"wörld"}');
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe('{"a":"é"}');
    expect(seen.headers?.['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(seen.headers?.authorization).toBe('Bearer t');
  });

  it('keeps the connection alive: sequential requests share one socket', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    const client = clientFor(server.url);
    for (let i = 0; i < 5; i++) await client.users.list();
    expect(server.connections).toBe(1);
  });

  it('sends every POST on a fresh connection, never on a pooled one that may have gone stale', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const fetch = createNodeHttpFetch();
    const post = () => fetch(`${server.url}/`, { method: 'POST', headers: {}, body: '{}' });
    const get = () => fetch(`${server.url}/`, { method: 'GET', headers: {} });
    await (await get()).text();
    await (await get()).text();
    expect(server.connections).toBe(1);
    await (await post()).text();
    await (await post()).text();
    expect(server.connections).toBe(3);
  });

  it('closes a pooled socket that sat idle past idleSocketTimeoutMs', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    const fetch = createNodeHttpFetch({ idleSocketTimeoutMs: 50 });
    await (await fetch(`${server.url}/`, { method: 'GET', headers: {} })).text();
    await (await fetch(`${server.url}/`, { method: 'GET', headers: {} })).text();
    expect(server.connections).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await (await fetch(`${server.url}/`, { method: 'GET', headers: {} })).text();
    expect(server.connections).toBe(2);
  });

  it('lets a request in progress take longer than idleSocketTimeoutMs (that limit is for idle sockets)', async () => {
    const server = await serve((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('[]');
      }, 300);
    });
    const fetch = createNodeHttpFetch({ idleSocketTimeoutMs: 50 });
    const response = await fetch(`${server.url}/`, { method: 'GET', headers: {} });
    expect(await response.text()).toBe('[]');
  });

  it('times out a server that never answers, through the client, as a timed-out network error', async () => {
    const server = await serve(() => {
      // never answers
    });
    const client = clientFor(server.url, { timeoutMs: 50, retry: { maxRetries: 0 } });
    const error = await client.users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(true);
  });

  it('times out a body that stops halfway', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('[');
    });
    const client = clientFor(server.url, { timeoutMs: 50, retry: { maxRetries: 0 } });
    const error = await client.users.list().catch((e: unknown) => e);
    expect((error as PoderoNetworkError).timedOut).toBe(true);
  });

  it('reports a refused connection with its code, which the retry rules read', async () => {
    const server = await serve(() => {});
    const url = server.url;
    await server.close();
    servers.length = 0;
    const client = clientFor(url, { retry: { maxRetries: 0 } });
    const error = await client.users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).code).toBe('ECONNREFUSED');
    expect((error as PoderoNetworkError).timedOut).toBe(false);
  });

  it('retries a GET once at once when the server drops the connection before answering (stale socket)', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      if (calls === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    const client = clientFor(server.url, { retry: { maxRetries: 0 } });
    await expect(client.users.list()).resolves.toEqual([]);
    expect(calls).toBe(2);
  });

  it('fails a body cut off mid-way as a reset, never as a short success', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('[{"id":', () => req.socket.destroy());
    });
    const fetch = createNodeHttpFetch();
    const response = await fetch(`${server.url}/`, { method: 'GET', headers: {} });
    await expect(response.text()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('survives a connection lost mid-body when nobody reads the body, and frees the socket of one that is never read', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      if (calls === 1) res.write('[', () => req.socket.destroy());
      else res.end('['.padEnd(100, ' '));
    });
    const fetch = createNodeHttpFetch({ maxSockets: 1 });
    const lost = await fetch(`${server.url}/`, { method: 'GET', headers: {} });
    expect(lost.status).toBe(200);
    // The body is never read; the reset must not surface as an unhandled 'error' event.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // With one socket per origin, a response whose body nobody reads must not hold it forever.
    const unread = await fetch(`${server.url}/`, { method: 'GET', headers: {} });
    expect(unread.status).toBe(200);
    const next = await Promise.race([
      fetch(`${server.url}/`, { method: 'GET', headers: {} }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the unread body still holds the only socket')), 1_000),
      ),
    ]);
    expect((await next.text()).length).toBe(100);
  });

  it('rejects at once when the signal is already aborted, and refuses other protocols', async () => {
    const fetch = createNodeHttpFetch();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      fetch('http://127.0.0.1:9/', { method: 'GET', headers: {}, signal: controller.signal }),
    ).rejects.toThrow('gone');
    await expect(fetch('ftp://127.0.0.1/', { method: 'GET', headers: {} })).rejects.toThrow(
      'unsupported protocol',
    );
  });
});
