/**
 * `pnpm demo`: walks Podero's getting-started flow through podero-bridge. Uses a running `pnpm dev`
 * when one answers on the API port (tokens signed with the shared dev key), otherwise starts a
 * stack in this process on free ports and stops it afterwards. Exits non-zero naming the failed step.
 */
import { Command } from 'commander';
import * as z from 'zod';
import { loadOrCreateSigningKey } from '../auth/signing-key';
import { createTokenMinter, type MintToken } from '../auth/tokens';
import { devSigningKeyFile } from '../constants';
import { DEMO_PARTS, type DemoPart, DemoStepError, runDemo } from '../demo';
import { fillHistory, HISTORY_DAYS_MAX, historyDaysSchema, rewindForHistory } from '../demo-history';
import { createStreamReporter } from '../demo-reporter';
import { LOCAL_STACK_MARKER } from '../gateway/server';
import type { LocalStack } from '../stack';
import { CliUsageError, defaultApiUrl } from './options';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const infoSchema = z.looseObject({ service: z.literal(LOCAL_STACK_MARKER), signing_key_id: z.string() });

/** The running stack's identity, or undefined when nothing (or something else) answers. */
async function probe(apiUrl: string): Promise<z.infer<typeof infoSchema> | undefined> {
  try {
    const res = await fetch(`${apiUrl}/__local/info`, { signal: AbortSignal.timeout(1500) });
    if (!res.ok) return undefined;
    const parsed = infoSchema.safeParse(await res.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const program = new Command('demo')
  .description("Walk Podero's getting-started flow through the local stack")
  .option('--api-url <url>', 'a running pnpm dev (default from BRIDGE_API_PORT)', defaultApiUrl())
  .option('--standalone', 'always start a stack in this process, even if pnpm dev is running')
  .option('--user <external_user_id>', 'external_user_id to onboard (default: a random demo-xxxxxx)')
  .option(
    '--history <days>',
    `onboard the customer DAYS back on the simulated clock and sync every simulated hour up to now (1..${HISTORY_DAYS_MAX}): charts and trends full on a first run`,
  )
  .argument(
    '[parts...]',
    `which parts: ${DEMO_PARTS.join(', ')} (default: both; trading moves the simulated clock days ahead)`,
  )
  .showHelpAfterError();

const partsSchema = z.array(z.enum(DEMO_PARTS));

async function main(): Promise<number> {
  program.parse();
  const opts = program.opts<{ apiUrl: string; standalone?: boolean; user?: string; history?: string }>();
  const historyDays = opts.history === undefined ? undefined : historyDaysSchema.safeParse(opts.history).data;
  if (opts.history !== undefined && historyDays === undefined) {
    throw new CliUsageError(`--history takes a whole number of days, 1..${HISTORY_DAYS_MAX}`);
  }
  const chosen = partsSchema.safeParse(program.args);
  if (!chosen.success) {
    throw new CliUsageError(
      `unknown part in "${program.args.join(' ')}": choose from ${DEMO_PARTS.join(', ')}`,
    );
  }
  const parts: readonly DemoPart[] = chosen.data.length > 0 ? chosen.data : DEMO_PARTS;
  const apiUrl = opts.apiUrl.replace(/\/+$/, '');
  const out = process.stdout;
  let stack: LocalStack | undefined;
  let target = apiUrl;
  let mintToken: MintToken;

  const running = opts.standalone ? undefined : await probe(apiUrl);
  if (running) {
    const key = await loadOrCreateSigningKey(devSigningKeyFile());
    if (key.kid !== running.signing_key_id) {
      process.stderr.write(
        `demo: the stack at ${apiUrl} trusts another signing key than ${devSigningKeyFile()}; restart pnpm dev or use --standalone\n`,
      );
      return 1;
    }
    mintToken = createTokenMinter(key);
    out.write(`Using the local stack running at ${apiUrl}\n\n`);
  } else {
    out.write(
      `${opts.standalone ? 'Standalone' : `No local stack at ${apiUrl}`}: starting one in this process…\n`,
    );
    // Imported here so that the common case (a running pnpm dev) does not load the whole stack.
    const { startLocalStack } = await import('../stack');
    stack = await startLocalStack({ functionLogLevel: 'SILENT', scheduleTimers: false });
    target = stack.apiUrl;
    mintToken = stack.mintToken;
    out.write(`Started at ${target} (simulator ${stack.simulatorUrl})\n\n`);
  }

  try {
    // With history: the devices part runs DAYS back, the clock comes forward with a pass every hour, and
    // trading (which moves the clock days ahead) runs last, from now.
    const startedAt = Date.now();
    const historyFirst = historyDays !== undefined && parts.includes('devices');
    if (historyFirst) await rewindForHistory({ apiUrl: target }, historyDays, startedAt);
    const result = await runDemo({
      apiUrl: target,
      mintToken,
      reporter: createStreamReporter(out),
      parts: historyFirst ? ['devices'] : parts,
      ...(opts.user ? { externalUserId: opts.user } : {}),
    });
    if (historyFirst) {
      out.write(`\nHistory: ${historyDays} simulated day(s), a sync pass every simulated hour…\n`);
      const passes = await fillHistory(
        { apiUrl: target },
        startedAt - historyDays * 86_400_000,
        startedAt,
        (day, days) => out.write(`  day ${day}/${days}\n`),
      );
      out.write(`History: ${passes} passes in ${Math.round((Date.now() - startedAt) / 1000)} s.\n`);
      if (parts.includes('trading')) {
        const trading = await runDemo({
          apiUrl: target,
          mintToken,
          reporter: createStreamReporter(out),
          parts: ['trading'],
          externalUserId: result.externalUserId,
        });
        if (trading.trading) result.trading = trading.trading;
      }
    }
    if (parts.includes('devices')) {
      out.write(
        `\nDone: ${result.externalUserId} onboarded with ${result.heatPumps.length} heat pump(s) and ${result.readings.length} reading(s).\n`,
      );
    }
    if (result.trading) {
      const { confirmed, missed } = result.trading;
      out.write(
        `${parts.includes('devices') ? '' : '\n'}Trading: ${confirmed.deliveryDay} ${confirmed.state}, ${missed.deliveryDay} ${missed.state} (simulated clock).\n`,
      );
    }
    if (!stack && parts.includes('devices')) {
      out.write(
        `Explore: curl -s -H "Authorization: Bearer $(pnpm --silent dev:token --sub ${result.externalUserId})" ${target}/users/${result.externalUserId}/heat-pumps\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof DemoStepError) {
      process.stderr.write(`\ndemo failed at step "${error.step}"\n`);
    } else {
      process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return 1;
  } finally {
    await stack?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CliUsageError ? 2 : 1);
  },
);
