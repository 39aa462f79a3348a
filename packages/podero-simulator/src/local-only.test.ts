import { describe, expect, it } from 'vitest';
import { localOnlyRefusal } from './local-only';

const LOOPBACK = { host: '127.0.0.1', port: 4010 };

describe('localOnlyRefusal', () => {
  it('answers its own address, by loopback address or name, whatever the method', () => {
    for (const host of ['127.0.0.1:4010', 'localhost:4010', 'LocalHost:4010', '[::1]:4010']) {
      expect(localOnlyRefusal('GET', { host }, LOOPBACK), host).toBeUndefined();
      expect(localOnlyRefusal('POST', { host }, LOOPBACK), host).toBeUndefined();
    }
  });

  it('refuses a Host naming another server: a rebinding name, another port, odd spellings, none', () => {
    for (const host of [
      'evil.example:4010',
      'evil.example',
      '127.0.0.1:4011',
      '127.0.0.1',
      'localhost.evil.example:4010',
      '127.1:4010',
      'user@127.0.0.1:4010',
      '127.0.0.1:4010/x',
      '192.168.1.5:4010',
      '',
    ]) {
      expect(localOnlyRefusal('GET', { host }, LOOPBACK), host).toMatch(/Host/);
    }
    expect(localOnlyRefusal('GET', {}, LOOPBACK)).toMatch(/Host/);
  });

  it('takes the bound address, and any IP literal (never a name) when bound to every interface', () => {
    expect(localOnlyRefusal('GET', { host: '192.168.1.5:4010' }, { host: '192.168.1.5', port: 4010 })).toBe(
      undefined,
    );
    const everywhere = { host: '0.0.0.0', port: 4010 };
    expect(localOnlyRefusal('GET', { host: '192.168.1.5:4010' }, everywhere)).toBeUndefined();
    expect(localOnlyRefusal('GET', { host: '[fe80::1]:4010' }, { host: '::', port: 4010 })).toBeUndefined();
    expect(localOnlyRefusal('GET', { host: 'evil.example:4010' }, everywhere)).toMatch(/Host/);
  });

  it('refuses a state-changing request from another origin or site, not a read', () => {
    const host = '127.0.0.1:4010';
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect(localOnlyRefusal(method, { host, origin: 'http://evil.example' }, LOOPBACK)).toMatch(/origin/);
      expect(localOnlyRefusal(method, { host, origin: 'http://localhost:4010' }, LOOPBACK)).toMatch(/origin/);
      expect(localOnlyRefusal(method, { host, origin: 'null' }, LOOPBACK)).toMatch(/origin/);
      expect(localOnlyRefusal(method, { host, 'sec-fetch-site': 'cross-site' }, LOOPBACK)).toMatch(/site/);
      expect(localOnlyRefusal(method, { host, 'sec-fetch-site': 'same-site' }, LOOPBACK)).toMatch(/site/);
    }
    expect(localOnlyRefusal('GET', { host, origin: 'http://evil.example' }, LOOPBACK)).toBeUndefined();
    expect(
      localOnlyRefusal(
        'POST',
        { host, origin: 'http://127.0.0.1:4010', 'sec-fetch-site': 'same-origin' },
        LOOPBACK,
      ),
    ).toBeUndefined();
    expect(localOnlyRefusal('POST', { host, 'sec-fetch-site': 'none' }, LOOPBACK)).toBeUndefined();
  });
});
