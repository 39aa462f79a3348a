import { Option } from 'commander';
import * as z from 'zod';
import { DEFAULT_PORTS } from '../constants';

/** Ports and the like, shared by the CLIs: a flag wins over its environment variable, which wins over the default. */

export const portSchema = z.coerce.number().int().min(0).max(65_535);

export function portOption(flag: string, env: string, what: string, fallback: number): Option {
  return new Option(`--${flag} <port>`, `${what} port`).env(env).default(String(fallback));
}

/** The gateway's port from BRIDGE_API_PORT (default 3000), for the CLIs that talk to a running `pnpm dev`. */
export function defaultApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = portSchema.safeParse(env.BRIDGE_API_PORT ?? DEFAULT_PORTS.api);
  const port = parsed.success ? parsed.data : DEFAULT_PORTS.api;
  return `http://127.0.0.1:${port}`;
}

/** Validates raw CLI values with zod, naming the flag when one is wrong. */
export function parseCli<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = String(issue?.path[0] ?? '')
      .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      .replace(/^/, '--');
    throw new CliUsageError(`${flag}: ${issue?.message ?? 'invalid value'}`);
  }
  return parsed.data;
}

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
