/**
 * The `podero` CLI, as a function: runCli(argv, io) -> exit code. main.ts wires it to the process;
 * tests call it with their own env, streams and fetch.
 *
 * One module per command group under commands/, each a `makeXCommand(ctx)` that this file registers with
 * `addCommand`; commands/context.ts holds what they share (configuration, the client, output, usage errors).
 *
 * Exit codes: 0 success, 1 API or network error, 2 usage error (bad flags, missing configuration,
 * a request the client refused locally).
 */

import {
  BoostRefusedError,
  InvalidChargingConfigError,
  PoderoError,
  PoderoRequestError,
  TradingOperationUnsupportedError,
} from '@podero-bridge/podero-client';
import { Command, CommanderError } from 'commander';
import { makeBuildingsCommand } from './commands/buildings';
import { makeChargingConfigCommand } from './commands/charging-config';
import { makeConformanceCommand } from './commands/conformance';
import { type CliIo, createCommandContext, DEFAULT_BASE_URL, UsageError } from './commands/context';
import { makeCuesCommand } from './commands/cues';
import { makeDevicesCommand } from './commands/devices';
import { makeElectricVehiclesCommand } from './commands/electric-vehicles';
import { makeHeatPumpsCommand } from './commands/heat-pumps';
import { makeInvertersCommand } from './commands/inverters';
import { makeOnboardingCommand } from './commands/onboarding';
import { makeTokenCommand } from './commands/token';
import { makeTradingCommand } from './commands/trading';
import { makeUsersCommand } from './commands/users';
import { makeWallboxesCommand } from './commands/wallboxes';

export { type CliIo, DEFAULT_BASE_URL };

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * `addCommand` does not pass the program's settings down as `.command()` does (exitOverride, where output
 * goes, help after an error): copy them to every command below, so a subcommand never exits the process.
 */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.copyInheritedSettings(parent);
    inheritSettings(child);
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = createCommandContext(io);
  const program = new Command('podero')
    .description('Podero Partner API v2.0 from the command line. Prints the JSON response on stdout.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .option('--base-url <url>', `Podero host (env PODERO_BASE_URL, default ${DEFAULT_BASE_URL})`)
    .option('--client-id <id>', 'OAuth client id (env PODERO_CLIENT_ID)')
    .option('--client-secret <secret>', 'OAuth client secret (env PODERO_CLIENT_SECRET; prefer the env var)')
    .option('--org-id <uuid>', 'organisation id (env PODERO_ORG_ID)')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 API or network error, 2 usage error.\nExample: podero users get-by-external-id crm-42',
    )
    .addCommand(makeTokenCommand(ctx))
    .addCommand(makeUsersCommand(ctx))
    .addCommand(makeBuildingsCommand(ctx))
    .addCommand(makeOnboardingCommand(ctx))
    .addCommand(makeHeatPumpsCommand(ctx))
    .addCommand(makeElectricVehiclesCommand(ctx))
    .addCommand(makeWallboxesCommand(ctx))
    .addCommand(makeInvertersCommand(ctx))
    .addCommand(makeDevicesCommand(ctx))
    .addCommand(makeChargingConfigCommand(ctx))
    .addCommand(makeCuesCommand(ctx))
    .addCommand(makeTradingCommand(ctx))
    .addCommand(makeConformanceCommand(ctx));
  inheritSettings(program);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed the problem (or the help) through configureOutput.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`podero: ${oneLine(error.message)} (add --help for usage)\n`);
      return 2;
    }
    // Nothing was sent: the configured trading variant has no such endpoint (a choice, like a bad flag).
    if (error instanceof PoderoRequestError || error instanceof TradingOperationUnsupportedError) {
      io.stderr.write(`podero: ${oneLine(error.message)}\n`);
      return 2;
    }
    if (error instanceof PoderoError) {
      io.stderr.write(`podero: ${describeApiError(error)}\n`);
      return 1;
    }
    io.stderr.write(
      `podero: unexpected error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`,
    );
    return 1;
  }
}

/** What a typed refusal adds to Podero's detail: the boost's reason and state, the refused fields. */
function refusal(error: PoderoError): string {
  if (error instanceof BoostRefusedError) {
    return ` [reason ${error.reason ?? 'not given'}, boost_state ${error.state ?? 'not given'}]`;
  }
  if (error instanceof InvalidChargingConfigError && error.fields.length > 0) {
    return ` [fields ${error.fields.join(', ')}]`;
  }
  return '';
}

function describeApiError(error: PoderoError): string {
  const where = `${error.method} ${error.path}`;
  if (error.status !== undefined) {
    return oneLine(
      `HTTP ${error.status} ${error.name}: ${error.detail ?? 'no detail'}${refusal(error)} (${where})`,
    );
  }
  return oneLine(error.message);
}
