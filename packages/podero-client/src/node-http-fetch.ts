/**
 * The client's default HTTP exchange: `node:http`/`node:https` with keep-alive agents, shaped as the
 * narrow `FetchLike` the transport needs (status, one header, the body as text).
 *
 * Why not the global `fetch`: undici's fetch builds WHATWG streams, a Request, a Response and an
 * AbortSignal chain per call. Profiling a heat-pump sync pass (`pnpm bench sync`) put a fifth of the
 * sync's CPU in that machinery, for requests that only ever need a small JSON body read to the end.
 * The global `fetch` (or any function of the same shape) can still be passed as `fetch`.
 */
import http from 'node:http';
import https from 'node:https';
import type { FetchLike, FetchResponseLike } from './transport';

export interface NodeHttpFetchOptions {
  /** Sockets per origin; requests beyond it queue in the agent. Default 128. */
  maxSockets?: number;
  /**
   * A pooled socket idle this long is closed (default 4 000 ms, as Node's and undici's own pools do),
   * well before a server or load balancer would close it under us.
   */
  idleSocketTimeoutMs?: number;
}

/** A body larger than this is refused: Podero's responses are small JSON documents. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** An error carrying a system-style `code`, which the transport's retry rules read. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        response.destroy(codedError(`response body over ${MAX_BODY_BYTES} bytes`, 'EBODYTOOLARGE'));
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks, bytes).toString('utf8')));
    response.once('error', reject);
    // Closed without 'end' (the connection dropped mid-body): a reset, as fetch would report it.
    response.once('close', () => {
      if (!response.complete) reject(codedError('connection closed before the body ended', 'ECONNRESET'));
    });
  });
}

export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): FetchLike {
  const pooled = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 128,
    timeout: options.idleSocketTimeoutMs ?? 4_000,
  };
  const agents = { 'http:': new http.Agent(pooled), 'https:': new https.Agent(pooled) };
  // A POST never rides a pooled socket: one the server closed while it sat idle (a Lambda frozen
  // between invocations sees this) fails with a reset, and a POST is not replayed after a reset
  // because the server may have acted on it. A fresh connection costs a handshake, on a rare call.
  const fresh = { keepAlive: false, maxSockets: options.maxSockets ?? 128 };
  const freshAgents = { 'http:': new http.Agent(fresh), 'https:': new https.Agent(fresh) };

  return (url, init) =>
    new Promise<FetchResponseLike>((resolve, reject) => {
      const target = new URL(url);
      const protocol = target.protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        reject(new TypeError(`unsupported protocol ${protocol}`));
        return;
      }
      const { signal } = init;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const body = init.body ?? undefined;
      const headers: Record<string, string> = { ...init.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const request = (protocol === 'https:' ? https : http).request(
        target,
        {
          method: init.method,
          headers,
          agent: init.method.toUpperCase() === 'POST' ? freshAgents[protocol] : agents[protocol],
        },
        (response) => {
          // Read at once, whether or not the caller asks for the body: the socket goes back to the
          // pool, and a connection lost mid-body is an error of this promise, never an 'error' event
          // without a listener (which would crash the process).
          const body = readBody(response);
          body.catch(() => undefined); // reported to whoever calls text()
          resolve({
            status: response.statusCode ?? 0,
            headers: { get: (name) => headerValue(response.headers[name.toLowerCase()]) },
            text: () => body,
          });
        },
      );
      const onAbort = () => request.destroy(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      request.once('close', () => signal?.removeEventListener('abort', onAbort));
      request.once('error', reject);
      request.end(body);
    });
}

let shared: FetchLike | undefined;

/** One keep-alive pool per process, shared by every client that was not given a `fetch`. */
export function defaultFetch(): FetchLike {
  shared ??= createNodeHttpFetch();
  return shared;
}
