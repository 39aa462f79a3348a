/**
 * `podero trading prices upload|get`, `podero trading load-curves`, `podero trading confirm`: day-ahead
 * trading in the variant named by `--variant` or PODERO_TRADING_VARIANT (default reference; `podero
 * conformance` reports which one the environment speaks). A confirmation needs an explicit `--yes`.
 */
import { readFileSync } from 'node:fs';
import { marketDay, type PoderoClient, TRADING_VARIANTS } from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import { type CommandContext, UsageError } from './context';

interface TradingFlags {
  variant?: string;
  day: string;
  zone: string;
}

/** `--prices`: JSON (or `@file`), an array of numbers in the market day's order or of `{start, priceEurMwh}`. */
function readPrices(value: string, deliveryDay: string) {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch {
      throw new UsageError(`--prices: cannot read ${value.slice(1)}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError('--prices: not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new UsageError('--prices: must be a JSON array');
  if (parsed.every((entry) => typeof entry === 'number')) {
    let starts: string[];
    try {
      starts = marketDay(deliveryDay).quarterHours;
    } catch {
      throw new UsageError(`--day: not a calendar date (YYYY-MM-DD): ${deliveryDay}`);
    }
    if (parsed.length !== starts.length) {
      throw new UsageError(
        `--prices: ${deliveryDay} has ${starts.length} quarter-hours in Europe/Berlin, got ${parsed.length} prices`,
      );
    }
    return starts.map((start, index) => ({ start, priceEurMwh: parsed[index] as number }));
  }
  return parsed as never;
}

export function makeTradingCommand(ctx: CommandContext): Command {
  const trading = new Command('trading').description(
    'day-ahead trading: price forecasts up, load curves down, confirmation',
  );
  const variantOption = () =>
    new Option(
      '--variant <variant>',
      "Podero's trading API (env PODERO_TRADING_VARIANT, default reference)",
    ).choices(TRADING_VARIANTS);
  const dayOption = () =>
    new Option(
      '--day <date>',
      'delivery day in market time (Europe/Berlin), YYYY-MM-DD',
    ).makeOptionMandatory();
  const zoneOption = () => new Option('--zone <zone>', 'price zone, e.g. AT, DE_LU').makeOptionMandatory();
  // withClient (context.ts) built the client with the variant of `--variant` / PODERO_TRADING_VARIANT.
  const clientFor = (client: PoderoClient, _flags: { variant?: string }) => client.trading;

  const prices = trading.command('prices').description("a delivery day's price forecast");
  prices
    .command('upload')
    .description('upload the forecast for every quarter-hour of the delivery day (92/96/100)')
    .addOption(variantOption())
    .addOption(dayOption())
    .addOption(zoneOption())
    .requiredOption(
      '--prices <json|@file>',
      'EUR/MWh: an array of numbers in quarter-hour order, or of {start, priceEurMwh}',
    )
    .action(
      ctx.withClient((client, options: TradingFlags & { prices: string }) =>
        clientFor(client, options).uploadPrices({
          deliveryDay: options.day,
          priceZone: options.zone,
          quarterHours: readPrices(options.prices, options.day),
        }),
      ),
    );
  prices
    .command('get')
    .description('read the prices uploaded for a delivery day (reference variant only)')
    .addOption(variantOption())
    .addOption(dayOption())
    .addOption(zoneOption())
    .action(
      ctx.withClient((client, options: TradingFlags) =>
        clientFor(client, options).getPrices({ deliveryDay: options.day, priceZone: options.zone }),
      ),
    );
  trading
    .command('load-curves')
    .description('the optimised and unoptimised load curves (prints {"ready": false} until they are)')
    .addOption(variantOption())
    .addOption(dayOption())
    .addOption(zoneOption())
    .addOption(new Option('--resolution <resolution>').choices(['15MIN', '1HOUR']))
    .action(
      ctx.withClient((client, options: TradingFlags & { resolution?: '15MIN' | '1HOUR' }) =>
        clientFor(client, options).fetchLoadCurves({
          deliveryDay: options.day,
          priceZone: options.zone,
          ...(options.resolution ? { resolution: options.resolution } : {}),
        }),
      ),
    );
  trading
    .command('confirm')
    .description('tell Podero whether the optimised volume was bought (guide variant; binding: needs --yes)')
    .addOption(variantOption())
    .addOption(dayOption())
    .addOption(zoneOption())
    .option('--trade-id <id>', 'the trade id from load-curves (default: looked up by day and zone)')
    .option('--accept', 'the optimised volume was bought: optimise the fleet')
    .option('--reject', 'it was not: the fleet runs unoptimised')
    .option('--yes', 'really send the confirmation')
    .action(
      ctx.withClient(
        (
          client,
          options: TradingFlags & { tradeId?: string; accept?: boolean; reject?: boolean; yes?: boolean },
        ) => {
          if (options.accept === options.reject)
            throw new UsageError('give exactly one of --accept or --reject');
          if (!options.yes) throw new UsageError('a confirmation is binding: add --yes to send it');
          const accepted = options.accept === true;
          return clientFor(client, options).confirm(
            options.tradeId
              ? { tradeId: options.tradeId, accepted }
              : { deliveryDay: options.day, priceZone: options.zone, accepted },
          );
        },
      ),
    );
  return trading;
}
