import { requestClientCredentialsToken } from '@podero-bridge/podero-client';
import { Command } from 'commander';
import type { CommandContext } from './context';

/** `podero token`: the client-credentials token response (needs no org id). */
export function makeTokenCommand(ctx: CommandContext): Command {
  return new Command('token')
    .description('request an access token (client credentials) and print the token response')
    .action(async (_options: unknown, command: Command) => {
      const config = ctx.config(command, false);
      ctx.print(
        await requestClientCredentialsToken({
          baseUrl: config.baseUrl,
          clientId: config.clientId,
          clientSecret: config.clientSecret,
          ...(ctx.io.fetch ? { fetch: ctx.io.fetch } : {}),
        }),
      );
    });
}
