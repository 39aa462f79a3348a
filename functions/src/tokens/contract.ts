import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * The contract between token-refresh (the only writer of the token secret) and every reader: the token
 * secret's JSON, the event token-refresh accepts (hourly schedule or forced invoke) and its result.
 */

const isoDateTime = z.iso.datetime({ offset: true });

export const tokenSecretSchema = z.object({
  access_token: z.string().min(1),
  /** ISO-8601 instant at which Podero stops accepting the token. */
  expires_at: isoDateTime,
  token_type: z.string().min(1),
  scope: z.string(),
  refreshed_at: isoDateTime,
});
export type TokenSecret = z.infer<typeof tokenSecretSchema>;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/** One schema for both producers: the hourly schedule (scheduleDeclarations) and a forced invoke. */
export const tokenRefreshEventSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('schedule'), force: z.boolean().default(false) }),
  z.strictObject({
    source: z.literal('invoke'),
    force: z.boolean().default(true),
    /** Fingerprint of the token the caller saw rejected: if the stored token differs, nothing is fetched. */
    rejected_token_sha256: sha256Hex.optional(),
  }),
]);
export type TokenRefreshEvent = z.input<typeof tokenRefreshEventSchema>;
export type ParsedTokenRefreshEvent = z.output<typeof tokenRefreshEventSchema>;

/** What token-refresh returns: never the token itself. */
export const tokenRefreshResultSchema = z.object({
  status: z.enum([
    'refreshed', // a new token was requested and stored
    'still_valid', // more than the margin remains and no force: nothing done
    'already_replaced', // forced, but the stored token is no longer the rejected one: nothing done
  ]),
  expires_at: isoDateTime,
  refreshed_at: isoDateTime,
});
export type TokenRefreshResult = z.infer<typeof tokenRefreshResultSchema>;

/** sha256 of a token, hex. Lets callers name a token without passing it around. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
