import {
  OPTIMIZATION_LEVELS,
  STATISTICS_KEYWORDS,
  STATISTICS_RESOLUTIONS,
} from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP, list, requireSomething } from './context';

/** `podero heat-pumps list|get|update|delete|statistics|savings`. */
export function makeHeatPumpsCommand(ctx: CommandContext): Command {
  const heatPumps = new Command('heat-pumps').description("a user's heat pumps");
  heatPumps
    .command('list')
    .description("list a user's heat pumps")
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => client.heatPumps.list(userId)));
  heatPumps
    .command('get')
    .description('get one heat pump with its latest state')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .option('--include-deleted', 'include a soft-deleted heat pump')
    .action(
      ctx.withClient((client, userId: string, heatPumpId: string, options: { includeDeleted?: boolean }) =>
        client.heatPumps.get(userId, heatPumpId, options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  heatPumps
    .command('update')
    .description('update heat-pump settings (partial)')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .option('--smart-optimization', 'turn smart optimisation on')
    .option('--no-smart-optimization', 'turn smart optimisation off')
    .addOption(new Option('--optimization-level <level>').choices(OPTIMIZATION_LEVELS))
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          heatPumpId: string,
          options: { smartOptimization?: boolean; optimizationLevel?: string; data?: string },
        ) => {
          const body = buildBody(options.data, {
            is_smart_optimization_active: options.smartOptimization,
            optimization_level: options.optimizationLevel,
          });
          requireSomething(body, 'give --smart-optimization, --optimization-level or --data');
          return client.heatPumps.update(userId, heatPumpId, body as never);
        },
      ),
    );
  heatPumps
    .command('delete')
    .description('offboard a heat pump the documented way (PUT deleted_at: a soft delete)')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .action(
      ctx.withClient((client, userId: string, heatPumpId: string) =>
        client.heatPumps.softDelete(userId, heatPumpId),
      ),
    );
  heatPumps
    .command('statistics')
    .description('bucketed savings and consumption statistics')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .option('--resolution <list>', `comma-separated: ${STATISTICS_RESOLUTIONS.join(',')}`, list)
    .option('--keywords <list>', `comma-separated: ${STATISTICS_KEYWORDS.join(',')}`, list)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          heatPumpId: string,
          options: { resolution?: string[]; keywords?: string[] },
        ) =>
          client.heatPumps.statistics(userId, heatPumpId, {
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
            ...(options.keywords ? { keywords: options.keywords as never } : {}),
          }),
      ),
    );
  heatPumps
    .command('savings')
    .description('bucketed savings between two dates')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .requiredOption('--from <datetime>', 'start, ISO-8601 with offset (e.g. 2024-01-01T00:00:00Z)')
    .requiredOption('--to <datetime>', 'end, ISO-8601 datetime or date')
    .addOption(new Option('--resolution <resolution>').choices(STATISTICS_RESOLUTIONS))
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          heatPumpId: string,
          options: { from: string; to: string; resolution?: string },
        ) =>
          client.heatPumps.savings(userId, heatPumpId, {
            from: options.from,
            to: options.to,
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
          }),
      ),
    );
  return heatPumps;
}
