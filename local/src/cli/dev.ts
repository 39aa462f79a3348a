/**
 * `pnpm dev`: the whole system locally, in this process, until Ctrl-C. See local/README.md.
 */
import { functionDeclarations, scheduleDeclarations } from '@podero-bridge/functions/declarations';
import { Command, Option } from 'commander';
import * as z from 'zod';
import { loadOrCreateSigningKey } from '../auth/signing-key';
import { consoleBuildAt, ensureConsoleBuilt } from '../console/build';
import { DATA_DIR, DEFAULT_PORTS, devSigningKeyFile, REPO_ROOT } from '../constants';
import { installLabelledOutput, streamLog } from '../logging';
import { watchParents } from '../parent-watch';
import { type LocalStack, startLocalStack } from '../stack';
import { CliUsageError, parseCli, portOption, portSchema } from './options';

// On Node 20 every AWS SDK client warns once about the Node version; it is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const optionsSchema = z.object({
  host: z.string().min(1),
  apiPort: portSchema,
  simulatorPort: portSchema,
  dynamoPort: portSchema,
  secretsPort: portSchema,
  persist: z.boolean(),
  scheduleSpeed: z.coerce.number().positive().max(100_000),
  schedules: z.boolean(),
  seed: z.coerce.number().int(),
  stateInterval: z.coerce.number().int().min(1).max(86_400),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']),
  syncWorkers: z.coerce.number().int().min(1).max(64),
  dynamoEndpoint: z.url().optional(),
  secretsEndpoint: z.url().optional(),
});

const program = new Command('dev')
  .description(
    'Start the local stack: Podero simulator, DynamoDB, Secrets Manager, API gateway and scheduler',
  )
  .addOption(new Option('--host <host>', 'interface to bind').env('BRIDGE_HOST').default('127.0.0.1'))
  .addOption(portOption('api-port', 'BRIDGE_API_PORT', 'API gateway', DEFAULT_PORTS.api))
  .addOption(
    portOption('simulator-port', 'BRIDGE_SIMULATOR_PORT', 'Podero simulator', DEFAULT_PORTS.simulator),
  )
  .addOption(portOption('dynamo-port', 'BRIDGE_DYNAMO_PORT', 'dynalite', DEFAULT_PORTS.dynamo))
  .addOption(
    portOption('secrets-port', 'BRIDGE_SECRETS_PORT', 'local Secrets Manager', DEFAULT_PORTS.secrets),
  )
  .addOption(
    new Option('--persist', 'keep state under .data/ across restarts').env('BRIDGE_PERSIST').default(false),
  )
  .addOption(
    new Option('--schedule-speed <factor>', 'run schedules this many times faster (60: sync every 15 s)')
      .env('BRIDGE_SCHEDULE_SPEED')
      .default('1'),
  )
  .option('--no-schedules', 'do not run schedules on timers (run them with pnpm dev:run)')
  .addOption(
    new Option('--seed <n>', 'simulator seed (deterministic heat pumps)').env('BRIDGE_SIM_SEED').default('1'),
  )
  .addOption(
    new Option('--state-interval <seconds>', "how often a simulated heat pump's state advances")
      .env('BRIDGE_SIM_STATE_INTERVAL')
      .default('300'),
  )
  .addOption(
    new Option('--sync-workers <n>', 'heat-pump-sync-worker instances at once (W, like sync.workers)')
      .env('BRIDGE_SYNC_WORKERS')
      .default(String(functionDeclarations.syncWorker.trigger.maxConcurrency)),
  )
  .addOption(
    new Option('--log-level <level>', 'functions log level')
      .choices(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'])
      .env('BRIDGE_LOG_LEVEL')
      .default('INFO'),
  )
  .showHelpAfterError();

function describeStartError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    const port = (error as { port?: unknown }).port;
    return `port ${String(port)} is already in use (another pnpm dev?). Choose other ports with --api-port, --simulator-port, --dynamo-port, --secrets-port or BRIDGE_*_PORT.`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  program.parse();
  const raw = program.opts();
  const options = parseCli(optionsSchema, {
    ...raw,
    // An env var such as BRIDGE_PERSIST=1 arrives as a string.
    persist: raw.persist === true || raw.persist === '1' || raw.persist === 'true',
    dynamoEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB || undefined,
    secretsEndpoint: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER || undefined,
  });
  const colour = process.stdout.isTTY === true;
  installLabelledOutput(process.stdout, { colour });
  installLabelledOutput(process.stderr, { colour: process.stderr.isTTY === true });
  const log = streamLog(process.stdout, { colour });

  const consoleBuild = consoleBuildAt(REPO_ROOT);
  try {
    await ensureConsoleBuilt(consoleBuild, (message) => log('console', message));
  } catch (error) {
    log('console', `could not build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const signingKey = await loadOrCreateSigningKey(devSigningKeyFile());
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      host: options.host,
      apiPort: options.apiPort,
      simulatorPort: options.simulatorPort,
      dynamoPort: options.dynamoPort,
      secretsPort: options.secretsPort,
      ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
      ...(options.secretsEndpoint ? { secretsEndpoint: options.secretsEndpoint } : {}),
      ...(options.persist ? { persistDir: DATA_DIR } : {}),
      scheduleSpeed: options.scheduleSpeed,
      scheduleTimers: options.schedules,
      signingKey,
      simulator: { seed: options.seed, stateIntervalSeconds: options.stateInterval },
      functionLogLevel: options.logLevel,
      syncWorkers: options.syncWorkers,
      consoleDir: consoleBuild.dist,
      log,
    });
  } catch (error) {
    log('stack', `could not start: ${describeStartError(error)}`);
    process.exit(1);
  }

  if (!['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
    log(
      'stack',
      `WARNING: bound to ${options.host}: the simulator's control plane and /__local/ need no token; use this on a trusted network only`,
    );
  }
  const adminToken = await stack.mintToken({ admin: true, ttlSeconds: 8 * 3600 });
  const every = scheduleDeclarations
    .map((s) => {
      const minutes = s.everyMinutes / options.scheduleSpeed;
      const period =
        minutes >= 1 ? `${Number(minutes.toFixed(2))} min` : `${Number((minutes * 60).toFixed(2))} s`;
      return `${s.name} every ${period}`;
    })
    .join('; ');
  const lines = [
    '',
    'podero-bridge local stack is up',
    `  API gateway      ${stack.apiUrl}   (JWKS ${stack.jwksUrl}, OpenAPI ${stack.apiUrl}/openapi.json)`,
    `  Operator console ${stack.apiUrl}/console/   (signed in as the local admin, no identity provider)`,
    `  Podero simulator ${stack.simulatorUrl}   (Connect UI /connect, control plane /__sim/)`,
    `  DynamoDB         ${stack.dynamoEndpoint}   tables ${stack.tableNames.main}, ${stack.tableNames.readings}`,
    `  Secrets Manager  ${stack.secretsEndpoint}   secrets ${stack.secretIds.credentials}, ${stack.secretIds.token}`,
    `  State            ${options.persist ? `persisted under ${DATA_DIR}` : 'in memory (use --persist to keep it)'}`,
    '',
    '  Simulator credentials (fake, for the simulator only):',
    `    org_id        ${stack.credentials.orgId}`,
    `    client_id     ${stack.credentials.clientId}`,
    `    client_secret ${stack.credentials.clientSecret}`,
    '',
    `  Schedules: ${options.schedules ? every : 'timers off'}. Run one now: pnpm dev:run <name>`,
    '',
    '  Admin bearer token (8 h; more with pnpm --silent dev:token --admin | --sub EXTERNAL_USER_ID):',
    `    ${adminToken}`,
    '',
    `  Try: curl -s ${stack.apiUrl}/health`,
    `       curl -s -H "Authorization: Bearer $(pnpm --silent dev:token --admin)" ${stack.apiUrl}/users/demo-1`,
    '       pnpm demo        # walks the getting-started flow against this stack',
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log('stack', `${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log('stack', `${signal}: stopping…`);
    stack
      .close()
      .then(() => {
        log('stack', 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log('stack', `stopped with errors: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      });
  };
  // `on`, not `once`: a second Ctrl-C while stopping exits at once.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // `kill <pid of pnpm dev>` reaches pnpm only: stop when the process that started us is gone.
  watchParents((pid) => stop(`launcher process ${pid} exited`));
}

main().catch((error: unknown) => {
  process.stderr.write(`dev: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof CliUsageError ? 2 : 1);
});
