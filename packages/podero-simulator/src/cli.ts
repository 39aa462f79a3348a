/**
 * The `podero-simulator` command: flags override PODERO_SIM_* environment variables, which override
 * the defaults. Prints where it listens and the (fake) credentials; stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { parseFaultsJson } from './faults';
import { type Simulator, type SimulatorOptions, simulatorOptionsSchema, startSimulator } from './server';

export const CLI_DEFAULT_PORT = 4010;

export const USAGE = `Usage: podero-simulator [options]

Options (environment variable in brackets):
  --port <n>            port to listen on, 0 for any free port (PODERO_SIM_PORT, default ${CLI_DEFAULT_PORT})
  --host <host>         address to bind (PODERO_SIM_HOST, default 127.0.0.1)
  --seed <n>            seed of the living heat pumps (PODERO_SIM_SEED, default 1)
  --latency-ms <n>      latency added to every Podero route (PODERO_SIM_LATENCY_MS, default 0)
  --token-ttl <s>       access-token lifetime in seconds (PODERO_SIM_TOKEN_TTL, default 36000)
  --state-interval <s>  how often heat-pump state advances (PODERO_SIM_STATE_INTERVAL, default 300)
  --faults <json>       fault rules, a JSON array or {"rules":[...]} (PODERO_SIM_FAULTS)
  --persist <file>      load state from and save it to a JSON file (PODERO_SIM_PERSIST)
  --clock <mode>        realtime (default) or manual (PODERO_SIM_CLOCK)
  --start-time <iso>    simulated start instant (PODERO_SIM_START_TIME, default now)
  --org-id <uuid>       organisation id (PODERO_SIM_ORG_ID)
  --client-id <id>      OAuth client id (PODERO_SIM_CLIENT_ID)
  --client-secret <s>   OAuth client secret, fake by design (PODERO_SIM_CLIENT_SECRET)
  --trading-variant <v> day-ahead trading API: reference (default) or guide (PODERO_SIM_TRADING_VARIANT)
  -h, --help            show this help
`;

const FLAGS = {
  port: 'PODERO_SIM_PORT',
  host: 'PODERO_SIM_HOST',
  seed: 'PODERO_SIM_SEED',
  'latency-ms': 'PODERO_SIM_LATENCY_MS',
  'token-ttl': 'PODERO_SIM_TOKEN_TTL',
  'state-interval': 'PODERO_SIM_STATE_INTERVAL',
  faults: 'PODERO_SIM_FAULTS',
  persist: 'PODERO_SIM_PERSIST',
  clock: 'PODERO_SIM_CLOCK',
  'start-time': 'PODERO_SIM_START_TIME',
  'org-id': 'PODERO_SIM_ORG_ID',
  'client-id': 'PODERO_SIM_CLIENT_ID',
  'client-secret': 'PODERO_SIM_CLIENT_SECRET',
  'trading-variant': 'PODERO_SIM_TRADING_VARIANT',
} as const;
type Flag = keyof typeof FLAGS;

const integer = () =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number);

/** Simulator option name -> the flag that sets it, for error messages. */
const FLAG_OF_OPTION: Record<string, string> = {
  port: '--port',
  host: '--host',
  seed: '--seed',
  latencyMs: '--latency-ms',
  tokenTtlSeconds: '--token-ttl',
  stateIntervalSeconds: '--state-interval',
  faults: '--faults',
  persistFile: '--persist',
  startTime: '--start-time',
  clock: '--clock',
  orgId: '--org-id',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  tradingVariant: '--trading-variant',
};

const rawConfigSchema = z.object({
  port: integer().optional(),
  host: z.string().min(1).optional(),
  seed: integer().optional(),
  'latency-ms': integer().optional(),
  'token-ttl': integer().optional(),
  'state-interval': integer().optional(),
  faults: z.string().optional(),
  persist: z.string().min(1).optional(),
  clock: z.enum(['manual', 'realtime']).optional(),
  'start-time': z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO date-time')
    .optional(),
  'org-id': z.string().optional(),
  'client-id': z.string().optional(),
  'client-secret': z.string().optional(),
  'trading-variant': z.enum(['reference', 'guide']).optional(),
});

export class CliUsageError extends Error {}

/** Turns argv and the environment into simulator options; throws CliUsageError with a readable message. */
export function parseCliOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SimulatorOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';

  const merged: Partial<Record<Flag, string>> = {};
  for (const [flag, envName] of Object.entries(FLAGS) as [Flag, string][]) {
    const value = values[flag] ?? env[envName];
    if (typeof value === 'string' && value !== '') merged[flag] = value;
  }
  const parsed = rawConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliUsageError(issue ? `--${String(issue.path[0])}: ${issue.message}` : 'invalid options');
  }
  const raw = parsed.data;
  let faults: SimulatorOptions['faults'];
  try {
    faults =
      raw.faults === undefined
        ? undefined
        : parseFaultsJson(raw.faults, values.faults ? '--faults' : 'PODERO_SIM_FAULTS');
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const options: SimulatorOptions = {
    port: raw.port ?? CLI_DEFAULT_PORT,
    ...(raw.host === undefined ? {} : { host: raw.host }),
    ...(raw.seed === undefined ? {} : { seed: raw.seed }),
    ...(raw['latency-ms'] === undefined ? {} : { latencyMs: raw['latency-ms'] }),
    ...(raw['token-ttl'] === undefined ? {} : { tokenTtlSeconds: raw['token-ttl'] }),
    ...(raw['state-interval'] === undefined ? {} : { stateIntervalSeconds: raw['state-interval'] }),
    ...(faults === undefined ? {} : { faults }),
    ...(raw.persist === undefined ? {} : { persistFile: raw.persist }),
    ...(raw['start-time'] === undefined ? {} : { startTime: new Date(raw['start-time']) }),
    // The CLI runs for people and local stacks: time flows unless asked otherwise.
    clock: raw.clock ?? 'realtime',
    ...(raw['org-id'] === undefined ? {} : { orgId: raw['org-id'] }),
    ...(raw['client-id'] === undefined ? {} : { clientId: raw['client-id'] }),
    ...(raw['client-secret'] === undefined ? {} : { clientSecret: raw['client-secret'] }),
    ...(raw['trading-variant'] === undefined ? {} : { tradingVariant: raw['trading-variant'] }),
  };
  const checked = simulatorOptionsSchema.safeParse(options);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const option = String(issue?.path[0] ?? '');
    throw new CliUsageError(`${FLAG_OF_OPTION[option] ?? option}: ${issue?.message ?? 'invalid'}`);
  }
  return options;
}

export function startupBanner(sim: Simulator): string {
  return [
    `Podero simulator listening on ${sim.baseUrl}`,
    `  API:            ${sim.baseUrl}/api/partners/v2.0`,
    `  token endpoint: ${sim.baseUrl}/oauth2/token/`,
    `  control plane:  ${sim.baseUrl}/__sim/`,
    `  org id:         ${sim.orgId}`,
    `  client id:      ${sim.clientId}`,
    `  client secret:  ${sim.clientSecret}   (fake, simulator only)`,
    '',
  ].join('\n');
}

/** Runs until SIGINT/SIGTERM; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
): Promise<number> {
  let options: SimulatorOptions | 'help';
  try {
    options = parseCliOptions(argv, env);
  } catch (error) {
    io.err(`podero-simulator: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.out(USAGE);
    return 0;
  }
  let sim: Simulator;
  try {
    sim = await startSimulator({ ...options, log: (line) => io.err(`${line}\n`) });
  } catch (error) {
    io.err(`podero-simulator: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.out(startupBanner(sim));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
  io.out('Podero simulator stopped.\n');
  return 0;
}
