import { describe, expect, it } from 'vitest';
import { blockedAddressReason, checkWebhookUrl, checkWebhookUrlForm, WebhookUrlError } from './url-rules';

const deployed = { allowLoopback: false };
const local = { allowLoopback: true };
const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

describe('webhook URL rules', () => {
  it.each([
    ['10.1.2.3'],
    ['172.16.0.1'],
    ['172.31.255.255'],
    ['192.168.0.10'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['0.0.0.0'],
    ['224.0.0.1'],
    ['255.255.255.255'],
    ['fd12:3456::1'],
    ['fe80::1'],
    ['::'],
    ['::ffff:10.0.0.1'],
    ['::ffff:a00:1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['127.0.0.1'],
    ['::1'],
  ])('refuses %s in a deployed stage', (address) => {
    expect(blockedAddressReason(address, deployed)).not.toBeNull();
  });

  // IPv6 addresses with an IPv4 address inside (or behind a translator): refused whatever they carry,
  // loopback included, in every stage.
  it.each([
    ['::7f00:1', 'IPv4-compatible loopback'],
    ['::5db8:d822', 'IPv4-compatible, public IPv4'],
    ['::127.0.0.1', 'IPv4-compatible, dotted'],
    ['::ffff:0:7f00:1', 'SIIT loopback'],
    ['::ffff:0:5db8:d822', 'SIIT, public IPv4'],
    ['64:ff9b::7f00:1', 'NAT64 well-known prefix'],
    ['64:ff9b:1::a00:1', 'NAT64 local-use prefix'],
    ['64:ff9b:1:ffff::1', 'NAT64 local-use prefix, other bits'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:a00:1::1', '6to4 of 10.0.0.1'],
    ['2002:5db8:d822::1', '6to4 of a public IPv4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001::1', 'Teredo prefix'],
  ])('refuses %s (%s) in a deployed and in the local stage', (address) => {
    for (const rules of [deployed, local]) {
      expect(blockedAddressReason(address, rules)).toMatch(/carries an IPv4 address/);
    }
  });

  it.each([['fec0::1'], ['feff:ffff::1'], ['2001:db8::1'], ['100::1'], ['ff02::1'], ['3fff::1']])(
    'refuses the IPv6 special-purpose address %s (site-local, documentation, discard, multicast)',
    (address) => {
      expect(blockedAddressReason(address, deployed)).toBe('a private, link-local or reserved address');
    },
  );

  it('refuses addresses inside IPv6 when they come as a URL literal and as a DNS answer', async () => {
    for (const address of ['::7f00:1', '2002:7f00:1::', '::ffff:0:a00:1', '64:ff9b:1::a00:1', 'fec0::1']) {
      expect(() => checkWebhookUrlForm(`https://[${address}]/hooks`, deployed)).toThrow(WebhookUrlError);
      await expect(
        checkWebhookUrl('https://partner.example/hooks', deployed, resolvesTo('93.184.216.34', address)),
      ).rejects.toThrow('host resolves to');
    }
  });

  it('refuses what is not an IP address at all', () => {
    expect(blockedAddressReason('partner.example', local)).toBe('not an IP address');
  });

  it('judges an IPv4-mapped address as the IPv4 address it holds', () => {
    expect(blockedAddressReason('::ffff:93.184.216.34', deployed)).toBeNull();
    expect(blockedAddressReason('::ffff:127.0.0.1', local)).toBeNull();
    expect(blockedAddressReason('::ffff:127.0.0.1', deployed)).toBe('a loopback address');
  });

  it.each([
    ['93.184.216.34'],
    ['172.32.0.1'],
    ['2606:4700::1111'],
    ['100.128.0.1'],
    ['2a00:1450:4001::200e'],
  ])('accepts the public %s', (address) => {
    expect(blockedAddressReason(address, deployed)).toBeNull();
  });

  it('allows loopback only in the local stage, never other private ranges', () => {
    expect(blockedAddressReason('127.0.0.1', local)).toBeNull();
    expect(blockedAddressReason('::1', local)).toBeNull();
    expect(blockedAddressReason('10.0.0.1', local)).not.toBeNull();
  });

  it('https only, http://127.0.0.1 locally, no credentials, an absolute URL of bounded length', () => {
    expect(checkWebhookUrlForm('https://partner.example/hooks', deployed).hostname).toBe('partner.example');
    expect(() => checkWebhookUrlForm('http://partner.example/hooks', deployed)).toThrow('must use https');
    expect(() => checkWebhookUrlForm('http://127.0.0.1:8080/hooks', deployed)).toThrow(WebhookUrlError);
    expect(checkWebhookUrlForm('http://127.0.0.1:8080/hooks', local).port).toBe('8080');
    expect(() => checkWebhookUrlForm('http://localhost:8080/hooks', local)).toThrow('http://127.0.0.1');
    expect(() => checkWebhookUrlForm('http://10.0.0.1/hooks', local)).toThrow();
    expect(() => checkWebhookUrlForm('https://a:b@partner.example/', deployed)).toThrow('credentials');
    expect(() => checkWebhookUrlForm('https://a@partner.example/', deployed)).toThrow('credentials');
    expect(() => checkWebhookUrlForm('https://:b@partner.example/', deployed)).toThrow('credentials');
    const longest = `https://partner.example/${'a'.repeat(2048 - 'https://partner.example/'.length)}`;
    expect(checkWebhookUrlForm(longest, deployed).href).toBe(longest);
    expect(() => checkWebhookUrlForm('/hooks', deployed)).toThrow('absolute');
    expect(() => checkWebhookUrlForm(`https://partner.example/${'a'.repeat(2048)}`, deployed)).toThrow(
      '2048',
    );
    expect(() => checkWebhookUrlForm('https://[::ffff:a00:1]/', deployed)).toThrow('private');
  });

  it('resolves names with the system resolver by default (localhost is loopback: refused when deployed)', async () => {
    await expect(checkWebhookUrl('https://localhost/hooks', deployed)).rejects.toThrow('loopback');
    await expect(checkWebhookUrl('https://localhost/hooks', local)).resolves.toBeInstanceOf(URL);
  });

  it('checks every address a name resolves to', async () => {
    await expect(
      checkWebhookUrl('https://ok.example/', deployed, resolvesTo('93.184.216.34')),
    ).resolves.toBeInstanceOf(URL);
    await expect(
      checkWebhookUrl('https://mixed.example/', deployed, resolvesTo('93.184.216.34', '10.0.0.5')),
    ).rejects.toThrow('resolves to a private');
    await expect(
      checkWebhookUrl('https://rebind.example/', deployed, resolvesTo('127.0.0.1')),
    ).rejects.toThrow('loopback');
    await expect(checkWebhookUrl('https://none.example/', deployed, resolvesTo())).rejects.toThrow(
      'does not resolve',
    );
    await expect(
      checkWebhookUrl('https://err.example/', deployed, async () => {
        throw new Error('ENOTFOUND');
      }),
    ).rejects.toThrow('does not resolve');
  });
});
