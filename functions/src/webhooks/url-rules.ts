/**
 * Where a webhook may point. Checked when an endpoint is registered or changed and again at every delivery
 * (the name may resolve elsewhere by then), on every address the name resolves to, and at connect time by
 * the sender's lookup (webhooks/sender.ts), so a name that resolves to a private address between the check
 * and the connection is refused too.
 *
 * - `https` only, except that the local stage (`allowLoopback`) also accepts `http://127.0.0.1:<port>`;
 * - no credentials in the URL, at most 2,048 characters;
 * - no address that is private, loopback, link-local, shared (CGNAT), multicast, reserved or unspecified,
 *   in IPv4, IPv6, or IPv4 mapped into IPv6 (in the local stage loopback is allowed).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export interface AddressRules {
  /** The local stage: loopback addresses (a receiver on the developer's machine) are allowed. */
  readonly allowLoopback: boolean;
}

/** Why an address may not receive webhooks, or null when it may. */
export function blockedAddressReason(address: string, rules: AddressRules): string | null {
  // BlockList matches an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`) against the IPv4
  // ranges itself, so a mapped private address is refused as the private address it is.
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(address, family)) return rules.allowLoopback ? null : 'a loopback address';
  if (blocked.check(address, family)) return 'a private, link-local or reserved address';
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
