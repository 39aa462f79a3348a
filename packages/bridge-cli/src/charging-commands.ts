/**
 * `bridge` commands for every device of a user and the charging controls: `devices list`, an electric
 * vehicle's boost, charge policy and sessions, a wallbox's boost and claim token, and the user's charging
 * configuration. Added to the program by run-cli.ts, which hands over how a command runs (`run`, `answer`)
 * so that this module needs nothing of it.
 */
import type { BridgeApiClient, components } from '@podero-bridge/bridge-api-client';
import type { Command } from 'commander';

/** How run-cli.ts runs a command: the work gets the API client; what it returns is printed. */
export interface CommandRunner {
  run(work: (ctx: { api: BridgeApiClient }) => Promise<unknown>): () => void;
  /** The data of a 2xx answer, or an error carrying the API's error body (exit 1). */
  answer(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<unknown>;
  /** A usage error (exit 2). */
  usage(message: string): Error;
  integer(name: string): (value: string) => number;
}

type ChargePolicy = components['schemas']['ChargePolicyUpdate'];
type ChargingMode = components['schemas']['ChargingConfigUpdate']['mode'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** `mon=80@07:00` (or `all=80@07:00`) as the policy's days; the API checks the values. */
export function chargePolicyFrom(
  days: readonly string[],
  timezone: string | undefined,
  usage: (message: string) => Error,
): ChargePolicy {
  const policy: Record<string, unknown> = {};
  for (const entry of days) {
    const match = /^(mon|tue|wed|thu|fri|sat|sun|all)=(\d{1,3})@(\d{2}:\d{2})$/.exec(entry);
    if (!match)
      throw usage(`--day takes <day>=<percent>@<HH:MM>, e.g. mon=80@07:00; got ${JSON.stringify(entry)}`);
    const [, day, percentage, deadline] = match as unknown as [string, string, string, string];
    const value = { charge_percentage: Number(percentage), charge_deadline: deadline };
    for (const name of day === 'all' ? WEEKDAYS : [day]) policy[name] = value;
  }
  const missing = WEEKDAYS.filter((day) => policy[day] === undefined);
  if (missing.length > 0)
    throw usage(`the policy needs every day; missing: ${missing.join(', ')} (all=... sets them all)`);
  if (timezone !== undefined) policy.timezone = timezone;
  return policy as ChargePolicy;
}

export function addChargingCommands(program: Command, runner: CommandRunner): void {
  const { run, answer, integer } = runner;
  const user = (id: string) => ({ external_user_id: id });
  const vehicle = (id: string, ev: string) => ({ external_user_id: id, electric_vehicle_id: ev });
  const box = (id: string, wb: string) => ({ external_user_id: id, wallbox_id: wb });

  program
    .command('devices')
    .description('every device of a user, of every kind')
    .command('list <external-user-id>')
    .option(
      '--max-age <seconds>',
      'serve stored state at most this old; 0 reads Podero',
      integer('--max-age'),
    )
    .action((id: string, options: { maxAge?: number }) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/users/{external_user_id}/devices', {
            params: { path: user(id), query: { max_age_seconds: options.maxAge } },
          }),
        ),
      )(),
    );

  const vehicles = program
    .command('electric-vehicles')
    .description("a user's electric vehicles: boost, policy, sessions");
  vehicles
    .command('boost <external-user-id> <electric-vehicle-id>')
    .description('charge now when plugged in, else arm the boost for the next plug-in')
    .action((id: string, ev: string) =>
      run((ctx) =>
        answer(
          ctx.api.POST('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/boost', {
            params: { path: vehicle(id, ev) },
          }),
        ),
      )(),
    );
  vehicles
    .command('disarm <external-user-id> <electric-vehicle-id>')
    .description('disarm an armed boost')
    .action((id: string, ev: string) =>
      run((ctx) =>
        answer(
          ctx.api.DELETE('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/boost', {
            params: { path: vehicle(id, ev) },
          }),
        ),
      )(),
    );
  vehicles
    .command('charge-policy <external-user-id> <electric-vehicle-id>')
    .description('the weekly charge policy; with --day, set it (every day: all=80@07:00, then overrides)')
    .option(
      '--day <day=percent@HH:MM>',
      'a day’s target and deadline (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--timezone <zone>', 'IANA timezone of the deadlines')
    .action((id: string, ev: string, options: { day: string[]; timezone?: string }) =>
      run((ctx) => {
        const path =
          '/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/charge-policy' as const;
        if (options.day.length === 0) return answer(ctx.api.GET(path, { params: { path: vehicle(id, ev) } }));
        const body = chargePolicyFrom(options.day, options.timezone, runner.usage);
        return answer(ctx.api.PUT(path, { params: { path: vehicle(id, ev) }, body }));
      })(),
    );
  vehicles
    .command('sessions <external-user-id> <electric-vehicle-id>')
    .description('completed charging sessions between two UTC days; --current: the one under way')
    .option('--from <day>', 'YYYY-MM-DD, inclusive')
    .option('--to <day>', 'YYYY-MM-DD, inclusive')
    .option('--limit <n>', 'sessions per page', integer('--limit'))
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .option('--current', 'the session under way instead')
    .action(
      (
        id: string,
        ev: string,
        options: { from?: string; to?: string; limit?: number; cursor?: string; current?: boolean },
      ) =>
        run((ctx) => {
          if (options.current) {
            return answer(
              ctx.api.GET(
                '/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/sessions/current',
                {
                  params: { path: vehicle(id, ev) },
                },
              ),
            );
          }
          if (!options.from || !options.to)
            throw runner.usage('sessions needs --from and --to (or --current)');
          return answer(
            ctx.api.GET('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/sessions', {
              params: {
                path: vehicle(id, ev),
                query: { from: options.from, to: options.to, limit: options.limit, cursor: options.cursor },
              },
            }),
          );
        })(),
    );

  const wallboxes = program.command('wallboxes').description("a user's wallboxes: boost, claim tokens");
  wallboxes
    .command('boost <external-user-id> <wallbox-id>')
    .description('full rate now when a car is plugged in, else armed for the next plug-in')
    .action((id: string, wb: string) =>
      run((ctx) =>
        answer(
          ctx.api.POST('/users/{external_user_id}/wallboxes/{wallbox_id}/boost', {
            params: { path: box(id, wb) },
          }),
        ),
      )(),
    );
  wallboxes
    .command('cancel-boost <external-user-id> <wallbox-id>')
    .description('cancel a boost under way and disarm an armed one')
    .action((id: string, wb: string) =>
      run((ctx) =>
        answer(
          ctx.api.DELETE('/users/{external_user_id}/wallboxes/{wallbox_id}/boost', {
            params: { path: box(id, wb) },
          }),
        ),
      )(),
    );
  wallboxes
    .command('claim-token <external-user-id>')
    .description('a one-time claim token for an installer’s app (a secret: printed once, kept nowhere)')
    .action((id: string) =>
      run((ctx) =>
        answer(
          ctx.api.POST('/users/{external_user_id}/wallboxes/claim-tokens', { params: { path: user(id) } }),
        ),
      )(),
    );

  const config = program.command('charging-config').description("a user's charging configuration");
  config
    .command('get <external-user-id>')
    .action((id: string) =>
      run((ctx) =>
        answer(ctx.api.GET('/users/{external_user_id}/charging-config', { params: { path: user(id) } })),
      )(),
    );
  config
    .command('set <external-user-id>')
    .requiredOption('--mode <mode>', 'none, spot, hems or hems_and_spot')
    .action((id: string, options: { mode: ChargingMode }) =>
      run((ctx) =>
        answer(
          ctx.api.PUT('/users/{external_user_id}/charging-config', {
            params: { path: user(id) },
            body: { mode: options.mode },
          }),
        ),
      )(),
    );
}
