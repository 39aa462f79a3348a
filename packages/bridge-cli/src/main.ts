import { runBridgeCli } from './run-cli';

process.exitCode = await runBridgeCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
