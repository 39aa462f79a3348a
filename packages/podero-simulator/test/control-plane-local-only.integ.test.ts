import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { startTestSimulator } from '../src/testing';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

/** One exchange with the headers exactly as given (fetch would set Host itself). */
function raw(method: string, path: string, headers: Record<string, string>, body = '') {
  const { hostname, port } = new URL(sim.baseUrl);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = request(
      { host: hostname, port, method, path, headers: { 'content-length': String(body.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const ownHost = () => new URL(sim.baseUrl).host;
const faultRule = JSON.stringify({ rules: [{ route: '*', status: 500 }] });

describe('the control plane answers this machine only', () => {
  it('refuses a DNS-rebinding Host, for reads and writes, and changes nothing', async () => {
    const host = `evil.example:${new URL(sim.baseUrl).port}`;
    const read = await raw('GET', '/__sim/faults', { host });
    expect(read.status).toBe(403);
    expect(read.text).not.toContain('rules');
    const write = await raw('PUT', '/__sim/faults', { host, 'content-type': 'application/json' }, faultRule);
    expect(write.status).toBe(403);
    expect(sim.control.getFaults()).toEqual([]);
  });

  it('refuses a cross-site simple POST (another Origin, or Sec-Fetch-Site: cross-site)', async () => {
    const before = sim.control.now().toISOString();
    const advance = JSON.stringify({ advance_seconds: 3600 });
    const plain = { host: ownHost(), 'content-type': 'text/plain' };
    expect(
      (await raw('POST', '/__sim/clock', { ...plain, origin: 'http://evil.example' }, advance)).status,
    ).toBe(403);
    expect(
      (await raw('POST', '/__sim/clock', { ...plain, 'sec-fetch-site': 'cross-site' }, advance)).status,
    ).toBe(403);
    expect(sim.control.now().toISOString()).toBe(before);
  });

  it('still serves tools and tests, which send no Origin, and a page of its own origin', async () => {
    const byFetch = await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: faultRule,
    });
    expect(byFetch.status).toBe(200);
    expect(sim.control.getFaults()).toHaveLength(1);
    const own = await raw('DELETE', '/__sim/faults', { host: ownHost(), origin: sim.baseUrl });
    expect(own.status).toBe(200);
    const byName = await raw('GET', '/__sim/faults', { host: `localhost:${new URL(sim.baseUrl).port}` });
    expect(JSON.parse(byName.text)).toEqual({ rules: [] });
  });
});
