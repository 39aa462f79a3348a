import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import * as z from 'zod';

/**
 * The algorithm of the dev signing key: RSA, because API Gateway's HTTP API JWT authorizer verifies RSA
 * signatures only (the local authorizer refuses the others, so a partner whose identity provider signs with
 * ES256 finds out here). Key files of the earlier ES256 dev key are replaced on first use.
 */
export const DEV_SIGNING_ALG = 'RS256';

export interface SigningKey {
  readonly kid: string;
  readonly alg: typeof DEV_SIGNING_ALG;
  readonly privateKey: CryptoKey;
  /** The public half as a JWK set, served by the gateway at `/.well-known/jwks.json`. */
  readonly jwks: JSONWebKeySet;
}

const storedKeySchema = z.object({
  kid: z.string().min(1),
  alg: z.literal(DEV_SIGNING_ALG),
  privateJwk: z.object({
    kty: z.literal('RSA'),
    n: z.string(),
    e: z.string(),
    d: z.string(),
    p: z.string(),
    q: z.string(),
    dp: z.string(),
    dq: z.string(),
    qi: z.string(),
  }),
});
type StoredKey = z.infer<typeof storedKeySchema>;

async function fromStored(stored: StoredKey): Promise<SigningKey> {
  const privateKey = await importJWK(stored.privateJwk, stored.alg);
  if (privateKey instanceof Uint8Array) throw new Error('dev signing key: expected an asymmetric key');
  const { n, e } = stored.privateJwk;
  const publicJwk = { kty: 'RSA', n, e };
  const jwk: JWK = { ...publicJwk, kid: stored.kid, alg: stored.alg, use: 'sig' };
  return { kid: stored.kid, alg: stored.alg, privateKey, jwks: { keys: [jwk] } };
}

async function generateStored(): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(DEV_SIGNING_ALG, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return storedKeySchema.parse({ kid: `dev-${randomUUID()}`, alg: DEV_SIGNING_ALG, privateJwk: jwk });
}

/** A fresh in-memory key pair (tests, or a stack that mints all its tokens itself). */
export async function generateSigningKey(): Promise<SigningKey> {
  return fromStored(await generateStored());
}

/**
 * Reads the dev key pair from `file`, creating it (mode 0600) on first use. `pnpm dev` and
 * `pnpm dev:token` run in different processes; sharing this file is what makes a token from one
 * acceptable to the gateway of the other.
 */
export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON; delete it to generate a new dev signing key`);
    }
    const parsed = storedKeySchema.safeParse(json);
    // The earlier dev key was ES256, which API Gateway's authorizer would refuse: replace it.
    if (!parsed.success && (json as { alg?: unknown } | null)?.alg === 'ES256')
      return replaceSigningKey(file);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || '(root)';
      throw new Error(`${file} is not a dev signing key (field ${field}); delete it to generate a new one`);
    }
    return fromStored(parsed.data);
  }
  const stored = await generateStored();
  await mkdir(dirname(file), { recursive: true });
  // `wx`: if another process created it in the meantime, use theirs rather than overwrite it.
  try {
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(file);
    throw error;
  }
  return fromStored(stored);
}

async function replaceSigningKey(file: string): Promise<SigningKey> {
  const stored = await generateStored();
  await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return fromStored(stored);
}
