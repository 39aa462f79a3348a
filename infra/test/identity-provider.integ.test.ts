import { readFileSync } from 'node:fs';
import { ROLE_SCOPES } from '@podero-bridge/functions/declarations';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  IDENTITY_PROVIDER_STAGE,
  logicalIdOf,
  resourcesOfType,
  type Synthesized,
  stageConfig,
  synthesize,
} from './support';

let s: Synthesized;

beforeAll(() => {
  s = synthesize(stageConfig('prod', IDENTITY_PROVIDER_STAGE));
}, 120_000);

const only = (type: string) => {
  const found = Object.values(resourcesOfType(s.template, type));
  expect(found, type).toHaveLength(1);
  return found[0]?.Properties ?? {};
};

describe('the identity provider in the same deploy', () => {
  it('is off by default: dev and prod bring their own issuer', () => {
    for (const stage of ['dev', 'prod']) {
      synthesize(stageConfig(stage)).template.resourceCountIs('AWS::Cognito::UserPool', 0);
    }
  });

  it("creates a pool for invited operators only, with MFA, kept like the stage's data", () => {
    const pool = only('AWS::Cognito::UserPool');
    expect(pool.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.DeletionProtection).toBe('ACTIVE');
    const [poolId] = Object.keys(resourcesOfType(s.template, 'AWS::Cognito::UserPool'));
    expect(resourcesOfType(s.template, 'AWS::Cognito::UserPool')[poolId ?? '']?.DeletionPolicy).toBe(
      'RetainExceptOnCreate',
    );
  });

  it("carries every role's scope from the declarations on a resource server", () => {
    const server = only('AWS::Cognito::UserPoolResourceServer');
    expect(server.Identifier).toBe('bridge');
    const names = (server.Scopes as { ScopeName: string }[]).map((scope) => `bridge/${scope.ScopeName}`);
    expect(names.sort()).toEqual(Object.values(ROLE_SCOPES).sort());
  });

  it("gives the console a public PKCE client whose only callback is the console's own distribution", () => {
    const clients = Object.values(resourcesOfType(s.template, 'AWS::Cognito::UserPoolClient')).map(
      (c) => c.Properties ?? {},
    );
    const console = clients.find((c) => (c.AllowedOAuthFlows as string[]).includes('code'));
    if (!console) throw new Error('no console client');
    expect(console.GenerateSecret).toBe(false);
    expect(console.AllowedOAuthFlows).toEqual(['code']);
    const distribution = logicalIdOf(s.stack, s.stack.bridge.consoleSite?.distribution ?? { node: {} });
    expect(JSON.stringify(console.CallbackURLs)).toContain(distribution);
    // `console.scopes`: openid, and bridge/admin as the resource server's (its identifier is a Ref, then `/admin`).
    expect(console.AllowedOAuthScopes).toContain('openid');
    expect(JSON.stringify(console.AllowedOAuthScopes)).toContain('/admin"');
  });

  it('gives the back office a client-credentials client with a secret, and the API trusts the pool and both clients', () => {
    const clients = Object.values(resourcesOfType(s.template, 'AWS::Cognito::UserPoolClient')).map(
      (c) => c.Properties ?? {},
    );
    const machine = clients.find((c) => (c.AllowedOAuthFlows as string[]).includes('client_credentials'));
    if (!machine) throw new Error('no back-office client');
    expect(machine.GenerateSecret).toBe(true);
    const authorizer = only('AWS::ApiGatewayV2::Authorizer').JwtConfiguration as {
      Issuer: unknown;
      Audience: unknown[];
    };
    const pool = logicalIdOf(s.stack, s.stack.bridge.identityProvider?.userPool ?? { node: {} });
    expect(JSON.stringify(authorizer.Issuer)).toContain(pool);
    expect(authorizer.Audience).toHaveLength(2);
    const outputs = Object.keys(s.template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(expect.arrayContaining(['UserPoolId', 'BackOfficeClientId', 'TokenEndpoint']));
  });

  it("runs the guide's `bridge verify` example from the stack's outputs alone: no placeholder, every output there", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('### `bridge verify`'),
      readme.indexOf('With your own issuer'),
    );
    const start = section.indexOf('```sh');
    const block = section.slice(start, section.indexOf('```', start + 5));
    expect(block).toContain('pnpm bridge verify');
    expect(block).not.toMatch(/<[\w-]+>/);
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const named = [...new Set([...block.matchAll(/\$\(out (\w+)\)/g)].map((m) => m[1] ?? ''))].sort();
    expect(named).toEqual(['ApiUrl', 'BackOfficeClientId', 'TokenEndpoint', 'UserPoolId']);
    for (const name of named) expect(Object.keys(outputs), name).toContain(name);
    expect(block).toMatch(/--token-url "\$\(out TokenEndpoint\)"/);
    expect(block).toMatch(/--client-id "\$\(out BackOfficeClientId\)"/);
    // The token endpoint is the pool domain's (the stack creates the domain: verify needs no discovery).
    const domain = logicalIdOf(s.stack, s.stack.bridge.identityProvider?.domain ?? { node: {} });
    const endpoint = JSON.stringify(outputs.TokenEndpoint?.Value);
    expect(endpoint).toContain(domain);
    expect(endpoint).toContain('/oauth2/token');
    // The scope it asks for is one the back-office client may ask for.
    const [identifier, scopeName] = (block.match(/--scope (\S+)/)?.[1] ?? '').split('/');
    const server = Object.values(resourcesOfType(s.template, 'AWS::Cognito::UserPoolResourceServer'))
      .map((r) => r.Properties ?? {})
      .find((p) => p.Identifier === identifier);
    if (!server) throw new Error(`no resource server ${identifier}`);
    expect((server.Scopes as { ScopeName: string }[]).map((scope) => scope.ScopeName)).toContain(scopeName);
    const machine = Object.values(resourcesOfType(s.template, 'AWS::Cognito::UserPoolClient'))
      .map((c) => c.Properties ?? {})
      .find((c) => (c.AllowedOAuthFlows as string[]).includes('client_credentials'));
    expect(JSON.stringify(machine?.AllowedOAuthScopes)).toContain(`/${scopeName}"`);
  });
});
