import * as z from 'zod';

/**
 * `config.json`, served beside `index.html`: the local stack answers it at /console/config.json, CDK
 * deploys one per stage. The bundle itself carries no stage, no URL and no secret.
 */
const customerLinksSchema = z.strictObject({
  /** Where the end user lands after the Connect UI (the partner's app); the console only hands the link on. */
  onboarding_success_url: z.url(),
  onboarding_cancel_url: z.url(),
  reauthentication_success_url: z.url(),
  reauthentication_cancel_url: z.url(),
});

export const consoleConfigSchema = z.strictObject({
  stage: z.string().min(1).max(64),
  /** The API's base URL; empty for the same origin (the local stack serves both). */
  api_url: z.union([z.literal(''), z.url()]),
  auth: z.discriminatedUnion('mode', [
    /** Local only: the stack mints a short-lived admin token at this URL (no identity provider). */
    z.strictObject({ mode: z.literal('dev'), session_url: z.string().min(1) }),
    /** The authorization code flow with PKCE against the issuer the API's JWT authorizer trusts. */
    z.strictObject({
      mode: z.literal('oidc'),
      issuer: z.url(),
      client_id: z.string().min(1).max(256),
      scopes: z.array(z.string().min(1)).min(1),
    }),
  ]),
  customer_links: customerLinksSchema,
});
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
export type OidcSettings = Extract<ConsoleConfig['auth'], { mode: 'oidc' }>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export async function loadConfig(fetchImpl: typeof fetch, url: string): Promise<ConsoleConfig> {
  const response = await fetchImpl(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new ConfigError(`${url} answered ${response.status}`);
  const parsed = consoleConfigSchema.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${url}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
