import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * The one way this code makes a conditional write: the SDK's output when the condition held, undefined
 * when it did not (ConditionalCheckFailedException). Every other error is thrown as it came. Conditions
 * are how this table stays consistent without transactions (dynalite has none): newest-wins snapshots,
 * the creation lease, the sync's lease, offboarding.
 */
export async function sendIfCondition<T>(send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
