import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An opaque access token like django-oauth-toolkit's: 30 random alphanumeric characters. */
export function newAccessToken(length = 30): string {
  // 248 = 62 * 4: rejecting bytes >= 248 keeps every character equally likely.
  let token = '';
  while (token.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && token.length < length) token += ALPHANUMERIC[byte % 62];
    }
  }
  return token;
}

/** 32-bit FNV-1a, then a murmur-style finaliser: fast, stable across runs and platforms. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A deterministic number in [0, 1) for a key: the same seed and key always give the same value. */
export function unitHash(...parts: (string | number)[]): number {
  return hash32(parts.join('|')) / 4294967296;
}

/** mulberry32: a small seeded PRNG, used where a stream of numbers is needed (fault rates). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A stream of version-4-shaped UUIDs drawn from a seed. `taken` guards against reissuing an id that
 * already exists (e.g. after state was restored from a file under the same seed).
 */
export function seededUuidStream(seed: number, taken: (id: string) => boolean): () => string {
  const random = seededRandom(hash32(`ids|${seed}`));
  const word = () =>
    Math.floor(random() * 4294967296)
      .toString(16)
      .padStart(8, '0');
  return () => {
    for (;;) {
      const hex = word() + word() + word() + word();
      const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      if (!taken(id)) return id;
    }
  };
}
