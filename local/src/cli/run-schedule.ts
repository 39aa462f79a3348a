/**
 * `pnpm dev:run <schedule>`: asks a running `pnpm dev` to run a declared schedule now
 * (POST /__local/schedules/<name>/run) and prints the run's outcome as JSON.
 */
import { scheduleDeclarations } from '@podero-bridge/functions/declarations';
import { Argument, Command } from 'commander';
import { defaultApiUrl } from './options';

const program = new Command('dev:run')
  .description('Run a declared schedule now in the running local stack')
  .addArgument(new Argument('<schedule>', 'schedule name').choices(scheduleDeclarations.map((s) => s.name)))
  .option('--api-url <url>', 'the running gateway (default from BRIDGE_API_PORT)', defaultApiUrl())
  .showHelpAfterError();

program.parse();
const [name] = program.processedArgs as [string];
const { apiUrl } = program.opts<{ apiUrl: string }>();
try {
  const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/__local/schedules/${encodeURIComponent(name)}/run`, {
    method: 'POST',
  });
  const text = await res.text();
  process.stdout.write(`${text}\n`);
  if (!res.ok) process.exitCode = 1;
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  process.stderr.write(`dev:run: no local stack answered at ${apiUrl}${cause}; start it with pnpm dev\n`);
  process.exitCode = 1;
}
