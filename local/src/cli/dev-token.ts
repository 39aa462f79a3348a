/**
 * `pnpm dev:token [--sub EXTERNAL_USER_ID] [--admin] [--ttl SECONDS]`: prints ONLY a bearer token on
 * stdout, signed with the dev key that `pnpm dev`'s gateway trusts (.data/dev-signing-key.json), so
 * `curl -H "Authorization: Bearer $(pnpm --silent dev:token --admin)" ...` works.
 */
import { Command } from 'commander';
import * as z from 'zod';
import { loadOrCreateSigningKey } from '../auth/signing-key';
import { createTokenMinter } from '../auth/tokens';
import { devSigningKeyFile } from '../constants';
import { CliUsageError, parseCli } from './options';

const optionsSchema = z
  .object({
    sub: z.string().min(1).max(128).optional(),
    admin: z.boolean().default(false),
    ttl: z.coerce
      .number()
      .int()
      .min(1)
      .max(31 * 24 * 3600)
      .default(3600),
  })
  .refine((o) => o.admin || o.sub !== undefined, {
    message: 'pass --sub EXTERNAL_USER_ID or --admin',
    path: ['sub'],
  });

const program = new Command('dev:token')
  .description("Mint a bearer token for the local stack's API gateway")
  .option('--sub <external_user_id>', "the end user's external_user_id (the token's sub)")
  .option('--admin', 'add the bridge/admin scope (sub defaults to local-admin)')
  .option('--ttl <seconds>', 'lifetime in seconds', '3600')
  .showHelpAfterError();

try {
  program.parse();
  const options = parseCli(optionsSchema, program.opts());
  const key = await loadOrCreateSigningKey(devSigningKeyFile());
  const token = await createTokenMinter(key)({
    sub: options.sub,
    admin: options.admin,
    ttlSeconds: options.ttl,
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`dev:token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof CliUsageError ? 2 : 1;
}
