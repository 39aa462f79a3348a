/**
 * `pnpm search:backfill --table <main table>`: indexes for the customer search (ADR 0017) every onboarded
 * user whose profile has no search terms yet: the users onboarded before the search existed. Run once
 * after deploying it, with credentials that may read and write the main table (the AWS SDK's default
 * chain), or against a local table with `--endpoint`. Idempotent: a second run indexes nobody.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UserSearchStore } from '@podero-bridge/functions';
import { Command } from 'commander';

const program = new Command('search:backfill')
  .description('Index the users onboarded before the customer search existed')
  .requiredOption('--table <name>', 'the main table (the stack output MainTableName)')
  .option('--endpoint <url>', 'a local DynamoDB endpoint (dynalite)')
  .option('--region <region>', 'the AWS region (default AWS_REGION)')
  .showHelpAfterError();

program.parse();
const { table, endpoint, region } = program.opts<{ table: string; endpoint?: string; region?: string }>();
const client = new DynamoDBClient({
  ...(endpoint ? { endpoint } : {}),
  ...(region ? { region } : {}),
});
try {
  const search = new UserSearchStore(DynamoDBDocumentClient.from(client), table);
  const result = await search.backfill({
    onProgress: (walked, indexed) => process.stderr.write(`\rwalked ${walked} users, indexed ${indexed}`),
  });
  process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`\nsearch:backfill: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
