import { randomUUID } from 'node:crypto';
import { ROLE_SCOPES, type Role } from '@podero-bridge/functions/declarations';
import { SignJWT } from 'jose';
import { DEV_ADMIN_SUBJECT, DEV_AUDIENCE, DEV_ISSUER, DEV_USER_SCOPE } from '../constants';
import type { SigningKey } from './signing-key';

export interface MintTokenOptions {
  /** The end user's external_user_id; defaults to `local-<role>` for an operator's token. */
  sub?: string;
  /** An operator's token: adds the role's scope (`bridge/viewer`, `bridge/support`, `bridge/admin`). */
  role?: Role;
  /** Shorthand for `role: 'admin'`. */
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
  return async ({ sub, admin = false, role = admin ? 'admin' : undefined, ttlSeconds = 3600 } = {}) => {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
      throw new Error('ttlSeconds must be a whole number >= 1');
    const subject = sub ?? (role === 'admin' ? DEV_ADMIN_SUBJECT : role ? `local-${role}` : undefined);
    if (subject === undefined || subject.length === 0) throw new Error('a user token needs a subject (sub)');
    const issuedAt = Math.floor(now().getTime() / 1000);
    return new SignJWT({ scope: role ? `${ROLE_SCOPES[role]} ${DEV_USER_SCOPE}` : DEV_USER_SCOPE })
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
