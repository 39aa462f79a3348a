import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type TokenSecret, tokenSecretSchema } from './contract';

/** Reads the token secret (written only by token-refresh). `undefined` means "no usable token stored". */
export interface TokenSource {
  read(options?: { forceFetch?: boolean }): Promise<TokenSecret | undefined>;
}

export function createSecretsProvider(client: SecretsManagerClient): SecretsProvider {
  return new SecretsProvider({ awsSdkV3Client: client });
}

function errorNames(error: unknown): string[] {
  const names: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    names.push(current.name);
    current = current.cause;
  }
  return names;
}

/**
 * A TokenSource over Powertools parameters: cached for `maxAgeSeconds` per container, `forceFetch` after a
 * refresh. A missing secret or one that does not hold a valid token (e.g. the placeholder value the stack
 * creates it with) reads as "no token", which makes the caller ask token-refresh to write one: the fleet
 * heals itself instead of failing. The log names the bad field, never the value.
 */
export function createSecretsTokenSource(opts: {
  provider: SecretsProvider;
  secretId: string;
  maxAgeSeconds: number;
  logger?: Logger;
}): TokenSource {
  const { provider, secretId, maxAgeSeconds, logger } = opts;
  return {
    async read({ forceFetch = false } = {}) {
      let raw: unknown;
      try {
        raw = await provider.get(secretId, { maxAge: maxAgeSeconds, forceFetch });
      } catch (error) {
        if (errorNames(error).includes('ResourceNotFoundException')) {
          logger?.warn('token secret not found', { secretId });
          return undefined;
        }
        throw error;
      }
      if (typeof raw !== 'string') return undefined;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        logger?.warn('token secret is not JSON; treating it as empty', { secretId });
        return undefined;
      }
      const parsed = tokenSecretSchema.safeParse(json);
      if (!parsed.success) {
        logger?.warn('token secret holds no valid token', {
          secretId,
          fields: parsed.error.issues.map((i) => i.path.join('.')),
        });
        return undefined;
      }
      return parsed.data;
    },
  };
}
