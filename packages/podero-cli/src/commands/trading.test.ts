import {
  createFakeFetch,
  type Handler,
  json,
  ORG_ID,
  tokenExample,
} from '@podero-bridge/podero-client/testing';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli';

const ENV = {
  PODERO_BASE_URL: 'https://podero.test',
  PODERO_CLIENT_ID: 'cli-client',
  PODERO_CLIENT_SECRET: 'cli-secret-value',
  PODERO_ORG_ID: ORG_ID,
};
const API = '/api/partners/v2.0';

async function run(argv: string[], api: Handler, env: Record<string, string> = ENV) {
  const fake = createFakeFetch((request) =>
    request.path === '/oauth2/token/' ? json(200, tokenExample) : api(request),
  );
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch: fake.fetch,
  });
  return { code, stdout, stderr, apiRequests: fake.requests.filter((r) => r.path !== '/oauth2/token/') };
}

const ninetyTwo = JSON.stringify(Array.from({ length: 92 }, (_, i) => 40 + i));

describe('podero trading', () => {
  it('uploads a clock-change day given as 92 numbers (reference: PATCH with timezone_override)', async () => {
    const result = await run(
      ['trading', 'prices', 'upload', '--day', '2026-03-29', '--zone', 'DE_LU', '--prices', ninetyTwo],
      () => json(200, { state: 'success', next_load_curve_calculation: '2026-03-28T09:30:00Z', error: null }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'accepted', variant: 'reference' });
    const sent = result.apiRequests[0];
    expect(sent?.method).toBe('PATCH');
    expect((sent?.body as { data?: unknown[] } | undefined)?.data).toHaveLength(92);
  });

  it('speaks the guide with --variant guide or PODERO_TRADING_VARIANT', async () => {
    const answer = () => json(200, { state: 'accepted', next_calculation_ready_at: '2026-03-28T09:30:00Z' });
    const args = [
      'trading',
      'prices',
      'upload',
      '--day',
      '2026-03-29',
      '--zone',
      'AT',
      '--prices',
      ninetyTwo,
    ];
    const byFlag = await run([...args, '--variant', 'guide'], answer);
    expect(byFlag.apiRequests[0]?.path).toBe(`${API}/organizations/trading/dayahead/prices`);
    const byEnv = await run(args, answer, { ...ENV, PODERO_TRADING_VARIANT: 'guide' });
    expect(byEnv.apiRequests[0]?.method).toBe('POST');
    expect(await run(args, answer, { ...ENV, PODERO_TRADING_VARIANT: 'intraday' })).toMatchObject({
      code: 2,
    });
  });

  it('refuses a price list that does not fit the day, sending nothing', async () => {
    const result = await run(
      ['trading', 'prices', 'upload', '--day', '2026-03-30', '--zone', 'AT', '--prices', ninetyTwo],
      () => json(200, {}),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('96 quarter-hours');
    expect(result.apiRequests).toHaveLength(0);
  });

  it('confirm needs --yes and one of --accept/--reject; the reference has no confirmation (exit 2)', async () => {
    const args = ['trading', 'confirm', '--day', '2026-03-30', '--zone', 'AT', '--variant', 'guide'];
    const noYes = await run([...args, '--accept'], () => json(200, {}));
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    expect((await run([...args, '--yes'], () => json(200, {}))).code).toBe(2);
    const reference = await run(
      ['trading', 'confirm', '--day', '2026-03-30', '--zone', 'AT', '--accept', '--yes'],
      () => json(200, {}),
    );
    expect(reference.code).toBe(2);
    expect(reference.stderr).toContain('no load-curve confirmation');
    expect([...noYes.apiRequests, ...reference.apiRequests]).toHaveLength(0);
  });

  it('confirms by trade id with --yes', async () => {
    const result = await run(
      [
        'trading',
        'confirm',
        '--day',
        '2026-03-30',
        '--zone',
        'AT',
        '--variant',
        'guide',
        '--trade-id',
        't-1',
        '--reject',
        '--yes',
      ],
      () => json(200, { trade_id: 't-1', accepted: false, state: 'rejected' }),
    );
    expect(result.code).toBe(0);
    expect(result.apiRequests[0]?.body).toEqual({ trade_id: 't-1', accepted: false });
  });

  it('prints {"ready": false} for load curves that are not ready', async () => {
    const result = await run(
      ['trading', 'load-curves', '--day', '2026-03-30', '--zone', 'AT', '--variant', 'guide'],
      () =>
        json(425, {
          detail: 'Load curves are not ready yet.',
          next_calculation_ready_at: '2026-03-29T08:30:00Z',
        }),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ready: false, readyAt: '2026-03-29T08:30:00Z' });
  });
});
