import * as z from 'zod';

/** The signed-in operator's access token, kept for this tab only (sessionStorage, never localStorage). */
const storedTokenSchema = z.strictObject({ access_token: z.string().min(1), expires_at: z.number() });
export type StoredToken = z.infer<typeof storedTokenSchema>;

const TOKEN_KEY = 'podero-console.token';
/** A token this close to expiry is not used: a request must not start with one that lapses on the way. */
export const EXPIRY_MARGIN_MS = 60_000;

export class TokenStore {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored token while it is still good for a request, else undefined (and it is dropped). */
  current(): string | undefined {
    const raw = this.storage.getItem(TOKEN_KEY);
    if (raw === null) return undefined;
    let parsed: z.ZodSafeParseResult<StoredToken>;
    try {
      parsed = storedTokenSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = storedTokenSchema.safeParse(undefined);
    }
    if (!parsed.success || parsed.data.expires_at - EXPIRY_MARGIN_MS <= this.now()) {
      this.storage.removeItem(TOKEN_KEY);
      return undefined;
    }
    return parsed.data.access_token;
  }

  save(accessToken: string, expiresAt: number): void {
    this.storage.setItem(TOKEN_KEY, JSON.stringify({ access_token: accessToken, expires_at: expiresAt }));
  }

  clear(): void {
    this.storage.removeItem(TOKEN_KEY);
  }
}
