import { describe, expect, it } from 'vitest';
import { chargePolicyFrom } from './charging-commands';
import { runBridgeCli } from './run-cli';

const usage = (message: string) => new Error(message);

describe('chargePolicyFrom', () => {
  it('sets every day from all=, then a day’s own target over it', () => {
    const policy = chargePolicyFrom(['all=80@07:00', 'sat=50@10:30'], 'Europe/Vienna', usage);
    expect(policy.mon).toEqual({ charge_percentage: 80, charge_deadline: '07:00' });
    expect(policy.sat).toEqual({ charge_percentage: 50, charge_deadline: '10:30' });
    expect(policy.timezone).toBe('Europe/Vienna');
  });

  it('refuses a malformed day and a week with days missing, naming them', () => {
    expect(() => chargePolicyFrom(['mon=80'], undefined, usage)).toThrow(/<day>=<percent>@<HH:MM>/);
    expect(() => chargePolicyFrom(['mon=80@07:00'], undefined, usage)).toThrow(/missing: tue, wed/);
  });
});

/** The CLI against a recording fetch: which request each command makes, and what it prints. */
async function bridge(
  args: string[],
  answer: { status: number; body?: unknown } = { status: 200, body: {} },
) {
  const requests: { method: string; url: string; body: string | null }[] = [];
  let stdout = '';
  let stderr = '';
  const fetch = (async (input: Request) => {
    requests.push({ method: input.method, url: input.url, body: input.body ? await input.text() : null });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: answer.body === undefined ? {} : { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  const code = await runBridgeCli(args, {
    env: { BRIDGE_API_URL: 'https://bridge.example', BRIDGE_TOKEN: 't' },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch,
  });
  return { code, requests, stdout, stderr };
}

const EV = '11111111-2222-4333-8444-555555555555';
const WB = '66666666-7777-4888-8999-aaaaaaaaaaaa';

describe('the charging commands', () => {
  it.each([
    [['devices', 'list', 'u-1', '--max-age', '0'], 'GET', '/users/u-1/devices?max_age_seconds=0'],
    [['electric-vehicles', 'boost', 'u-1', EV], 'POST', `/users/u-1/electric-vehicles/${EV}/boost`],
    [['electric-vehicles', 'disarm', 'u-1', EV], 'DELETE', `/users/u-1/electric-vehicles/${EV}/boost`],
    [
      ['electric-vehicles', 'charge-policy', 'u-1', EV],
      'GET',
      `/users/u-1/electric-vehicles/${EV}/charge-policy`,
    ],
    [
      [
        'electric-vehicles',
        'sessions',
        'u-1',
        EV,
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-31',
        '--limit',
        '10',
      ],
      'GET',
      `/users/u-1/electric-vehicles/${EV}/sessions?from=2026-01-01&to=2026-01-31&limit=10`,
    ],
    [
      ['electric-vehicles', 'sessions', 'u-1', EV, '--current'],
      'GET',
      `/users/u-1/electric-vehicles/${EV}/sessions/current`,
    ],
    [['wallboxes', 'boost', 'u-1', WB], 'POST', `/users/u-1/wallboxes/${WB}/boost`],
    [['wallboxes', 'cancel-boost', 'u-1', WB], 'DELETE', `/users/u-1/wallboxes/${WB}/boost`],
    [['wallboxes', 'claim-token', 'u-1'], 'POST', '/users/u-1/wallboxes/claim-tokens'],
    [['charging-config', 'get', 'u-1'], 'GET', '/users/u-1/charging-config'],
  ])('%j calls %s %s', async (args, method, path) => {
    const run = await bridge(args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.requests.map((r) => [r.method, r.url])).toEqual([[method, `https://bridge.example${path}`]]);
  });

  it('sends the week and the mode as bodies', async () => {
    const policy = await bridge(['electric-vehicles', 'charge-policy', 'u-1', EV, '--day', 'all=70@06:30']);
    expect(policy.requests[0]?.method).toBe('PUT');
    expect(JSON.parse(policy.requests[0]?.body ?? '{}')).toMatchObject({
      mon: { charge_percentage: 70, charge_deadline: '06:30' },
      sun: { charge_percentage: 70, charge_deadline: '06:30' },
    });
    const mode = await bridge(['charging-config', 'set', 'u-1', '--mode', 'spot']);
    expect(mode.requests[0]).toMatchObject({ method: 'PUT', body: '{"mode":"spot"}' });
  });

  it('exits 1 with the API’s refusal on stderr, and 2 on a usage mistake before any request', async () => {
    const refused = await bridge(['electric-vehicles', 'boost', 'u-1', EV], {
      status: 409,
      body: { error: { code: 'boost_refused', message: 'no', reason: 'already_charging', state: 'ongoing' } },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already_charging');
    const noRange = await bridge(['electric-vehicles', 'sessions', 'u-1', EV]);
    expect(noRange.code).toBe(2);
    expect(noRange.requests).toEqual([]);
    const partial = await bridge(['electric-vehicles', 'charge-policy', 'u-1', EV, '--day', 'mon=80@07:00']);
    expect(partial.code).toBe(2);
    expect(partial.requests).toEqual([]);
  });
});
