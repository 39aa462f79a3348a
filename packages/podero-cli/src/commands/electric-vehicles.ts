import { STATISTICS_RESOLUTIONS, WEEKDAYS } from '@podero-bridge/podero-client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP, numberFlag, requireSomething } from './context';
import { addDeviceKindCommands } from './device-kind';

type DayTargets = Record<string, { charge_percentage: number; charge_deadline: string }>;

/** `--day sat=60@10:00`, repeatable: one weekday's target and deadline of the weekly charge policy. */
function dayFlag(value: string, previous: DayTargets = {}): DayTargets {
  const match = /^([a-z]{3})=(\d{1,3})@(\d{2}:\d{2})$/.exec(value);
  const day = match?.[1];
  if (!match || day === undefined || !(WEEKDAYS as readonly string[]).includes(day)) {
    throw new InvalidArgumentError(`must be <${WEEKDAYS.join('|')}>=<percent>@<HH:MM>, e.g. sat=60@10:00`);
  }
  return { ...previous, [day]: { charge_percentage: Number(match[2]), charge_deadline: match[3] ?? '' } };
}

/**
 * `podero electric-vehicles list|get|update|delete|boost|disarm|charge-policy get|set|sessions|current-session|
 * savings|auth-session`.
 */
export function makeElectricVehiclesCommand(ctx: CommandContext): Command {
  const evs = new Command('electric-vehicles').description("a user's electric vehicles");
  const ids = (command: Command) =>
    command
      .argument('<userId>', 'Podero user id (uuid)')
      .argument('<electricVehicleId>', 'electric vehicle id (uuid)');
  addDeviceKindCommands(evs, ctx, (client) => client.electricVehicles, {
    singular: 'electric vehicle',
    plural: 'electric vehicles',
    idArgument: '<electricVehicleId>',
  });
  ids(evs.command('update').description('update vehicle settings (partial)'))
    .option('--smart-optimization', 'turn smart optimisation on')
    .option('--no-smart-optimization', 'turn smart optimisation off')
    .option('--charge-policy', 'turn the charge policy on')
    .option('--no-charge-policy', 'turn the charge policy off')
    .option('--charge-deadline <HH:MM>', 'time of day the minimum charge must be reached by')
    .option('--minimum-charge-limit <percent>', 'charge to reach by the deadline, 0-100', numberFlag)
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          electricVehicleId: string,
          options: {
            smartOptimization?: boolean;
            chargePolicy?: boolean;
            chargeDeadline?: string;
            minimumChargeLimit?: number;
            data?: string;
          },
        ) => {
          const body = buildBody(options.data, {
            is_smart_optimization_active: options.smartOptimization,
            is_charge_policy_enabled: options.chargePolicy,
            charge_deadline_at: options.chargeDeadline,
            minimum_charge_limit: options.minimumChargeLimit,
          });
          requireSomething(
            body,
            'give --smart-optimization, --charge-policy, --charge-deadline, --minimum-charge-limit or --data',
          );
          return client.electricVehicles.update(userId, electricVehicleId, body as never);
        },
      ),
    );
  ids(
    evs
      .command('boost')
      .description(
        'charge now (plugged in) or arm a boost for the next plug-in (unplugged); a 409 names its reason',
      ),
  ).action(
    ctx.withClient((client, userId: string, electricVehicleId: string) =>
      client.electricVehicles.boost(userId, electricVehicleId),
    ),
  );
  ids(
    evs.command('disarm').description('clear an armed boost (a running one goes on until unplugged)'),
  ).action(
    ctx.withClient((client, userId: string, electricVehicleId: string) =>
      client.electricVehicles.disarmBoost(userId, electricVehicleId),
    ),
  );

  const policy = evs.command('charge-policy').description('the weekly charge policy (targets per weekday)');
  ids(policy.command('get').description('read the weekly charge policy')).action(
    ctx.withClient((client, userId: string, electricVehicleId: string) =>
      client.electricVehicles.chargePolicy.get(userId, electricVehicleId),
    ),
  );
  ids(policy.command('set').description('set weekday targets (days left out stay as they are)'))
    .option('--day <day=percent@HH:MM>', 'one weekday, repeatable: e.g. --day sat=60@10:00', dayFlag)
    .option('--timezone <iana>', 'timezone of the deadlines, e.g. Europe/Vienna')
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          electricVehicleId: string,
          options: { day?: DayTargets; timezone?: string; data?: string },
        ) => {
          const body = buildBody(options.data, { ...options.day, timezone: options.timezone });
          requireSomething(body, 'give --day, --timezone or --data');
          return client.electricVehicles.chargePolicy.put(userId, electricVehicleId, body as never);
        },
      ),
    );

  ids(evs.command('sessions').description('completed charging sessions between two UTC days (inclusive)'))
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .option('--limit <n>', 'sessions per page, 1-200 (default 50)', numberFlag)
    .option('--offset <n>', 'sessions to skip (default 0)', numberFlag)
    .option('--all', 'every page, as one list (ignores --limit and --offset)')
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          electricVehicleId: string,
          options: { from: string; to: string; limit?: number; offset?: number; all?: boolean },
        ) =>
          options.all
            ? client.electricVehicles.sessions.all(userId, electricVehicleId, {
                from: options.from,
                to: options.to,
              })
            : client.electricVehicles.sessions.list(userId, electricVehicleId, {
                from: options.from,
                to: options.to,
                ...(options.limit === undefined ? {} : { limit: options.limit }),
                ...(options.offset === undefined ? {} : { offset: options.offset }),
              }),
      ),
    );
  ids(evs.command('current-session').description('the active charging session, if any')).action(
    ctx.withClient((client, userId: string, electricVehicleId: string) =>
      client.electricVehicles.sessions.current(userId, electricVehicleId),
    ),
  );
  ids(evs.command('savings').description('bucketed savings between two dates'))
    .requiredOption('--from <datetime>', 'start, ISO-8601 with offset (e.g. 2024-01-01T00:00:00Z)')
    .requiredOption('--to <datetime>', 'end, ISO-8601 datetime or date')
    .addOption(new Option('--resolution <resolution>').choices(STATISTICS_RESOLUTIONS))
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          electricVehicleId: string,
          options: { from: string; to: string; resolution?: string },
        ) =>
          client.electricVehicles.savings(userId, electricVehicleId, {
            from: options.from,
            to: options.to,
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
          }),
      ),
    );
  return evs;
}
