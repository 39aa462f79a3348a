import * as z from 'zod';

/**
 * Shared request/response building blocks. Every request object is strict (unknown fields -> 400);
 * ids are validated before any lookup so a malformed id never reaches DynamoDB or Podero.
 */

/**
 * The partner's own id for an end user; also the JWT `sub` of that user's app. `.` and `..` are refused:
 * as path segments (ours and Podero's) a URL would normalise them away.
 */
export const externalUserIdSchema = z
  .string()
  .regex(
    /^(?!\.{1,2}$)[A-Za-z0-9._:@+-]{1,128}$/,
    'must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -, and not "." or ".."',
  )
  .meta({
    description: "The partner's own id for the end user (the JWT `sub` of the user's app)",
    example: 'customer-42',
  });

export { freeText } from '../../domain/text';

export const uuidSchema = z.uuid('must be a UUID');

export const userPathSchema = z.strictObject({ external_user_id: externalUserIdSchema });

export const timestampSchema = z.iso.datetime({ offset: true }).meta({ example: '2026-11-25T10:00:00.000Z' });

export const healthResponseSchema = z
  .object({ status: z.literal('ok'), version: z.string() })
  .meta({ id: 'Health' });
