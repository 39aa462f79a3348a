/**
 * Re-authentication attempts in the main table, one per POST .../reauthentication:
 *
 *   pk `REAUTH#<sha-256 of the callback token>`  sk `REAUTH`
 *
 * The attempt holds the cue's id and secret (server-side only: Podero's secret never leaves the bridge)
 * and the partner's URLs. The callback token is the only key: 256 random bits handed to Podero inside the
 * callback URLs; only its hash is stored, so a read of the table does not yield a usable callback. Each
 * outcome's callback URL also carries its own proof (256 random bits, stored as a hash too): the Connect UI
 * returns the browser to the success or the cancel URL as given, so the proof is what says which one it
 * was, and a cancel link edited to say `outcome=success` is refused. An attempt is used once (`open` ->
 * `reporting` -> `done`, each step conditional) and expires with the cue's secret; TTL removes it a day
 * later.
 *
 *   pointer  pk `USER#<external_user_id>`  sk `REAUTH#<sha-256 of the callback token>`  (same TTL)
 *
 * The pointer, written first, is how an offboarding finds the customer's attempts (their key is the
 * token's hash alone): the erasure deletes the attempt its sort key names (erasure/erasure.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { sendIfCondition } from './conditional';
import { userPk } from './users';

const SK = 'REAUTH';
const TTL_AFTER_EXPIRY_SECONDS = 86_400;

export type ReauthenticationOutcome = 'success' | 'fail';

export const reauthenticationAttemptSchema = z.object({
  external_user_id: z.string(),
  [heatPumpKind.storage.idAttribute]: z.string(),
  cue_id: z.string(),
  cue_secret: z.string(),
  success_url: z.string(),
  cancel_url: z.string(),
  state: z.enum(['open', 'reporting', 'done']),
  created_at: z.string(),
  /** Epoch ms after which the callback is refused (the cue's secret has expired by then). */
  valid_until_ms: z.number(),
  outcome: z.enum(['success', 'fail']).nullable(),
  /** sha-256 (hex) of the proof in the success callback URL, and of the one in the cancel (fail) URL. */
  success_proof_hash: z.string(),
  fail_proof_hash: z.string(),
});
export type ReauthenticationAttempt = z.infer<typeof reauthenticationAttemptSchema>;
/** An attempt as the service opens it: the store keeps only the hashes of its proofs. */
export type NewReauthenticationAttempt = Omit<
  ReauthenticationAttempt,
  'success_proof_hash' | 'fail_proof_hash'
>;
/** The secrets in the two callback URLs, one per outcome. */
export type OutcomeProofs = Readonly<Record<ReauthenticationOutcome, string>>;

export type ClaimResult =
  | { kind: 'claimed'; attempt: ReauthenticationAttempt }
  | { kind: 'unknown' }
  | { kind: 'used'; attempt: ReauthenticationAttempt }
  | { kind: 'expired'; attempt: ReauthenticationAttempt };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const REAUTH_PREFIX = 'REAUTH#';
const pkOf = (token: string) => `${REAUTH_PREFIX}${sha256(token)}`;
/** The attempt an offboarding erases, by its partition key (a pointer's sort key). */
export const reauthenticationKeyOf = (pk: string) => ({ pk, sk: SK });
const proofAttribute = (outcome: ReauthenticationOutcome) => `${outcome}_proof_hash` as const;

/** Whether `proof` is the one the attempt's callback URL for `outcome` carries. */
function proves(attempt: ReauthenticationAttempt, outcome: ReauthenticationOutcome, proof: string): boolean {
  const expected = Buffer.from(attempt[proofAttribute(outcome)]);
  const given = Buffer.from(sha256(proof));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class ReauthenticationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(token: string, attempt: NewReauthenticationAttempt, proofs: OutcomeProofs): Promise<void> {
    const expiresAt = Math.ceil(attempt.valid_until_ms / 1000) + TTL_AFTER_EXPIRY_SECONDS;
    // The pointer first: an attempt is never stored without a way for an offboarding to find it.
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: userPk(attempt.external_user_id),
          sk: pkOf(token),
          entity: 'reauthentication-pointer',
          expires_at: expiresAt,
        },
      }),
    );
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: pkOf(token),
          sk: SK,
          entity: 'reauthentication',
          ...attempt,
          success_proof_hash: sha256(proofs.success),
          fail_proof_hash: sha256(proofs.fail),
          expires_at: expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Removes an attempt that never got its link (Podero refused to start it): no secret is kept for nothing. */
  async discard(token: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: pkOf(token), sk: SK } }));
  }

  /**
   * Takes an open, unexpired attempt for the callback of `outcome` (one caller wins); otherwise says why
   * not. A proof that is not the one of `outcome`'s URL makes the attempt `unknown` to this caller.
   */
  async claim(
    token: string,
    outcome: ReauthenticationOutcome,
    proof: string,
    nowMs: number,
  ): Promise<ClaimResult> {
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pkOf(token), sk: SK },
          UpdateExpression: 'SET #state = :reporting, outcome = :outcome',
          ConditionExpression:
            'attribute_exists(pk) AND #state = :open AND valid_until_ms > :now AND #proof = :proof',
          ExpressionAttributeNames: { '#state': 'state', '#proof': proofAttribute(outcome) },
          ExpressionAttributeValues: {
            ':reporting': 'reporting',
            ':open': 'open',
            ':outcome': outcome,
            ':now': nowMs,
            ':proof': sha256(proof),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (out?.Attributes)
      return { kind: 'claimed', attempt: reauthenticationAttemptSchema.parse(out.Attributes) };
    const current = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: pkOf(token), sk: SK }, ConsistentRead: true }),
    );
    // An attempt written before outcomes had proofs cannot be told apart from a forged link: unknown.
    const parsed = reauthenticationAttemptSchema.safeParse(current.Item);
    if (!parsed.success || !proves(parsed.data, outcome, proof)) return { kind: 'unknown' };
    const attempt = parsed.data;
    return attempt.state === 'open' ? { kind: 'expired', attempt } : { kind: 'used', attempt };
  }

  /** The claimed attempt's outcome reached Podero (or Podero no longer needed it). */
  async finish(token: string): Promise<void> {
    await this.setState(token, 'reporting', 'done');
  }

  /** Reporting failed: the callback may be retried (the browser reloads it). */
  async release(token: string): Promise<void> {
    await this.setState(token, 'reporting', 'open');
  }

  private async setState(token: string, from: string, to: string): Promise<void> {
    await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pkOf(token), sk: SK },
          UpdateExpression: 'SET #state = :to',
          ConditionExpression: '#state = :from',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':to': to, ':from': from },
        }),
      ),
    );
  }
}
