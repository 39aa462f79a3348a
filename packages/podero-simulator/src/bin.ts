/** Entry point of `pnpm simulator` (tsx) and of bin/podero-simulator.mjs. */
import { runCli } from './cli';

process.exitCode = await runCli(process.argv.slice(2), process.env);
