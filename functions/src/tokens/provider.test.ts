import { describe, expect, it } from 'vitest';
import { type TokenSecret, tokenFingerprint } from './contract';
import { createBridgeTokenProvider, TokenUnavailableError } from './provider';
import { type TokenRefresher, TokenRefreshFailedError } from './refresher';
import type { TokenSource } from './source';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const token = (access_token: string, hoursLeft = 10): TokenSecret => ({
  access_token,
  expires_at: new Date(NOW + hoursLeft * 3_600_000).toISOString(),
  token_type: 'Bearer',
  scope: 'read write',
  refreshed_at: new Date(NOW).toISOString(),
});

/** A token secret with a cached view (like Powertools: cached until forceFetch) and a refresher that rotates it. */
function fakeStore(initial: TokenSecret | undefined) {
  let stored = initial;
  let cached = initial;
  let refreshes = 0;
  const rejections: (string | undefined)[] = [];
  const source: TokenSource = {
    read: async ({ forceFetch = false } = {}) => {
      if (forceFetch) cached = stored;
      return cached;
    },
  };
  const refresher: TokenRefresher = {
    forceRefresh: async (rejected) => {
      rejections.push(rejected);
      await new Promise((resolve) => setImmediate(resolve));
      refreshes += 1;
      stored = token(`token-${refreshes + 1}`);
      return { status: 'refreshed', expires_at: stored.expires_at, refreshed_at: stored.refreshed_at };
    },
  };
  const replaceStored = (next: TokenSecret) => {
    stored = next;
  };
  return { source, refresher, rejections, refreshes: () => refreshes, replaceStored };
}

describe('createBridgeTokenProvider', () => {
  it('returns the stored token without asking for a refresh', async () => {
    const store = fakeStore(token('token-1'));
    const provider = createBridgeTokenProvider({
      source: store.source,
      refresher: store.refresher,
      now: () => NOW,
    });
    expect(await provider.getToken()).toBe('token-1');
    expect(store.refreshes()).toBe(0);
  });

  it('shares one forced refresh among 50 concurrent invalidations, naming the rejected token by its sha256', async () => {
    const store = fakeStore(token('token-1'));
    const provider = createBridgeTokenProvider({
      source: store.source,
      refresher: store.refresher,
      now: () => NOW,
    });
    await Promise.all(Array.from({ length: 50 }, () => provider.invalidate('token-1')));
    expect(store.refreshes()).toBe(1);
    expect(store.rejections).toEqual([tokenFingerprint('token-1')]);
    expect(await provider.getToken()).toBe('token-2');
    // A late 401 for the old token costs nothing: this container already moved on.
    await provider.invalidate('token-1');
    expect(store.refreshes()).toBe(1);
  });

  it('asks for a refresh (without a fingerprint) when no token is stored, and once for concurrent callers', async () => {
    const store = fakeStore(undefined);
    const provider = createBridgeTokenProvider({
      source: store.source,
      refresher: store.refresher,
      now: () => NOW,
    });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-2']));
    expect(store.rejections).toEqual([undefined]);
  });

  it('treats a token within the skew of its expiry as expired', async () => {
    const store = fakeStore(token('token-1', 0.01)); // 36 s left, skew 60 s
    const provider = createBridgeTokenProvider({
      source: store.source,
      refresher: store.refresher,
      now: () => NOW,
    });
    expect(await provider.getToken()).toBe('token-2');
    expect(store.rejections).toEqual([tokenFingerprint('token-1')]);
  });

  it('re-reads the store, without asking for a refresh, when only its cached copy is near expiry', async () => {
    const store = fakeStore(token('token-1', 0.01));
    const provider = createBridgeTokenProvider({
      source: store.source,
      refresher: store.refresher,
      now: () => NOW,
    });
    // token-refresh already replaced the token; this container still caches the old one.
    store.replaceStored(token('token-9'));
    expect(await provider.getToken()).toBe('token-9');
    expect(store.refreshes()).toBe(0);
    expect(store.rejections).toEqual([]);
  });

  it('fails with TokenUnavailableError when even a refresh yields no usable token', async () => {
    const provider = createBridgeTokenProvider({
      source: { read: async () => undefined },
      refresher: { forceRefresh: async () => ({ status: 'refreshed', expires_at: '', refreshed_at: '' }) },
      now: () => NOW,
    });
    await expect(provider.getToken()).rejects.toBeInstanceOf(TokenUnavailableError);
  });
});

describe('a refresh that does not answer', () => {
  const hungRefresher = (): TokenRefresher & { calls: number } => {
    const refresher = {
      calls: 0,
      forceRefresh: () => {
        refresher.calls += 1;
        return new Promise<never>(() => {});
      },
    };
    return refresher;
  };

  it('is waited for at most refreshWaitMs, then fails with TokenRefreshFailedError; callers share one refresh', async () => {
    const refresher = hungRefresher();
    const provider = createBridgeTokenProvider({
      source: { read: async () => undefined },
      refresher,
      now: () => NOW,
      refreshWaitMs: 50,
    });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => provider.getToken().catch((error: unknown) => error)),
    );
    for (const result of results) {
      expect(result).toBeInstanceOf(TokenRefreshFailedError);
      expect((result as Error).message).toContain('did not answer within 50 ms');
    }
    expect(refresher.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('is waited for no longer than the caller deadline when that comes first', async () => {
    const refresher = hungRefresher();
    const deadline = Date.now() + 30;
    const provider = createBridgeTokenProvider({
      source: { read: async () => token('revoked') },
      refresher,
      now: () => NOW,
      refreshWaitMs: 60_000,
      deadline: () => deadline,
    });
    await expect(provider.invalidate('revoked')).rejects.toBeInstanceOf(TokenRefreshFailedError);
  });

  it('has no bound without refreshWaitMs or a deadline (the sync waits for token-refresh)', async () => {
    let release: (() => void) | undefined;
    const store = fakeStore(undefined);
    const provider = createBridgeTokenProvider({
      source: store.source,
      refresher: {
        forceRefresh: async (rejected) => {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return store.refresher.forceRefresh(rejected);
        },
      },
      now: () => NOW,
    });
    const pending = provider.getToken();
    await new Promise((resolve) => setTimeout(resolve, 30));
    release?.();
    expect(await pending).toBe('token-2');
  });
});
