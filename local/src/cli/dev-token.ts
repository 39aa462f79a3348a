/**
 * `pnpm dev:token [--sub EXTERNAL_USER_ID] [--role viewer|support|admin] [--admin] [--ttl SECONDS]`: prints ONLY a bearer token on
 * stdout, signed with the dev key that `pnpm dev`'s gateway trusts (.data/dev-signing-key.json), so
 * `curl -H "Authorization: Bearer $(pnpm --silent dev:token --admin)" ...` works.
 */

import { ROLES } from '@podero-bridge/functions/declarations';
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
    role: z.enum(ROLES).optional(),
    ttl: z.coerce
      .number()
      .int()
      .min(1)
      .max(31 * 24 * 3600)
      .default(3600),
  })
  .refine((o) => o.admin || o.role !== undefined || o.sub !== undefined, {
    message: 'pass --sub EXTERNAL_USER_ID, --role viewer|support|admin or --admin',
    path: ['sub'],
  })
  .refine((o) => !(o.admin && o.role !== undefined && o.role !== 'admin'), {
    message: '--admin is --role admin: pass one',
    path: ['role'],
  });

const program = new Command('dev:token')
  .description("Mint a bearer token for the local stack's API gateway")
  .option('--sub <external_user_id>', "the end user's external_user_id (the token's sub)")
  .option('--role <role>', "an operator's token: viewer, support or admin (sub defaults to local-<role>)")
  .option('--admin', 'the same as --role admin')
  .option('--ttl <seconds>', 'lifetime in seconds', '3600')
  .showHelpAfterError();

try {
  program.parse();
  const options = parseCli(optionsSchema, program.opts());
  const key = await loadOrCreateSigningKey(devSigningKeyFile());
  const token = await createTokenMinter(key)({
    sub: options.sub,
    role: options.role ?? (options.admin ? 'admin' : undefined),
    ttlSeconds: options.ttl,
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`dev:token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof CliUsageError ? 2 : 1;
}
