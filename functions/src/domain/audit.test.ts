import { describe, expect, it } from 'vitest';
import { AUDIT_CHANGES_MAX_CHARS, changesOf, ERASED, erasePersonalData } from './audit';

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
