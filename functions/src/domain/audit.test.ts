import { describe, expect, it } from 'vitest';
import {
  AUDIT_CHANGES_MAX_CHARS,
  changesOf,
  ERASED,
  erasePersonalData,
  REDACTED,
  withoutUrlCredentials,
} from './audit';

describe('changesOf', () => {
  it('records a body as sent, nothing for no body, and only the field names of a large one', () => {
    expect(changesOf({ is_smart_optimization_active: false })).toEqual({
      is_smart_optimization_active: false,
    });
    expect(changesOf(undefined)).toBeNull();
    expect(changesOf([1, 2])).toBeNull();
    const big = { prices: 'x'.repeat(AUDIT_CHANGES_MAX_CHARS), note: 'a' };
    expect(changesOf(big)).toEqual({ prices: null, note: null });
  });

  it("keeps a URL's scheme, host, path and query names, never its credentials or query values, at any depth", () => {
    expect(
      changesOf({
        url: 'https://crm:hunter2@hooks.example.com:8443/in/bridge?token=s3cret&token=again&v=2#frag',
        description: 'https is mentioned, not a URL',
        return_urls: { success_url: 'http://127.0.0.1:5173/done?session=abc' },
        list: ['https://a.example/x?k=1'],
        events: null,
      }),
    ).toEqual({
      url: `https://hooks.example.com:8443/in/bridge?token=${REDACTED}&v=${REDACTED}`,
      description: 'https is mentioned, not a URL',
      return_urls: { success_url: `http://127.0.0.1:5173/done?session=${REDACTED}` },
      list: [`https://a.example/x?k=${REDACTED}`],
      events: null,
    });
  });
});

describe('withoutUrlCredentials', () => {
  it('passes a URL without credentials or query unchanged, and leaves other strings alone', () => {
    expect(withoutUrlCredentials('https://hooks.example.com/in')).toBe('https://hooks.example.com/in');
    expect(withoutUrlCredentials('HTTP://host.example/p?q')).toBe(`http://host.example/p?q=${REDACTED}`);
    expect(withoutUrlCredentials('ftp://user:pw@host/x')).toBe('ftp://user:pw@host/x');
    expect(withoutUrlCredentials('https://')).toBe('https://');
    expect(withoutUrlCredentials('ann@example.com')).toBe('ann@example.com');
  });
});

describe('erasePersonalData', () => {
  it("replaces names, e-mails and addresses at any depth, keeping the field's name and everything else", () => {
    expect(
      erasePersonalData({
        email: 'ann@example.com',
        first_name: 'Ann',
        last_name: null,
        is_smart_optimization_active: true,
        building: { name: 'Home', street_and_number: 'Main St 1', zip_code: '1010', town: 'Wien' },
        contacts: [{ email: 'b@example.com', role: 'owner' }],
      }),
    ).toEqual({
      email: ERASED,
      first_name: ERASED,
      last_name: null,
      is_smart_optimization_active: true,
      building: { name: ERASED, street_and_number: ERASED, zip_code: ERASED, town: ERASED },
      contacts: [{ email: ERASED, role: 'owner' }],
    });
    expect(erasePersonalData(null)).toBeNull();
    expect(erasePersonalData('Ann')).toBe('Ann');
  });
});
