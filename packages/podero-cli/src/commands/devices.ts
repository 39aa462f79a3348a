import { Command } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP, requireSomething } from './context';

/** `podero devices update`: the general update of a device of any kind (D1). */
export function makeDevicesCommand(ctx: CommandContext): Command {
  const devices = new Command('devices').description("a user's devices of any kind");
  devices
    .command('update')
    .description('update general attributes of any device (PATCH)')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<deviceId>', 'device id of any kind (uuid)')
    .option('--smart-optimization', 'turn smart optimisation on')
    .option('--no-smart-optimization', 'turn smart optimisation off')
    .option('--authenticated', 'mark the manufacturer connection live')
    .option('--no-authenticated', 'mark the manufacturer connection lost')
    .option('--forecasting', 'turn forecasting on')
    .option('--no-forecasting', 'turn forecasting off')
    .option('--inverter-forced-mode', 'turn inverter forced mode on')
    .option('--no-inverter-forced-mode', 'turn inverter forced mode off')
    .option('--comment <text>', 'a free-text comment')
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          deviceId: string,
          options: {
            smartOptimization?: boolean;
            authenticated?: boolean;
            forecasting?: boolean;
            inverterForcedMode?: boolean;
            comment?: string;
            data?: string;
          },
        ) => {
          const body = buildBody(options.data, {
            is_smart_optimization_active: options.smartOptimization,
            is_authenticated: options.authenticated,
            is_forecasting_enabled: options.forecasting,
            is_inverter_forced_mode_enabled: options.inverterForcedMode,
            comment: options.comment,
          });
          requireSomething(body, 'give a flag (see --help) or --data');
          return client.devices.update(userId, deviceId, body as never);
        },
      ),
    );
  return devices;
}
