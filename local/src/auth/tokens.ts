import { randomUUID } from 'node:crypto';
import { ADMIN_SCOPE } from '@podero-bridge/functions/declarations';
import { SignJWT } from 'jose';
import { DEV_ADMIN_SUBJECT, DEV_AUDIENCE, DEV_ISSUER, DEV_USER_SCOPE } from '../constants';
import type { SigningKey } from './signing-key';

export interface MintTokenOptions {
  /** The end user's external_user_id; defaults to `local-admin` for admin tokens. */
  sub?: string;
  /** Adds the `bridge/admin` scope. */
  admin?: boolean;
  /** Lifetime; default 3600. */
  ttlSeconds?: number;
}

export type MintToken = (options?: MintTokenOptions) => Promise<string>;

export interface TokenMinterOptions {
  issuer?: string;
  audience?: string;
  now?: () => Date;
}

/** Mints bearer tokens the local gateway's authorizer accepts (same key, issuer and audience). */
export function createTokenMinter(key: SigningKey, options: TokenMinterOptions = {}): MintToken {
  const { issuer = DEV_ISSUER, audience = DEV_AUDIENCE, now = () => new Date() } = options;
  return async ({ sub, admin = false, ttlSeconds = 3600 } = {}) => {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
      throw new Error('ttlSeconds must be a whole number >= 1');
    const subject = sub ?? (admin ? DEV_ADMIN_SUBJECT : undefined);
    if (subject === undefined || subject.length === 0) throw new Error('a user token needs a subject (sub)');
    const issuedAt = Math.floor(now().getTime() / 1000);
    return new SignJWT({ scope: admin ? `${ADMIN_SCOPE} ${DEV_USER_SCOPE}` : DEV_USER_SCOPE })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .setJti(randomUUID())
      .sign(key.privateKey);
  };
}
