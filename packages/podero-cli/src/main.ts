/** Entry point of the `podero` CLI (`pnpm podero ...`, bin/podero.mjs). All logic is in run-cli.ts. */
import { runCli } from './run-cli';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
