/**
 * What every command module shares: the CLI's I/O, its configuration (flags over environment), the client
 * built from it, output, and the usage errors that make exit code 2. run-cli.ts creates one per run and
 * hands it to each `makeXCommand(ctx)`.
 */
import {
  createClientCredentialsTokenProvider,
  createPoderoClient,
  type FetchLike,
  type PoderoClient,
  TRADING_VARIANTS,
  type TradingVariant,
} from '@podero-bridge/podero-client';
import { Command, InvalidArgumentError } from 'commander';
import * as z from 'zod';

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
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The program's own options (run-cli.ts), which every command reads through `optsWithGlobals`. */
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
export type CliConfig = z.infer<typeof configSchema>;

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

export interface CommandContext {
  readonly io: CliIo;
  /** Prints a result on stdout as JSON, pretty on a terminal and compact otherwise; nothing for undefined. */
  print(value: unknown): void;
  /** The configuration for the command being run: its flags and the program's, over the environment. */
  config(command: Command, needsOrg: boolean): CliConfig;
  /**
   * Wraps an action: resolves the configuration, builds a client and prints the result. Bodies built from
   * flags are passed on unchecked (`as never`): the client validates them strictly and a
   * PoderoRequestError becomes exit code 2.
   */
  withClient<A extends unknown[]>(
    fn: (client: PoderoClient, ...args: A) => Promise<unknown>,
  ): (...args: unknown[]) => Promise<void>;
  /** The exit code of a run that threw nothing: 0, unless a command says otherwise (`conformance`). */
  exitCode: number;
}

export function createCommandContext(io: CliIo): CommandContext {
  const ctx: CommandContext = {
    io,
    exitCode: 0,
    print(value) {
      if (value === undefined) return;
      io.stdout.write(`${JSON.stringify(value, null, io.stdout.isTTY ? 2 : undefined)}\n`);
    },
    config(command, needsOrg) {
      return resolveConfig(command.optsWithGlobals<GlobalFlags>(), io.env, needsOrg);
    },
    withClient:
      <A extends unknown[]>(fn: (client: PoderoClient, ...args: A) => Promise<unknown>) =>
      async (...args: unknown[]): Promise<void> => {
        // commander passes (...arguments, options, command)
        const command = args.at(-1);
        if (!(command instanceof Command)) throw new Error('commander did not pass the command');
        const config = ctx.config(command, true);
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
          trading: {
            variant: tradingVariantOf(command.optsWithGlobals<{ variant?: string }>().variant, io.env),
          },
          ...(io.fetch ? { fetch: io.fetch } : {}),
          userAgent: 'podero-cli/0.1',
        });
        ctx.print(await fn(client, ...(args as A)));
      },
  };
  return ctx;
}

/** `--variant` (trading commands) over PODERO_TRADING_VARIANT; default reference (§3.13). */
function tradingVariantOf(flag: string | undefined, env: CliIo['env']): TradingVariant {
  const value =
    flag ?? (env.PODERO_TRADING_VARIANT === '' ? undefined : env.PODERO_TRADING_VARIANT) ?? 'reference';
  if (!(TRADING_VARIANTS as readonly string[]).includes(value)) {
    throw new UsageError(`PODERO_TRADING_VARIANT (--variant): one of ${TRADING_VARIANTS.join(', ')}`);
  }
  return value as TradingVariant;
}

/** The `--data` flag every body-taking command has. */
export const DATA_FLAG_HELP = 'request body as JSON (flags override its fields)';

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
export function buildBody(
  data: string | undefined,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const body = parseDataFlag(data);
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
  return body;
}

/** An update with no fields would be a silent no-op: treat it as a usage mistake. */
export function requireSomething(body: Record<string, unknown>, hint: string): Record<string, unknown> {
  if (Object.keys(body).length === 0) throw new UsageError(`nothing to update: ${hint}`);
  return body;
}

/** A comma-separated flag value as its non-empty parts. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** A numeric flag value; anything else is a usage error naming the flag. */
export function numberFlag(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError('must be a number');
  return parsed;
}

/** A repeatable `name=value` flag, collected into an object. */
export function keyValueFlag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('must be name=value');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}
