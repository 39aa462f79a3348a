import { describe, expect, it } from 'vitest';
import { forecastFrom, runBridgeCli } from './run-cli';

function recordingIo() {
  const requests: { method: string; url: string; body: string | null; accept: string | null }[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const fetchStub = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push({
      method: request.method,
      url: request.url,
      body: request.body ? await request.text() : null,
      accept: request.headers.get('accept'),
    });
    if (request.url.endsWith('/curves.csv')) {
      return new Response('start,price_eur_mwh\r\n2026-10-24T22:00:00Z,-3\r\n', {
        headers: { 'content-type': 'text/csv' },
      });
    }
    return Response.json({ state: 'curves_ready' });
  };
  return {
    requests,
    out,
    err,
    io: {
      env: { BRIDGE_API_URL: 'https://bridge.example', BRIDGE_TOKEN: 't' },
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      fetch: fetchStub as typeof fetch,
    },
  };
}

describe('bridge trading', () => {
  it('reads a forecast file as JSON (object or list) or CSV with start,price_eur_mwh', () => {
    const one = { start: '2026-10-24T22:00:00Z', price_eur_mwh: -3.5 };
    expect(forecastFrom(JSON.stringify({ prices: [one] }))).toEqual({ prices: [one] });
    expect(forecastFrom(JSON.stringify([one]))).toEqual({ prices: [one] });
    expect(forecastFrom('price_eur_mwh,start\r\n-3.5,2026-10-24T22:00:00Z\r\n')).toEqual({ prices: [one] });
    expect(() => forecastFrom('when,price\n1,2')).toThrow('start,price_eur_mwh');
  });

  it('confirms and rejects through the confirmation route', async () => {
    const { io, requests } = recordingIo();
    expect(await runBridgeCli(['trading', 'confirm', 'DE_LU', '2026-10-25'], io)).toBe(0);
    expect(await runBridgeCli(['trading', 'reject', 'DE_LU', '2026-10-25'], io)).toBe(0);
    expect(requests.map((r) => [r.method, new URL(r.url).pathname, r.body])).toEqual([
      ['POST', '/trading/day-ahead/DE_LU/days/2026-10-25/confirmation', '{"accepted":true}'],
      ['POST', '/trading/day-ahead/DE_LU/days/2026-10-25/confirmation', '{"accepted":false}'],
    ]);
  });

  it('prints the curves CSV as it came', async () => {
    const { io, out, requests } = recordingIo();
    expect(await runBridgeCli(['trading', 'curves', 'AT', '2026-10-25'], io)).toBe(0);
    expect(requests[0]?.accept).toBe('text/csv');
    expect(out.join('')).toBe('start,price_eur_mwh\r\n2026-10-24T22:00:00Z,-3\r\n');
  });
});
