import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const links = {
  onboarding_success_url: 'https://app.example.com/ok',
  onboarding_cancel_url: 'https://app.example.com/cancel',
  reauthentication_success_url: 'https://app.example.com/ok',
  reauthentication_cancel_url: 'https://app.example.com/cancel',
};
const answer = (body: unknown, status = 200) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('config.json', () => {
  it('accepts the dev and the OIDC shape', async () => {
    const dev = {
      stage: 'local',
      api_url: '',
      auth: { mode: 'dev', session_url: '/s' },
      customer_links: links,
    };
    expect(await loadConfig(answer(dev), '/config.json')).toEqual(dev);
    const oidc = {
      stage: 'prod',
      api_url: 'https://api.example.com',
      auth: { mode: 'oidc', issuer: 'https://issuer.example.com', client_id: 'c', scopes: ['openid'] },
      customer_links: links,
    };
    expect(await loadConfig(answer(oidc), '/config.json')).toEqual(oidc);
  });

  it('names the field that is wrong, and refuses a secret it has no place for', async () => {
    const bad = {
      stage: 'x',
      api_url: 'not a url',
      auth: { mode: 'dev', session_url: '/s' },
      customer_links: links,
    };
    await expect(loadConfig(answer(bad), '/c.json')).rejects.toThrow(/\/c\.json: api_url: /);
    const secret = {
      stage: 'x',
      api_url: '',
      auth: {
        mode: 'oidc',
        issuer: 'https://i.example.com',
        client_id: 'c',
        scopes: ['openid'],
        client_secret: 's',
      },
      customer_links: links,
    };
    await expect(loadConfig(answer(secret), '/c.json')).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(answer({}, 404), '/c.json')).rejects.toThrow('/c.json answered 404');
  });
});
