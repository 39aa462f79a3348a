/**
 * The `bridge` CLI for podero-bridge's own API, as a function: runBridgeCli(argv, io) -> exit code.
 * It speaks HTTP only (no import of the functions): what a partner's support engineer has. Every command is
 * a typed operation of `@podero-bridge/bridge-api-client`, generated from `functions/openapi.json`.
 *
 * Exit codes, as the `podero` CLI's: 0 success, 1 an API or network error (the API's error body is
 * printed on stderr), 2 a usage error (bad flags, missing --api-url or --token).
 */

import { readFile } from 'node:fs/promises';
import {
  type BridgeApiClient,
  type components,
  createBridgeApiClient,
  type operations,
} from '@podero-bridge/bridge-api-client';
import { Command, CommanderError, Option } from 'commander';
import { addChargingCommands } from './charging-commands';
import { addVerifyCommand } from './verify';

export interface BridgeCliIo {
  env: Record<string, string | undefined>;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  fetch?: typeof fetch;
}

export const BRIDGE_CLI_VERSION = '0.1.0';

class UsageError extends Error {
  override name = 'UsageError';
}

class ApiAnswerError extends Error {
  override name = 'ApiAnswerError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the API answered ${status}`);
  }
}

type Output = 'json' | 'table';

interface Context {
  api: BridgeApiClient;
  output: Output;
  io: BridgeCliIo;
}

/**
 * An operation's query parameters, as the OpenAPI document types them. Commander hands option values over
 * unchecked (its action arguments are untyped): the API validates them, and a value it refuses is its 400
 * (exit 1), as for any other refusal.
 */
type Query<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;
type HeatPumpSettings = components['schemas']['UpdateHeatPumpSettingsRequest'];
type TradingZone = operations['getTradingDay']['parameters']['path']['price_zone'];
type TradingPrices = components['schemas']['TradingPrices'];

/**
 * A forecast file: JSON as the API takes it (`{"prices": [...]}` or the bare list), or CSV with a header
 * `start,price_eur_mwh` (one row per quarter-hour). The API checks the day's quarter-hours.
 */
export function forecastFrom(text: string): TradingPrices {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    return (Array.isArray(parsed) ? { prices: parsed } : parsed) as TradingPrices;
  }
  const [header, ...rows] = trimmed.split(/\r?\n/);
  const columns = (header ?? '').split(',').map((c) => c.trim());
  const startAt = columns.indexOf('start');
  const priceAt = columns.indexOf('price_eur_mwh');
  if (startAt < 0 || priceAt < 0)
    throw new UsageError('a CSV forecast needs the columns start,price_eur_mwh');
  return {
    prices: rows
      .filter((row) => row.trim() !== '')
      .map((row) => {
        const cells = row.split(',').map((c) => c.trim());
        return { start: cells[startAt] ?? '', price_eur_mwh: Number(cells[priceAt]) };
      }),
  };
}

/** The API's error body as it came: JSON as compact JSON (as the API writes it), anything else as text. */
function bodyText(error: unknown): string {
  if (error === undefined) return '';
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** The data of a 2xx answer (null when it has no body), or an ApiAnswerError with the API's error body. */
async function answer(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<unknown> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiAnswerError(response.status, bodyText(error));
  return data ?? null;
}

const isScalar = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Scalars as they are; objects (a connection summary, counts) as compact JSON. */
function cellOf(value: unknown): string {
  if (value === undefined) return '';
  if (isScalar(value)) return String(value);
  return JSON.stringify(value);
}

/** A list answer (`items`) as one row per item; anything else as key/value lines. */
export function renderTable(answer: unknown): string {
  const record = (answer ?? {}) as Record<string, unknown>;
  const items = Array.isArray(record.items) ? (record.items as Record<string, unknown>[]) : undefined;
  const rows: string[][] = [];
  if (items) {
    const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
    rows.push(columns, ...items.map((item) => columns.map((c) => cellOf(item[c]))));
  } else {
    rows.push(['field', 'value'], ...Object.entries(record).map(([k, v]) => [k, cellOf(v)]));
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const more = items && typeof record.next_cursor === 'string' ? [`next cursor: ${record.next_cursor}`] : [];
  return `${[...lines, ...more].join('\n')}\n`;
}

/** An answer printed as it came (a CSV export), whatever --output says. */
class RawText {
  constructor(readonly text: string) {}
}

function print(ctx: Context, answer: unknown): void {
  if (answer instanceof RawText) {
    ctx.io.stdout.write(answer.text);
    return;
  }
  ctx.io.stdout.write(ctx.output === 'table' ? renderTable(answer) : `${JSON.stringify(answer, null, 2)}\n`);
}

const integer = (name: string) => (value: string) => {
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${name} must be a whole number`);
  return Number(value);
};

/** `--set key=value` pairs as a JSON body: true/false/null and numbers as such, the rest as text. */
function settingsFrom(pairs: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--set takes key=value, got ${JSON.stringify(pair)}`);
    const raw = pair.slice(at + 1);
    body[pair.slice(0, at)] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw === 'null'
            ? null
            : /^-?\d+(\.\d+)?$/.test(raw)
              ? Number(raw)
              : raw;
  }
  return body;
}

export async function runBridgeCli(argv: readonly string[], io: BridgeCliIo): Promise<number> {
  const program = new Command('bridge')
    .description(
      "podero-bridge's own API from the command line (admin token for the fleet; a user's for their own data)",
    )
    .version(BRIDGE_CLI_VERSION, '--version')
    .addOption(new Option('--api-url <url>', 'the API (env BRIDGE_API_URL)'))
    .addOption(new Option('--token <jwt>', 'a bearer token (env BRIDGE_TOKEN)'))
    .addOption(new Option('--output <format>', 'json or table').choices(['json', 'table']).default('json'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  let pending: Promise<void> | undefined;
  const run = (work: (ctx: Context) => Promise<unknown>) => () => {
    pending = (async () => {
      const flags = program.opts<{ apiUrl?: string; token?: string; output: Output }>();
      const apiUrl = flags.apiUrl ?? io.env.BRIDGE_API_URL;
      const token = flags.token ?? io.env.BRIDGE_TOKEN;
      if (!apiUrl) throw new UsageError('set --api-url or BRIDGE_API_URL');
      if (!token) throw new UsageError('set --token or BRIDGE_TOKEN');
      const api = createBridgeApiClient({ baseUrl: apiUrl, token, ...(io.fetch ? { fetch: io.fetch } : {}) });
      const ctx = { api, output: flags.output, io };
      print(ctx, await work(ctx));
    })();
  };

  const users = program.command('users').description('the fleet and one customer');
  users
    .command('list')
    .description('onboarded users, page by page (admin)')
    .option('--limit <n>', 'users per page', integer('--limit'))
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .option('--connection-state <state>', 'connected, reauthentication_required or disconnected')
    .option('--sync-failed <bool>', 'true or false')
    .action(
      (options: {
        limit?: number;
        cursor?: string;
        connectionState?: Query<'listUsers'>['connection_state'];
        syncFailed?: Query<'listUsers'>['sync_failed'];
      }) =>
        run((ctx) =>
          answer(
            ctx.api.GET('/users', {
              params: {
                query: {
                  limit: options.limit,
                  cursor: options.cursor,
                  connection_state: options.connectionState,
                  sync_failed: options.syncFailed,
                },
              },
            }),
          ),
        )(),
    );
  users
    .command('get <external-user-id>')
    .description("a user's profile")
    .action((id: string) =>
      run((ctx) =>
        answer(ctx.api.GET('/users/{external_user_id}', { params: { path: { external_user_id: id } } })),
      )(),
    );
  users
    .command('summary <external-user-id>')
    .description('a customer at a glance: devices, connection, last readings, sessions, sync (admin)')
    .action((id: string) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/users/{external_user_id}/summary', { params: { path: { external_user_id: id } } }),
        ),
      )(),
    );

  const heatPumps = program.command('heat-pumps').description("a user's heat pumps");
  heatPumps
    .command('list <external-user-id>')
    .option(
      '--max-age <seconds>',
      'serve the stored state when it is at most this old; 0 reads Podero',
      integer('--max-age'),
    )
    .action((id: string, options: { maxAge?: number }) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/users/{external_user_id}/heat-pumps', {
            params: { path: { external_user_id: id }, query: { max_age_seconds: options.maxAge } },
          }),
        ),
      )(),
    );
  heatPumps
    .command('get <external-user-id> <heat-pump-id>')
    .option('--max-age <seconds>', 'as for list', integer('--max-age'))
    .action((id: string, hp: string, options: { maxAge?: number }) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}', {
            params: {
              path: { external_user_id: id, heat_pump_id: hp },
              query: { max_age_seconds: options.maxAge },
            },
          }),
        ),
      )(),
    );
  heatPumps
    .command('update <external-user-id> <heat-pump-id>')
    .description('change controls, e.g. --set optimization_level=Max --set pause_power_until=null')
    .option(
      '--set <key=value>',
      'a control to change (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .action((id: string, hp: string, options: { set: string[] }) =>
      run((ctx) => {
        if (options.set.length === 0) throw new UsageError('give at least one --set key=value');
        return answer(
          ctx.api.PATCH('/users/{external_user_id}/heat-pumps/{heat_pump_id}', {
            params: { path: { external_user_id: id, heat_pump_id: hp } },
            // --set is free-form on purpose (any control, as the API grows): the API validates keys and values.
            body: settingsFrom(options.set) as HeatPumpSettings,
          }),
        );
      })(),
    );
  heatPumps
    .command('readings <external-user-id> <heat-pump-id>')
    .option('--from <time>', 'ISO date-time, inclusive')
    .option('--to <time>', 'ISO date-time, exclusive')
    .option('--limit <n>', 'readings per page', integer('--limit'))
    .option('--order <order>', 'asc or desc')
    .option('--bucket <size>', '15m, 1h or 1d: aggregates instead of readings')
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .action((id: string, hp: string, options: Query<'listHeatPumpReadings'>) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}/readings', {
            params: { path: { external_user_id: id, heat_pump_id: hp }, query: { ...options } },
          }),
        ),
      )(),
    );
  heatPumps
    .command('savings <external-user-id> <heat-pump-id>')
    .requiredOption('--from <time>', 'ISO date-time')
    .requiredOption('--to <time>', 'ISO date-time')
    .option('--resolution <period>', '1DAY, 1WEEK, 1MONTH, 1QUARTER or 1YEAR')
    .action((id: string, hp: string, options: Query<'getHeatPumpSavings'>) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}/savings', {
            params: { path: { external_user_id: id, heat_pump_id: hp }, query: { ...options } },
          }),
        ),
      )(),
    );

  const trading = program
    .command('trading')
    .description('day-ahead trading: forecasts, curves, confirmation (admin)');
  const dayPath = (zone: string, day: string) => ({
    path: { price_zone: zone as TradingZone, delivery_day: day },
  });
  trading
    .command('prices <price-zone> <delivery-day>')
    .description("upload a delivery day's forecast (Europe/Berlin day) from a JSON or CSV file")
    .requiredOption('--file <path>', 'JSON {"prices": [{start, price_eur_mwh}]} or CSV start,price_eur_mwh')
    .action((zone: string, day: string, options: { file: string }) =>
      run(async (ctx) =>
        answer(
          ctx.api.PUT('/trading/day-ahead/{price_zone}/days/{delivery_day}/prices', {
            params: dayPath(zone, day),
            body: forecastFrom(await readFile(options.file, 'utf8')),
          }),
        ),
      )(),
    );
  trading
    .command('days <price-zone>')
    .description("the zone's trading days, newest first")
    .option('--limit <n>', 'days per page', integer('--limit'))
    .option('--cursor <day>', 'next_cursor of the previous page')
    .action((zone: string, options: { limit?: number; cursor?: string }) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/trading/day-ahead/{price_zone}/days', {
            params: {
              path: { price_zone: zone as TradingZone },
              query: { limit: options.limit, cursor: options.cursor },
            },
          }),
        ),
      )(),
    );
  trading
    .command('day <price-zone> <delivery-day>')
    .description('a day: state, deadlines, prices, curves, delta, expected saving')
    .action((zone: string, day: string) =>
      run((ctx) =>
        answer(
          ctx.api.GET('/trading/day-ahead/{price_zone}/days/{delivery_day}', { params: dayPath(zone, day) }),
        ),
      )(),
    );
  trading
    .command('curves <price-zone> <delivery-day>')
    .description('the curves and delta per quarter-hour as CSV (for the bidding tool)')
    .action((zone: string, day: string) =>
      run(async (ctx) => {
        const { error, response, data } = await ctx.api.GET(
          '/trading/day-ahead/{price_zone}/days/{delivery_day}/curves.csv',
          { params: dayPath(zone, day), parseAs: 'text', headers: { accept: 'text/csv' } },
        );
        if (!response.ok) throw new ApiAnswerError(response.status, bodyText(error));
        return new RawText(typeof data === 'string' ? data : '');
      })(),
    );
  for (const [command, accepted, description] of [
    ['confirm', true, 'the optimised volume was bought: confirm the trade'],
    ['reject', false, 'reject the trade (the fleet runs unoptimised on the day)'],
  ] as const) {
    trading
      .command(`${command} <price-zone> <delivery-day>`)
      .description(description)
      .action((zone: string, day: string) =>
        run((ctx) =>
          answer(
            ctx.api.POST('/trading/day-ahead/{price_zone}/days/{delivery_day}/confirmation', {
              params: dayPath(zone, day),
              body: { accepted },
            }),
          ),
        )(),
      );
  }

  program
    .command('sync')
    .description('the heat-pump sync')
    .command('status')
    .description('latest runs and failing users (admin)')
    .action(() => run((ctx) => answer(ctx.api.GET('/sync/status')))());

  addChargingCommands(program, {
    run,
    answer,
    integer,
    usage: (message) => new UsageError(message),
  });

  addVerifyCommand(program, {
    io,
    globals: () => program.opts<{ apiUrl?: string; token?: string }>(),
    usage: (message) => new UsageError(message),
    start: (work) => {
      pending = work();
    },
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (pending) await pending;
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.version' ||
        error.code === 'commander.helpDisplayed' ||
        error.exitCode === 0
        ? 0
        : 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`bridge: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiAnswerError) {
      io.stderr.write(`bridge: ${error.message}\n${error.body}\n`);
      return 1;
    }
    io.stderr.write(`bridge: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
