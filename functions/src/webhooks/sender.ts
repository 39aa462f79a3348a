/**
 * One webhook request: a POST of the signed payload over node:http(s), with the same connection rules as
 * the rest of the bridge's outbound HTTP (ADR 0001), and three of its own:
 * - the address is checked at connect time (`lookup`): a name that resolves to a private address is never
 *   connected to, whatever it resolved to when the URL was checked;
 * - redirects are not followed (a 3xx is a failed attempt);
 * - the whole attempt (connect, send, answer) has a deadline; the answer's body is read (at most 1 KB) for
 *   the delivery log's excerpt (its first RESPONSE_EXCERPT_BYTES) and otherwise ignored.
 */

import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseRetryAfterMs } from '@podero-bridge/podero-client';
import { type AddressRules, blockedAddressReason } from './url-rules';

export const DELIVERY_TIMEOUT_MS = 5_000;
const RESPONSE_KEEP_BYTES = 1_024;
/** The most of a receiver's answer the delivery log keeps: a reason to show, not a copy of their page. */
export const RESPONSE_EXCERPT_BYTES = 512;

export type SendOutcome =
  | { ok: true; status: number; durationMs: number; responseExcerpt?: string }
  | {
      ok: false;
      status: number | null;
      /** The start of the receiver's answer (at most RESPONSE_EXCERPT_BYTES, as UTF-8). */
      responseExcerpt?: string;
      error: 'http_status' | 'redirect' | 'timeout' | 'network' | 'blocked_address';
      durationMs: number;
      detail?: string;
      /** The receiver's `Retry-After` on a 429 or 503, in ms. */
      retryAfterMs?: number;
    };

/** Statuses whose `Retry-After` a delivery honours (Standard Webhooks). */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

export interface WebhookRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export type WebhookSender = (request: WebhookRequest) => Promise<SendOutcome>;

export function createWebhookSender(
  rules: AddressRules,
  options: { timeoutMs?: number } = {},
): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      for (const entry of list) {
        const reason = blockedAddressReason(entry.address, rules);
        if (reason) {
          const refused = Object.assign(new Error(`refused: ${hostname} resolves to ${reason}`), {
            code: 'EBLOCKEDADDRESS',
          });
          return callback(refused, '', 0);
        }
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      return first ? callback(null, first.address, first.family) : callback(new Error('no address'), '', 0);
    });
  };
  return (webhook) =>
    new Promise<SendOutcome>((resolve) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const request = webhook.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        webhook.url,
        {
          method: 'POST',
          headers: { ...webhook.headers, 'content-length': Buffer.byteLength(webhook.body) },
          lookup: guardedLookup,
          agent: false,
        },
        (res) => {
          let kept = 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            if (kept < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
            kept += chunk.length;
            if (kept > RESPONSE_KEEP_BYTES) res.destroy();
          });
          const done = () => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            const responseExcerpt = Buffer.concat(chunks)
              .subarray(0, RESPONSE_EXCERPT_BYTES)
              .toString('utf8');
            if (status >= 200 && status < 300)
              return resolve({ ok: true, status, durationMs: elapsed(), responseExcerpt });
            const header = res.headers['retry-after'];
            const retryAfterMs = RETRY_AFTER_STATUSES.has(status)
              ? parseRetryAfterMs(typeof header === 'string' ? header : null)
              : undefined;
            resolve({
              ok: false,
              status,
              error: status >= 300 && status < 400 ? 'redirect' : 'http_status',
              durationMs: elapsed(),
              responseExcerpt,
              ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
            });
          };
          res.on('end', done);
          res.on('close', done);
        },
      );
      const timer = setTimeout(() => {
        req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT_WEBHOOK' }));
      }, timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const code = error.code ?? '';
        resolve({
          ok: false,
          status: null,
          error:
            code === 'EBLOCKEDADDRESS'
              ? 'blocked_address'
              : code === 'ETIMEDOUT_WEBHOOK'
                ? 'timeout'
                : 'network',
          durationMs: elapsed(),
          detail: code || error.name,
        });
      });
      req.end(webhook.body);
    });
}
