import { CHARGING_MODES } from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import type { CommandContext } from './context';

/** `podero charging-config get|set`: the user's charging configuration, which EV charging follows. */
export function makeChargingConfigCommand(ctx: CommandContext): Command {
  const config = new Command('charging-config').description(
    "a user's charging configuration (steering mode)",
  );
  config
    .command('get')
    .description('read the charging configuration')
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => client.chargingConfig.get(userId)));
  config
    .command('set')
    .description('set the steering mode (a mode the home cannot have is refused, naming the field)')
    .argument('<userId>', 'Podero user id (uuid)')
    .addOption(new Option('--mode <mode>').choices(CHARGING_MODES).makeOptionMandatory())
    .action(
      ctx.withClient((client, userId: string, options: { mode: (typeof CHARGING_MODES)[number] }) =>
        client.chargingConfig.put(userId, { mode: options.mode }),
      ),
    );
  return config;
}
