/**
 * `podero conformance` against the simulator (every check holds) and against a stand-in Podero that differs
 * from the simulator in exactly one way per check (each divergence is reported by its check and only by it).
 * The stand-in sits between the CLI and the simulator and rewrites one request or answer; a "person" (this
 * test) completes the Connect UI when the probe asks for it.
 */

import { runCli } from '@podero-bridge/podero-cli';
import { CHECKS as CONTRACT_CHECKS } from '@podero-bridge/podero-cli/conformance';
import { DEVICE_CHECKS } from '@podero-bridge/podero-cli/conformance/devices';
import { TRADING_CHECKS } from '@podero-bridge/podero-cli/conformance/trading';
import type { FetchInit, FetchLike, FetchResponseLike } from '@podero-bridge/podero-client';
import type { Simulator } from '@podero-bridge/podero-simulator';
import { api, issueToken, startTestSimulator } from '@podero-bridge/podero-simulator/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Every check in the order the probe runs them. */
const CHECKS = [...CONTRACT_CHECKS, ...TRADING_CHECKS, ...DEVICE_CHECKS];

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ clock: 'realtime' });
  // A customer's home with a battery in use (no sun: it discharges), for the battery-sign check to read.
  const [home] = sim.control.seed({ users: 1, heatPumpsPerUser: 0 }).users;
  const inverter = sim.control.addDevice(home?.id ?? '', { kind: 'inverter', withBattery: true });
  sim.control.driveInverter(inverter.id, { battery_level: 60, sun: 0 });
  // The battery moves only when Podero's HEMS steers it: a car in the home, and the mode `hems`.
  sim.control.addDevice(home?.id ?? '', { kind: 'electric_vehicle' });
  const token = await issueToken(sim);
  const mode = await api(sim, token, 'PUT', `/org/${sim.orgId}/users/${home?.id ?? ''}/charging-config`, {
    mode: 'hems',
  });
  expect(mode.status).toBe(200);
});
afterAll(() => sim.close());

const direct: FetchLike = (url, init) => fetch(url, { ...init, redirect: 'manual' });

/** An answer rewritten by the stand-in. */
function answer(status: number, body: string, headers: Record<string, string> = {}): FetchResponseLike {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, headers: { get: (name) => lower[name.toLowerCase()] ?? null }, text: async () => body };
}

async function rewriteJson(
  res: FetchResponseLike,
  edit: (json: unknown) => unknown,
): Promise<FetchResponseLike> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return answer(res.status, text);
  }
  return answer(res.status, JSON.stringify(edit(json)), { 'content-type': 'application/json' });
}

type Variant = (
  url: URL,
  init: FetchInit,
  next: (url: string, init: FetchInit) => Promise<FetchResponseLike>,
) => Promise<FetchResponseLike>;

const API = '/api/partners/v2.0';
const body = (init: FetchInit) => (init.body ? (JSON.parse(init.body) as Record<string, unknown>) : {});

/** One divergence from the simulator per check id. */
const VARIANTS: Record<string, Variant> = {
  'token.path.trailing-slash': async (url, init, next) =>
    url.pathname === '/oauth2/token/'
      ? answer(404, 'Not Found')
      : url.pathname === '/oauth2/token'
        ? next(`${url.origin}/oauth2/token/`, init)
        : next(url.href, init),
  'token.expires-in': async (url, init, next) => {
    const res = await next(url.href, init);
    return url.pathname.startsWith('/oauth2/token')
      ? rewriteJson(res, (j) => ({ ...(j as object), expires_in: '10h' }))
      : res;
  },
  'auth.invalid-token.401': async (url, init, next) => {
    const res = await next(url.href, init);
    return init.headers.authorization === 'Bearer not-a-real-token'
      ? answer(403, '{"detail":"Forbidden"}')
      : res;
  },
  'errors.not-found.404': async (url, init, next) => {
    const res = await next(url.href, init);
    return res.status === 404 ? answer(404, '<html>Not Found</html>', { 'content-type': 'text/html' }) : res;
  },
  'errors.validation.422': async (url, init, next) => {
    const res = await next(url.href, init);
    return res.status === 422 ? answer(400, '{"detail":"Invalid input"}') : res;
  },
  'users.create.country-field': async (url, init, next) => {
    const res = await next(url.href, init);
    return url.pathname.includes('/users') && init.method === 'POST'
      ? rewriteJson(res, (j) => ({ ...(j as object), country: null }))
      : res;
  },
  'users.create.duplicate-email.409': async (url, init, next) => {
    const res = await next(url.href, init);
    return res.status === 409 ? answer(400, '{"detail":"email taken"}') : res;
  },
  'api.path.trailing-slash': async (url, init, next) =>
    url.pathname.startsWith(API) && url.pathname.endsWith('/')
      ? next(`${url.origin}${url.pathname.replace(/\/+$/, '')}${url.search}`, init)
      : next(url.href, init),
  'heat-pumps.soft-delete.put': async (url, init, next) => {
    if (init.method === 'PUT' && url.pathname.includes('/heat-pumps/')) {
      const { deleted_at: _ignored, ...rest } = body(init);
      return next(url.href, { ...init, body: JSON.stringify(rest) });
    }
    return next(url.href, init);
  },
  'onboarding.object-id.filled': async (url, init, next) => {
    const res = await next(url.href, init);
    return url.pathname.startsWith(`${API}/device-onboarding/`)
      ? rewriteJson(res, (j) => ({ ...(j as object), object_id: null }))
      : res;
  },
  'users.delete.exists': async (url, init, next) =>
    init.method === 'DELETE' && /\/users\/[^/]+$/.test(url.pathname)
      ? answer(405, '{"detail":"Method Not Allowed"}')
      : next(url.href, init),
  'users.by-external-id.include-deleted': async (url, init, next) => {
    if (url.pathname.includes('/by-ext-id/')) url.searchParams.delete('include_deleted');
    return next(url.href, init);
  },
  'users.list.include-deleted': async (url, init, next) => {
    if (url.pathname.endsWith('/users')) url.searchParams.delete('include_deleted');
    return next(url.href, init);
  },
  'trading.variant': async (url, init, next) =>
    url.pathname.includes('/trading/') ? answer(404, '{"detail":"Not Found"}') : next(url.href, init),
  'electric-vehicles.update.put': async (url, init, next) =>
    init.method === 'PUT' && /\/electric-vehicles\/[^/]+$/.test(url.pathname)
      ? answer(405, '{"detail":"Method Not Allowed"}')
      : next(url.href, init),
  'electric-vehicles.charge-policy.put': async (url, init, next) =>
    init.method === 'PUT' && url.pathname.endsWith('/charge-policy')
      ? answer(404, '{"detail":"Not Found"}')
      : next(url.href, init),
  'wallboxes.list-register': async (url, init, next) => {
    const res = await next(url.href, init);
    // A Podero whose list leaves out a box registered through the API.
    return init.method === 'GET' && url.pathname.endsWith('/wallboxes') ? answer(200, '[]') : res;
  },
  'inverters.battery-power.sign': async (url, init, next) => {
    const res = await next(url.href, init);
    // The old guide's sign: + charging.
    return init.method === 'GET' && url.pathname.endsWith('/inverters')
      ? rewriteJson(res, (list) =>
          (list as Record<string, unknown>[]).map((inverter) => ({
            ...inverter,
            battery_charge_discharge_power_w:
              typeof inverter.battery_charge_discharge_power_w === 'number'
                ? -inverter.battery_charge_discharge_power_w
                : inverter.battery_charge_discharge_power_w,
          })),
        )
      : res;
  },
  'inverters.savings.shape': async (url, init, next) => {
    const res = await next(url.href, init);
    // A Podero whose self-consumption is not production minus export.
    return init.method === 'GET' && /\/inverters\/[^/]+\/savings$/.test(url.pathname)
      ? rewriteJson(res, (body) => ({
          ...(body as Record<string, unknown>),
          data: ((body as { data: Record<string, unknown>[] }).data ?? []).map((bucket) => ({
            ...bucket,
            inverter: { ...(bucket.inverter as object), self_consumption_wh: 12_345 },
          })),
        }))
      : res;
  },
  'rate-limit.headers': async (url, init, next) => {
    const res = await next(url.href, init);
    const text = await res.text();
    return answer(res.status, text, {
      'content-type': res.headers.get('content-type') ?? '',
      'X-RateLimit-Remaining': '99',
    });
  },
};

function standIn(variant: Variant | undefined): FetchLike {
  return (url, init) => (variant ? variant(new URL(url), init, direct) : direct(url, init));
}

/** Completes the Connect UI like a person would when the probe prints the link. */
function personAt(line: string): void {
  const link = /complete the Connect UI within \d+ s: (\S+)/.exec(line)?.[1];
  if (!link) return;
  const sessionId = new URL(link).searchParams.get('onboarding_session_id') ?? '';
  void fetch(`${sim.baseUrl}/connect`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'S2125-8',
      username: 'p',
      password: 'p',
    }),
  });
}

async function probe(variant?: Variant, args: string[] = ['--wait-seconds', '20']) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['conformance', '--json', ...args], {
    env: {
      PODERO_BASE_URL: sim.baseUrl,
      PODERO_CLIENT_ID: sim.clientId,
      PODERO_CLIENT_SECRET: sim.clientSecret,
      PODERO_ORG_ID: sim.orgId,
    },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        personAt(chunk);
      },
    },
    fetch: standIn(variant),
  });
  const report = JSON.parse(stdout) as {
    checks: { id: string; verdict: string; expected: string; observed: string }[];
    created: { user_id: string; external_user_id: string }[];
    cleanup: { user_id: string; outcome: string }[];
    trading_variant: string | null;
  };
  return { code, report, stderr };
}

describe('podero conformance', () => {
  it('holds on every check against the simulator, and cleans up after itself', async () => {
    const before = sim.control.counters();
    const { code, report, stderr } = await probe();
    expect(report.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    expect(report.checks.filter((c) => c.verdict !== 'holds')).toEqual([]);
    expect(code).toBe(0);
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
    // It created its own user (named with its prefix), said so, and no user of it is left.
    expect(report.created.length).toBeGreaterThan(0);
    for (const created of report.created) {
      expect(created.external_user_id).toMatch(/^podero-conformance-[0-9a-f]{8}-/);
      expect(stderr).toContain(created.user_id);
    }
    const token = await fetch(`${sim.baseUrl}/oauth2/token/`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{"grant_type":"client_credentials"}',
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const users = (await fetch(`${sim.baseUrl}${API}/org/${sim.orgId}/users`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as { external_user_id: string | null }[];
    expect(users.filter((u) => u.external_user_id?.startsWith('podero-conformance-'))).toEqual([]);
    expect(sim.control.counters().token_issuances).toBeGreaterThan(before.token_issuances);
    // No secret in what it printed.
    expect(JSON.stringify(report) + stderr).not.toContain(sim.clientSecret);
  }, 60_000);

  it.each(['reference', 'guide'] as const)(
    'finds the %s trading variant by reads alone: nothing uploaded, nothing confirmed',
    async (variant) => {
      sim.control.setModes({ tradingVariant: variant });
      try {
        const { code, report } = await probe(undefined, []);
        expect(report.trading_variant).toBe(variant);
        const check = report.checks.find((c) => c.id === 'trading.variant');
        expect(check?.verdict).toBe('holds');
        expect(check?.observed).toMatch(new RegExp(`^${variant} \\(T1 GET prices`));
        expect(code).toBe(0);
        expect(sim.control.trading.snapshot().counters).toEqual({
          uploads_received: 0,
          uploads_accepted: 0,
          confirmations_received: 0,
          confirmations_accepted: 0,
        });
      } finally {
        sim.control.setModes({ tradingVariant: 'reference' });
      }
    },
    60_000,
  );

  it('skips the Connect UI check without --wait-seconds, and prints a table by default', async () => {
    const { report } = await probe(undefined, []);
    expect(report.checks.find((c) => c.id === 'onboarding.object-id.filled')?.verdict).toBe('skipped');
    let table = '';
    const code = await runCli(['conformance'], {
      env: {
        PODERO_BASE_URL: sim.baseUrl,
        PODERO_CLIENT_ID: sim.clientId,
        PODERO_CLIENT_SECRET: sim.clientSecret,
        PODERO_ORG_ID: sim.orgId,
      },
      stdout: { write: (chunk: string) => (table += chunk) },
      stderr: { write: () => undefined },
      fetch: direct,
    });
    expect(code).toBe(0);
    expect(table).toMatch(/^check\s+verdict\s+the bridge assumes\s+observed$/m);
    expect(table).toMatch(/^users\.delete\.exists\s+holds\s+/m);
    expect(table).toContain('19 holds, 0 diverges, 1 skipped');
    expect(table).toContain('day-ahead trading variant: reference');
  }, 60_000);

  it('exits 2 on a bad --wait-seconds or missing configuration', async () => {
    const io = { env: {}, stdout: { write: () => undefined }, stderr: { write: () => undefined } };
    expect(await runCli(['conformance'], io)).toBe(2);
    expect(
      await runCli(['conformance', '--wait-seconds', 'soon'], {
        ...io,
        env: { PODERO_CLIENT_ID: 'a', PODERO_CLIENT_SECRET: 'b', PODERO_ORG_ID: sim.orgId },
      }),
    ).toBe(2);
  });

  it.each(Object.keys(VARIANTS))(
    'a Podero that differs in %s is reported by that check alone',
    async (id) => {
      const { code, report } = await probe(VARIANTS[id]);
      const diverging = report.checks.filter((c) => c.verdict === 'diverges').map((c) => c.id);
      expect(diverging, JSON.stringify(report.checks.filter((c) => c.verdict === 'diverges'))).toEqual([id]);
      expect(code).toBe(1);
      // The checks that could not be told apart without it are skipped, the rest hold.
      const dependents: string[] = [];
      for (const check of CHECKS) {
        if (check.requires?.some((r) => r === id || dependents.includes(r))) dependents.push(check.id);
      }
      for (const check of report.checks) {
        if (check.id === id) continue;
        expect(check.verdict, check.id).toBe(dependents.includes(check.id) ? 'skipped' : 'holds');
      }
    },
    60_000,
  );

  it('has a stand-in variant for every check', () => {
    expect(Object.keys(VARIANTS).sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });
});
