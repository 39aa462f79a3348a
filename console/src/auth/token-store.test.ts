import { describe, expect, it } from 'vitest';
import { MemoryStorage } from './memory-storage';
import { EXPIRY_MARGIN_MS, TokenStore } from './token-store';

describe('TokenStore', () => {
  it('serves a token until the margin before its expiry, then drops it', () => {
    let now = 1_000_000;
    const storage = new MemoryStorage();
    const store = new TokenStore(storage, () => now);
    store.save('t1', now + EXPIRY_MARGIN_MS + 1000);
    expect(store.current()).toBe('t1');
    now += 999;
    expect(store.current()).toBe('t1');
    now += 1;
    expect(store.current()).toBeUndefined();
    expect(storage.items.size).toBe(0);
  });

  it('treats a damaged entry as no token', () => {
    const storage = new MemoryStorage();
    const store = new TokenStore(storage, () => 0);
    storage.setItem('podero-console.token', '{not json');
    expect(store.current()).toBeUndefined();
    storage.setItem('podero-console.token', JSON.stringify({ access_token: '', expires_at: 9e12 }));
    expect(store.current()).toBeUndefined();
  });
});
