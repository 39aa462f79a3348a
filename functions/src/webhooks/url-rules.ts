/**
 * Where a webhook may point. Checked when an endpoint is registered or changed and again at every delivery
 * (the name may resolve elsewhere by then), on every address the name resolves to, and at connect time by
 * the sender's lookup (webhooks/sender.ts), so a name that resolves to a private address between the check
 * and the connection is refused too.
 *
 * - `https` only, except that the local stage (`allowLoopback`) also accepts `http://127.0.0.1:<port>`;
 * - no credentials in the URL, at most 2,048 characters;
 * - no address that is private, loopback, link-local, shared (CGNAT), multicast, reserved or unspecified,
 *   in IPv4, IPv6, or IPv4 mapped into IPv6 (in the local stage loopback is allowed); no IPv6 address that
 *   carries an IPv4 address (6to4, Teredo, NAT64, SIIT, IPv4-compatible), see `IPV4_INSIDE_IPV6`.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * IPv6 ranges that carry an IPv4 address inside them (or reach one through a translator): IPv4-mapped
 * `::ffff:0:0/96` is unwrapped and judged as the IPv4 it holds; these are refused whatever they carry.
 * SIIT (`::ffff:0:0:0/96`) and NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`) hand the packet to a translator that
 * forwards it to the embedded IPv4, 6to4 (`2002::/16`) to a relay, and Teredo (`2001::/32`) hides the
 * client's IPv4 XOR-obfuscated: decoding each mechanism to judge its IPv4 is a rule per mechanism to get
 * right, while refusing them costs nothing (no partner receives webhooks on a transition address; 6to4's
 * relays are deprecated, RFC 7526).
 */
const IPV4_INSIDE_IPV6 = new Set<string>(['rfc6145', 'rfc6052', '6to4', 'teredo']);
/**
 * IPv4-compatible `::a.b.c.d` (deprecated, RFC 4291 §2.5.5.1) is refused for the same reason. ipaddr.js
 * files it under `unicast`, and reads the text form `::a.b.c.d` as IPv4-mapped, so Node's parser decides:
 * all of `::/96` except `::` and `::1`, which ipaddr.js classifies (unspecified, loopback).
 */
const IPV4_COMPATIBLE = new BlockList();
IPV4_COMPATIBLE.addRange('::2', '::ffff:ffff', 'ipv6');

export interface AddressRules {
  /** The local stage: loopback addresses (a receiver on the developer's machine) are allowed. */
  readonly allowLoopback: boolean;
}

/**
 * Why an address may not receive webhooks, or null when it may. The ranges are ipaddr.js's (`range()`,
 * its table of IANA special-purpose ranges), not a list kept here: only what it calls `unicast` (public)
 * may receive webhooks, and loopback in the local stage. `ipaddr.process` judges an IPv4-mapped address
 * (`::ffff:10.0.0.1`, `::ffff:a00:1`) as the IPv4 address it is.
 */
export function blockedAddressReason(address: string, rules: AddressRules): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const carriesIpv4 = 'an IPv6 address that carries an IPv4 address (transition or translation)';
  if (IPV4_COMPATIBLE.check(address, 'ipv6')) return carriesIpv4;
  const range = ipaddr.process(address).range();
  if (range === 'loopback') return rules.allowLoopback ? null : 'a loopback address';
  if (IPV4_INSIDE_IPV6.has(range)) return carriesIpv4;
  if (range !== 'unicast') return 'a private, link-local or reserved address';
  return null;
}

export class WebhookUrlError extends Error {
  override readonly name = 'WebhookUrlError';
}

/** The URL's form: throws WebhookUrlError saying what is wrong (no DNS). */
export function checkWebhookUrlForm(raw: string, rules: AddressRules): URL {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH)
    throw new WebhookUrlError(`must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('must be an absolute URL');
  }
  if (url.username !== '' || url.password !== '') throw new WebhookUrlError('must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const localHttp = rules.allowLoopback && url.protocol === 'http:' && host === '127.0.0.1';
  if (url.protocol !== 'https:' && !localHttp) {
    throw new WebhookUrlError(
      rules.allowLoopback ? 'must use https (or http://127.0.0.1 locally)' : 'must use https',
    );
  }
  if (isIP(host) !== 0) {
    const reason = blockedAddressReason(host, rules);
    if (reason) throw new WebhookUrlError(`must not point at ${reason}`);
  }
  return url;
}

export type Resolve = (hostname: string) => Promise<readonly string[]>;

export const resolveAll: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** The form, then every address the host resolves to: throws WebhookUrlError when any is not allowed. */
export async function checkWebhookUrl(
  raw: string,
  rules: AddressRules,
  resolve: Resolve = resolveAll,
): Promise<URL> {
  const url = checkWebhookUrlForm(raw, rules);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return url;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new WebhookUrlError('host does not resolve');
  }
  if (addresses.length === 0) throw new WebhookUrlError('host does not resolve');
  for (const address of addresses) {
    const reason = blockedAddressReason(address, rules);
    if (reason) throw new WebhookUrlError(`host resolves to ${reason}`);
  }
  return url;
}
