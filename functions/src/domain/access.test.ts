import { describe, expect, it } from 'vitest';
import { ADMIN_SCOPE, accessRule, gatewayScopesFor, ROLE_SCOPES, roleCovers, roleOfScopes } from './access';

describe('the roles', () => {
  it('are ordered: admin holds support holds viewer, never the other way', () => {
    const table = (['viewer', 'support', 'admin'] as const).map((held) =>
      (['viewer', 'support', 'admin'] as const).map((required) => roleCovers(held, required)),
    );
    expect(
      (['viewer', 'support', 'admin'] as const).map((required) => roleCovers(undefined, required)),
    ).toEqual([false, false, false]);
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('are the scopes bridge/viewer, bridge/support and bridge/admin', () => {
    expect(ROLE_SCOPES).toEqual({
      viewer: 'bridge/viewer',
      support: 'bridge/support',
      admin: 'bridge/admin',
    });
    expect(ADMIN_SCOPE).toBe('bridge/admin');
  });

  it('a token holds the highest role among its scopes, and none without one', () => {
    expect(roleOfScopes(['openid', 'bridge/viewer'])).toBe('viewer');
    expect(roleOfScopes(['bridge/viewer', 'bridge/support'])).toBe('support');
    expect(roleOfScopes(['bridge/admin', 'bridge/viewer'])).toBe('admin');
    expect(roleOfScopes(['bridge/support', 'bridge/admin'])).toBe('admin');
    expect(roleOfScopes(['bridge/user', 'bridge/admins'])).toBeUndefined();
    expect(roleOfScopes([])).toBeUndefined();
  });
});

describe('accessRule', () => {
  it('reads the least role and whether the end user may call the route too', () => {
    expect(accessRule('public')).toBeUndefined();
    expect(accessRule('viewer')).toEqual({ role: 'viewer', owner: false });
    expect(accessRule('admin')).toEqual({ role: 'admin', owner: false });
    expect(accessRule('self-or-viewer')).toEqual({ role: 'viewer', owner: true });
    expect(accessRule('self-or-support')).toEqual({ role: 'support', owner: true });
    expect(accessRule('self-or-admin')).toEqual({ role: 'admin', owner: true });
  });
});

describe('gatewayScopesFor', () => {
  it("requires the scope of a role route's role or of a higher one, and none on public or end users' routes", () => {
    expect(gatewayScopesFor('viewer')).toEqual(['bridge/viewer', 'bridge/support', 'bridge/admin']);
    expect(gatewayScopesFor('support')).toEqual(['bridge/support', 'bridge/admin']);
    expect(gatewayScopesFor('admin')).toEqual(['bridge/admin']);
    expect(gatewayScopesFor('public')).toBeUndefined();
    expect(gatewayScopesFor('self-or-viewer')).toBeUndefined();
    expect(gatewayScopesFor('self-or-admin')).toBeUndefined();
  });
});
