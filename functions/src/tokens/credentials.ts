import * as z from 'zod';

/** The credentials secret (only token-refresh reads it). */
export const credentialsSecretSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  org_id: z.uuid(),
  /** Podero host; overrides PODERO_BASE_URL (lets one stage point at the sandbox). */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
});
export type CredentialsSecret = z.infer<typeof credentialsSecretSchema>;

export class CredentialsSecretError extends Error {
  override readonly name = 'CredentialsSecretError';
}

/** Parses the secret's JSON. The error names the field and the rule, never the secret's contents. */
export function parseCredentialsSecret(raw: unknown): CredentialsSecret {
  if (typeof raw !== 'string') throw new CredentialsSecretError('credentials secret has no string value');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new CredentialsSecretError('credentials secret is not valid JSON');
  }
  const parsed = credentialsSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CredentialsSecretError(`credentials secret is invalid: ${fields.join('; ')}`);
  }
  return parsed.data;
}
