/**
 * The `podero` CLI, as a function: runCli(argv, io) -> exit code. main.ts wires it to the process;
 * tests call it with their own env, streams and fetch.
 *
 * Exit codes: 0 success, 1 API or network error, 2 usage error (bad flags, missing configuration,
 * a request the client refused locally).
 */

import {
  CUE_OUTCOMES,
  type CueLink,
  createClientCredentialsTokenProvider,
  createNodeHttpFetch,
  createPoderoClient,
  type FetchLike,
  LANGUAGES,
  OPTIMIZATION_LEVELS,
  type PoderoClient,
  PoderoError,
  PoderoRequestError,
  PRICE_ZONES,
  parseCueLink,
  requestClientCredentialsToken,
  STATISTICS_KEYWORDS,
  STATISTICS_RESOLUTIONS,
  USER_ROLES,
} from '@podero-bridge/podero-client';
import { Command, CommanderError, Option } from 'commander';
import * as z from 'zod';
import { divergences, renderTable, runConformance } from './conformance/run';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  fetch?: FetchLike;
  /** Test seam for `conformance`'s waits (polling for the Connect UI). */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_BASE_URL = 'https://app.podero.com';

/** A mistake in how the CLI was called: exit code 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

interface GlobalFlags {
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  orgId?: string;
}

const CONFIG = [
  { key: 'baseUrl', env: 'PODERO_BASE_URL', flag: '--base-url' },
  { key: 'clientId', env: 'PODERO_CLIENT_ID', flag: '--client-id' },
  { key: 'clientSecret', env: 'PODERO_CLIENT_SECRET', flag: '--client-secret' },
  { key: 'orgId', env: 'PODERO_ORG_ID', flag: '--org-id' },
] as const;

const configSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  orgId: z.guid().optional(),
});
type CliConfig = z.infer<typeof configSchema>;

/** Flags win over environment variables; missing or malformed values are usage errors naming both. */
function resolveConfig(flags: GlobalFlags, env: CliIo['env'], needsOrg: boolean): CliConfig {
  const raw: Record<string, string | undefined> = {};
  const missing: string[] = [];
  for (const { key, env: name, flag } of CONFIG) {
    const value = flags[key] ?? (env[name] === '' ? undefined : env[name]);
    raw[key] = value;
    if (value === undefined && key !== 'baseUrl' && (key !== 'orgId' || needsOrg))
      missing.push(`${name} (or ${flag})`);
  }
  raw.baseUrl ??= DEFAULT_BASE_URL;
  if (missing.length > 0) throw new UsageError(`missing configuration: ${missing.join(', ')}`);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const entry = CONFIG.find((c) => c.key === issue.path[0]);
      return `${entry ? `${entry.env} (${entry.flag})` : String(issue.path[0])}: ${issue.message}`;
    });
    throw new UsageError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function parseDataFlag(data: string | undefined): Record<string, unknown> {
  if (data === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new UsageError('--data: not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--data: must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** `--data` first, then the explicit flags on top (flags left unset do not overwrite). */
function buildBody(data: string | undefined, fields: Record<string, unknown>): Record<string, unknown> {
  const body = parseDataFlag(data);
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
  return body;
}

/** An update with no fields would be a silent no-op: treat it as a usage mistake. */
function requireSomething(body: Record<string, unknown>, hint: string): Record<string, unknown> {
  if (Object.keys(body).length === 0) throw new UsageError(`nothing to update: ${hint}`);
  return body;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const write = (value: unknown) => {
    if (value === undefined) return;
    io.stdout.write(`${JSON.stringify(value, null, io.stdout.isTTY ? 2 : undefined)}\n`);
  };

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
    );

  /**
   * Wraps an action: resolves the configuration, builds a client and prints the result. Bodies
   * built from flags are passed on unchecked (`as never`): the client validates them strictly and
   * a PoderoRequestError becomes exit code 2.
   */
  const withClient =
    <A extends unknown[]>(fn: (client: PoderoClient, ...args: A) => Promise<unknown>) =>
    async (...args: unknown[]): Promise<void> => {
      // commander passes (...arguments, options, command)
      const command = args.at(-1);
      if (!(command instanceof Command)) throw new Error('commander did not pass the command');
      const config = resolveConfig(command.optsWithGlobals<GlobalFlags>(), io.env, true);
      const tokenProvider = createClientCredentialsTokenProvider({
        baseUrl: config.baseUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        ...(io.fetch ? { fetch: io.fetch } : {}),
      });
      const client = createPoderoClient({
        baseUrl: config.baseUrl,
        orgId: config.orgId ?? '',
        tokenProvider,
        ...(io.fetch ? { fetch: io.fetch } : {}),
        userAgent: 'podero-cli/0.1',
      });
      write(await fn(client, ...(args as A)));
    };

  program
    .command('token')
    .description('request an access token (client credentials) and print the token response')
    .action(async (_options: unknown, command: Command) => {
      const config = resolveConfig(command.optsWithGlobals<GlobalFlags>(), io.env, false);
      write(
        await requestClientCredentialsToken({
          baseUrl: config.baseUrl,
          clientId: config.clientId,
          clientSecret: config.clientSecret,
          ...(io.fetch ? { fetch: io.fetch } : {}),
        }),
      );
    });

  // ------------------------------------------------------------------------------------ users
  const users = program.command('users').description('users of the organisation');
  users
    .command('list')
    .description('list the users of the organisation')
    .option('--include-deleted', 'include soft-deleted users')
    .action(
      withClient((client, options: { includeDeleted?: boolean }) =>
        client.users.list(options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  users
    .command('get')
    .description('get a user by Podero id')
    .argument('<userId>', 'Podero user id (uuid)')
    .action(withClient((client, userId: string) => client.users.get(userId)));
  users
    .command('get-by-external-id')
    .description("get a user by the partner's own id (external_user_id)")
    .argument('<externalUserId>', 'external_user_id')
    .option('--include-deleted', 'include soft-deleted users')
    .action(
      withClient((client, externalUserId: string, options: { includeDeleted?: boolean }) =>
        client.users.getByExternalId(externalUserId, options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  const userFlags = (command: Command) =>
    command
      .option('--external-user-id <id>', "the partner's own customer id")
      .option('--first-name <name>')
      .option('--last-name <name>')
      .option('--data <json>', 'request body as JSON (flags override its fields)');
  interface UserFlags {
    email?: string;
    role?: string;
    externalUserId?: string;
    firstName?: string;
    lastName?: string;
    data?: string;
  }
  const userBody = (options: UserFlags) =>
    buildBody(options.data, {
      email: options.email,
      role: options.role,
      external_user_id: options.externalUserId,
      first_name: options.firstName,
      last_name: options.lastName,
    });
  userFlags(
    users
      .command('create')
      .description('create a user (POST is not retried after a server error: check before re-running)')
      .option('--email <email>', 'email (required, here or in --data)')
      .addOption(new Option('--role <role>', 'role').choices(USER_ROLES)),
  ).action(
    withClient((client, options: UserFlags) => {
      const body = userBody(options);
      body.role ??= 'user';
      return client.users.create(body as never);
    }),
  );
  userFlags(
    users
      .command('update')
      .description('update a user (partial: only the given fields change)')
      .argument('<userId>', 'Podero user id (uuid)')
      .option('--email <email>')
      .addOption(new Option('--role <role>', 'role').choices(USER_ROLES)),
  ).action(
    withClient((client, userId: string, options: UserFlags) =>
      client.users.update(userId, requireSomething(userBody(options), 'give a field flag or --data')),
    ),
  );
  users
    .command('delete')
    .description('delete a user (revokes access immediately)')
    .argument('<userId>', 'Podero user id (uuid)')
    .action(withClient((client, userId: string) => client.users.delete(userId)));

  // ------------------------------------------------------------------------------------ buildings
  const buildings = program.command('buildings').description("a user's buildings");
  buildings
    .command('list')
    .description("list a user's buildings")
    .argument('<userId>', 'Podero user id (uuid)')
    .action(withClient((client, userId: string) => client.buildings.list(userId)));
  buildings
    .command('create')
    .description('create a building for a user')
    .argument('<userId>', 'Podero user id (uuid)')
    .option('--name <name>', 'building name (required, here or in --data)')
    .option('--data <json>', 'request body as JSON (flags override its fields)')
    .action(
      withClient((client, userId: string, options: { name?: string; data?: string }) =>
        client.buildings.create(userId, buildBody(options.data, { name: options.name }) as never),
      ),
    );

  // ------------------------------------------------------------------------------------ onboarding
  const onboarding = program.command('onboarding').description('device onboarding sessions (Connect UI)');
  interface OnboardingFlags {
    userId?: string;
    language?: string;
    priceZone?: string;
    successUrl?: string;
    cancelUrl?: string;
    buildingId?: string;
    smartOptimization?: boolean;
    data?: string;
  }
  onboarding
    .command('create')
    .description('create an onboarding session and print its authentication_url')
    .option('--user-id <uuid>', 'owner of the future device')
    .addOption(new Option('--language <code>', 'Connect UI language').choices(LANGUAGES))
    .addOption(new Option('--price-zone <zone>', 'price_zone_default').choices(PRICE_ZONES))
    .option('--success-url <url>')
    .option('--cancel-url <url>')
    .option('--building-id <uuid>')
    .option('--smart-optimization', 'start with smart optimisation on')
    .option('--no-smart-optimization', 'start with smart optimisation off')
    .option('--data <json>', 'request body as JSON (flags override its fields)')
    .action(
      withClient((client, options: OnboardingFlags) =>
        client.onboarding.create(
          buildBody(options.data, {
            user_id: options.userId,
            language: options.language,
            price_zone_default: options.priceZone,
            success_url: options.successUrl,
            cancel_url: options.cancelUrl,
            building_id: options.buildingId,
            is_smart_optimization_active_default: options.smartOptimization,
          }) as never,
        ),
      ),
    );
  onboarding
    .command('get')
    .description('get an onboarding session (object_id is the device id once completed)')
    .argument('<sessionId>', 'onboarding session id (uuid)')
    .action(withClient((client, sessionId: string) => client.onboarding.get(sessionId)));

  // ------------------------------------------------------------------------------------ heat pumps
  const heatPumps = program.command('heat-pumps').description("a user's heat pumps");
  heatPumps
    .command('list')
    .description("list a user's heat pumps")
    .argument('<userId>', 'Podero user id (uuid)')
    .action(withClient((client, userId: string) => client.heatPumps.list(userId)));
  heatPumps
    .command('get')
    .description('get one heat pump with its latest state')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .option('--include-deleted', 'include a soft-deleted heat pump')
    .action(
      withClient((client, userId: string, heatPumpId: string, options: { includeDeleted?: boolean }) =>
        client.heatPumps.get(userId, heatPumpId, options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  heatPumps
    .command('update')
    .description('update heat-pump settings (partial)')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .option('--smart-optimization', 'turn smart optimisation on')
    .option('--no-smart-optimization', 'turn smart optimisation off')
    .addOption(new Option('--optimization-level <level>').choices(OPTIMIZATION_LEVELS))
    .option('--data <json>', 'request body as JSON (flags override its fields)')
    .action(
      withClient(
        (
          client,
          userId: string,
          heatPumpId: string,
          options: { smartOptimization?: boolean; optimizationLevel?: string; data?: string },
        ) => {
          const body = buildBody(options.data, {
            is_smart_optimization_active: options.smartOptimization,
            optimization_level: options.optimizationLevel,
          });
          requireSomething(body, 'give --smart-optimization, --optimization-level or --data');
          return client.heatPumps.update(userId, heatPumpId, body as never);
        },
      ),
    );
  heatPumps
    .command('delete')
    .description('offboard a heat pump the documented way (PUT deleted_at: a soft delete)')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .action(
      withClient((client, userId: string, heatPumpId: string) =>
        client.heatPumps.softDelete(userId, heatPumpId),
      ),
    );
  heatPumps
    .command('statistics')
    .description('bucketed savings and consumption statistics')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .option('--resolution <list>', `comma-separated: ${STATISTICS_RESOLUTIONS.join(',')}`, list)
    .option('--keywords <list>', `comma-separated: ${STATISTICS_KEYWORDS.join(',')}`, list)
    .action(
      withClient(
        (
          client,
          userId: string,
          heatPumpId: string,
          options: { resolution?: string[]; keywords?: string[] },
        ) =>
          client.heatPumps.statistics(userId, heatPumpId, {
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
            ...(options.keywords ? { keywords: options.keywords as never } : {}),
          }),
      ),
    );
  heatPumps
    .command('savings')
    .description('bucketed savings between two dates')
    .argument('<userId>', 'Podero user id (uuid)')
    .argument('<heatPumpId>', 'heat pump id (uuid)')
    .requiredOption('--from <datetime>', 'start, ISO-8601 with offset (e.g. 2024-01-01T00:00:00Z)')
    .requiredOption('--to <datetime>', 'end, ISO-8601 datetime or date')
    .addOption(new Option('--resolution <resolution>').choices(STATISTICS_RESOLUTIONS))
    .action(
      withClient(
        (
          client,
          userId: string,
          heatPumpId: string,
          options: { from: string; to: string; resolution?: string },
        ) =>
          client.heatPumps.savings(userId, heatPumpId, {
            from: options.from,
            to: options.to,
            ...(options.resolution ? { resolution: options.resolution as never } : {}),
          }),
      ),
    );
  // ------------------------------------------------------------------------------------ cues
  const cues = program
    .command('cues')
    .description(
      "a device's pending actions: pass the action's resolution_link.url (it holds the cue id and secret)",
    );
  cues
    .command('resolve')
    .description('start a reauthenticate action; prints the redirect_url for the owner')
    .argument('<link>', "the action's resolution_link.url")
    .requiredOption('--success-url <url>', 'where the owner returns after signing in')
    .requiredOption('--cancel-url <url>', 'where the owner returns on cancel or failure')
    .option('--language <tag>', 'IETF language tag of the page')
    .action(
      withClient(
        (client, link: string, options: { successUrl: string; cancelUrl: string; language?: string }) => {
          const cue = cueLink(link);
          return client.cues.resolve(cue.cueId, cue.secret, {
            successUrl: options.successUrl,
            cancelUrl: options.cancelUrl,
            ...(options.language ? { language: options.language } : {}),
          });
        },
      ),
    );
  cues
    .command('report-state')
    .description('report the outcome of an action (no token needed: the secret authorises)')
    .argument('<link>', "the action's resolution_link.url")
    .addOption(new Option('--state <state>').choices(CUE_OUTCOMES).makeOptionMandatory())
    .action(
      withClient((client, link: string, options: { state: (typeof CUE_OUTCOMES)[number] }) => {
        const cue = cueLink(link);
        return client.cues.reportState(cue.cueId, cue.secret, { state: options.state });
      }),
    );
  cues
    .command('read-information')
    .description('mark an information action read')
    .argument('<link>', "the action's resolution_link.url")
    .action(
      withClient((client, link: string) => {
        const cue = cueLink(link);
        return client.cues.resolveInformation(cue.cueId, cue.secret);
      }),
    );

  // ------------------------------------------------------------------------------------ conformance
  let exitCode = 0;
  program
    .command('conformance')
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
      const config = resolveConfig(command.optsWithGlobals<GlobalFlags>(), io.env, true);
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
      exitCode = divergences(report) > 0 ? 1 : 0;
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed the problem (or the help) through configureOutput.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`podero: ${oneLine(error.message)} (add --help for usage)\n`);
      return 2;
    }
    if (error instanceof PoderoRequestError) {
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

function describeApiError(error: PoderoError): string {
  const where = `${error.method} ${error.path}`;
  if (error.status !== undefined) {
    return oneLine(`HTTP ${error.status} ${error.name}: ${error.detail ?? 'no detail'} (${where})`);
  }
  return oneLine(error.message);
}

function cueLink(link: string): CueLink {
  const parsed = parseCueLink(link);
  if (!parsed) throw new UsageError('the link is not a resolution link (.../cues/<id>/resolve?secret=...)');
  return parsed;
}
