import { createNodeHttpFetch } from '@podero-bridge/podero-client';
import { Command } from 'commander';
import { divergences, renderTable, runConformance } from '../conformance/run';
import { type CommandContext, UsageError } from './context';

/** `podero conformance`: the environment against the bridge's undocumented assumptions; exit 1 on a divergence. */
export function makeConformanceCommand(ctx: CommandContext): Command {
  const { io } = ctx;
  return new Command('conformance')
    .description(
      'check the Podero environment against every assumption the bridge makes that the documentation does not state (creates, then deletes, its own user)',
    )
    .option(
      '--json',
      'print {"checks": [{id, verdict, expected, observed}], "created", "cleanup"} instead of a table',
    )
    .option(
      '--wait-seconds <n>',
      'wait this long for a person to complete the Connect UI (default 0: that check is skipped)',
      '0',
    )
    .action(async (options: { json?: boolean; waitSeconds: string }, command: Command) => {
      const config = ctx.config(command, true);
      const waitSeconds = Number(options.waitSeconds);
      if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 3_600) {
        throw new UsageError('--wait-seconds: a whole number from 0 to 3600');
      }
      const report = await runConformance({
        baseUrl: config.baseUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        orgId: config.orgId ?? '',
        fetch: io.fetch ?? createNodeHttpFetch(),
        waitSeconds,
        pollMs: 500,
        say: (line) => io.stderr.write(`podero conformance: ${line}\n`),
        ...(io.sleep ? { sleep: io.sleep } : {}),
      });
      io.stdout.write(
        options.json
          ? `${JSON.stringify(report, null, io.stdout.isTTY ? 2 : undefined)}\n`
          : renderTable(report),
      );
      ctx.exitCode = divergences(report) > 0 ? 1 : 0;
    });
}
