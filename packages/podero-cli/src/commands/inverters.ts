import {
  DATA_RESOLUTIONS,
  INVERTER_DATA_KEYWORDS,
  STATISTICS_RESOLUTIONS,
} from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import {
  buildBody,
  type CommandContext,
  DATA_FLAG_HELP,
  keyValueFlag,
  list,
  numberFlag,
  requireSomething,
} from './context';
import { addDeviceKindCommands } from './device-kind';

/** `podero inverters list|get|update|delete|data|savings|schedules|auth-session`. */
export function makeInvertersCommand(ctx: CommandContext): Command {
  const inverters = new Command('inverters').description("a user's solar inverters and their home batteries");
  const ids = (command: Command) =>
    command.argument('<userId>', 'Podero user id (uuid)').argument('<inverterId>', 'inverter id (uuid)');
  addDeviceKindCommands(inverters, ctx, (client) => client.inverters, {
    singular: 'inverter',
    plural: 'inverters',
    idArgument: '<inverterId>',
  });
  ids(inverters.command('update').description('update inverter and battery settings (partial)'))
    .option('--smart-optimization', 'turn smart optimisation on')
    .option('--no-smart-optimization', 'turn smart optimisation off')
    .option('--solar-power-rating-kw <kw>', 'peak power of the panels', numberFlag)
    .option('--battery', 'a battery is connected')
    .option('--no-battery', 'no battery is connected')
    .option('--battery-capacity-kwh <kwh>', 'battery capacity (needed with a battery)', numberFlag)
    .option('--min-battery-charge <percent>', 'lowest charge Podero keeps, 0-100', numberFlag)
    .option('--max-battery-charge <percent>', 'highest charge Podero charges to, 0-100', numberFlag)
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          inverterId: string,
          options: {
            smartOptimization?: boolean;
            solarPowerRatingKw?: number;
            battery?: boolean;
            batteryCapacityKwh?: number;
            minBatteryCharge?: number;
            maxBatteryCharge?: number;
            data?: string;
          },
        ) => {
          const body = buildBody(options.data, {
            is_smart_optimization_active: options.smartOptimization,
            solar_power_rating_kw: options.solarPowerRatingKw,
            is_battery_connected: options.battery,
            battery_capacity_kwh: options.batteryCapacityKwh,
            min_battery_charge: options.minBatteryCharge,
            max_battery_charge: options.maxBatteryCharge,
          });
          requireSomething(body, 'give a setting flag (see --help) or --data');
          return client.inverters.update(userId, inverterId, body as never);
        },
      ),
    );
  ids(inverters.command('data').description('production, consumption, grid and battery over time (beta)'))
    .option('--from <datetime>', 'start, ISO-8601 with offset')
    .option('--to <datetime>', 'end, ISO-8601 with offset')
    .addOption(new Option('--resolution <resolution>').choices(DATA_RESOLUTIONS))
    .option('--keywords <list>', `comma-separated: ${INVERTER_DATA_KEYWORDS.join(',')}`, list)
    .option('--fill-missing', 'the whole range, with null where data is missing')
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          inverterId: string,
          options: {
            from?: string;
            to?: string;
            resolution?: string;
            keywords?: string[];
            fillMissing?: boolean;
          },
        ) =>
          client.inverters.data(userId, inverterId, {
            ...(options.from ? { from_datetime: options.from } : {}),
            ...(options.to ? { to_datetime: options.to } : {}),
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
            ...(options.keywords ? { keywords: options.keywords as never } : {}),
            ...(options.fillMissing ? { fillMissing: true } : {}),
          }),
      ),
    );
  ids(inverters.command('savings').description('bucketed savings between two dates'))
    .requiredOption('--from <datetime>', 'start, ISO-8601 with offset (e.g. 2024-01-01T00:00:00Z)')
    .requiredOption('--to <datetime>', 'end, ISO-8601 datetime or date')
    .addOption(new Option('--resolution <resolution>').choices(STATISTICS_RESOLUTIONS))
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          inverterId: string,
          options: { from: string; to: string; resolution?: string },
        ) =>
          client.inverters.savings(userId, inverterId, {
            from: options.from,
            to: options.to,
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
          }),
      ),
    );
  ids(inverters.command('schedules').description('schedules (beta; parameters and shape unpublished)'))
    .option('--param <name=value>', 'a query parameter by name, repeatable', keyValueFlag)
    .action(
      ctx.withClient(
        (client, userId: string, inverterId: string, options: { param?: Record<string, string> }) =>
          client.inverters.schedules(userId, inverterId, options.param ?? {}),
      ),
    );
  return inverters;
}
