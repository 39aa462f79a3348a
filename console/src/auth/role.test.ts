import { describe, expect, it } from 'vitest';
import { may, roleOfToken } from './role';

const tokenWith = (claims: Record<string, unknown>) =>
  `e30.${btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('roleOfToken', () => {
  it('reads the highest role among the scopes, in either claim and either form', () => {
    expect(roleOfToken(tokenWith({ scope: 'openid bridge/viewer' }))).toBe('viewer');
    expect(roleOfToken(tokenWith({ scope: 'bridge/viewer bridge/support' }))).toBe('support');
    expect(roleOfToken(tokenWith({ scp: ['bridge/admin', 'bridge/viewer'] }))).toBe('admin');
  });

  it('finds no role in an end user’s token, a look-alike scope or a token that does not decode', () => {
    expect(roleOfToken(tokenWith({ scope: 'bridge/user' }))).toBeUndefined();
    expect(roleOfToken(tokenWith({ scope: 'bridge/admins [bridge/admin]' }))).toBeUndefined();
    expect(roleOfToken(tokenWith({ scope: 42 }))).toBeUndefined();
    expect(roleOfToken('not-a-token')).toBeUndefined();
    expect(roleOfToken('a.%%%.c')).toBeUndefined();
  });
});

describe('may', () => {
  it('lets a role do what it and every lower role may, and nobody without a role', () => {
    expect(may('viewer', 'viewer')).toBe(true);
    expect(may('viewer', 'support')).toBe(false);
    expect(may('support', 'support')).toBe(true);
    expect(may('support', 'admin')).toBe(false);
    expect(may('admin', 'support')).toBe(true);
    expect(may(undefined, 'viewer')).toBe(false);
  });
});
