import { Command } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP } from './context';

/** `podero buildings list|create`. */
export function makeBuildingsCommand(ctx: CommandContext): Command {
  const buildings = new Command('buildings').description("a user's buildings");
  buildings
    .command('list')
    .description("list a user's buildings")
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => client.buildings.list(userId)));
  buildings
    .command('create')
    .description('create a building for a user')
    .argument('<userId>', 'Podero user id (uuid)')
    .option('--name <name>', 'building name (required, here or in --data)')
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient((client, userId: string, options: { name?: string; data?: string }) =>
        client.buildings.create(userId, buildBody(options.data, { name: options.name }) as never),
      ),
    );
  return buildings;
}
