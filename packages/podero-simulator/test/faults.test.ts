import { describe, expect, it } from 'vitest';
import { FaultEngine, parseFaultsJson, UnknownFaultRouteError } from '../src/faults';

const ROUTES = new Set(['GET /api/partners/v2.0/org/{org_id}/users', 'POST /oauth2/token/']);
const USERS = 'GET /api/partners/v2.0/org/{org_id}/users';

describe('fault engine', () => {
  it('applies a counted rule to exactly the next n matching requests', () => {
    const engine = new FaultEngine(1, ROUTES);
    engine.set([{ route: USERS, status: 503, count: 2 }]);
    expect(engine.decide('POST /oauth2/token/', null).outcome).toBeNull();
    expect(engine.decide(USERS, null).outcome).toEqual({
      kind: 'status',
      status: 503,
      retryAfterSeconds: undefined,
    });
    expect(engine.decide(USERS, null).outcome?.kind).toBe('status');
    expect(engine.decide(USERS, null).outcome).toBeNull();
    expect(engine.list()).toEqual([]);
  });

  it('gives 429 a default Retry-After of 1 second', () => {
    const engine = new FaultEngine(1, ROUTES);
    engine.set([{ status: 429 }]);
    expect(engine.decide(USERS, null).outcome).toEqual({ kind: 'status', status: 429, retryAfterSeconds: 1 });
  });

  it('fires a rate-limited rule for about that share of requests, reproducibly for a seed', () => {
    const fired = (seed: number) => {
      const engine = new FaultEngine(seed, ROUTES);
      engine.set([{ status: 500, rate: 0.3 }]);
      return Array.from({ length: 1000 }, () => engine.decide(USERS, null).outcome !== null);
    };
    const share = fired(7).filter(Boolean).length / 1000;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    expect(fired(7)).toEqual(fired(7));
  });

  it('only hits requests for the listed users', () => {
    const engine = new FaultEngine(1, ROUTES);
    engine.set([{ drop_connection: true, user_ids: ['u-1'] }]);
    expect(engine.decide(USERS, 'u-2').outcome).toBeNull();
    expect(engine.decide(USERS, null).outcome).toBeNull();
    expect(engine.decide(USERS, 'u-1').outcome).toEqual({ kind: 'drop' });
  });

  it('adds up latencies and keeps the first terminal outcome', () => {
    const engine = new FaultEngine(1, ROUTES);
    engine.set([{ latency_ms: 100 }, { latency_ms: { min: 10, max: 20 }, timeout: true }, { status: 500 }]);
    const decision = engine.decide(USERS, null);
    expect(decision.latencyMs).toBeGreaterThanOrEqual(110);
    expect(decision.latencyMs).toBeLessThanOrEqual(120);
    expect(decision.outcome).toEqual({ kind: 'timeout' });
  });

  it('refuses a rule for an unknown route, naming it', () => {
    const engine = new FaultEngine(1, ROUTES);
    expect(() => engine.set([{ route: 'GET /api/partners/v2.0/org/{org_id}/user' }])).toThrow(
      UnknownFaultRouteError,
    );
  });

  it('parses faults from JSON (array or {rules}) and names the bad field', () => {
    expect(parseFaultsJson('[{"status":503}]', 'PODERO_SIM_FAULTS')).toEqual([{ status: 503 }]);
    expect(parseFaultsJson('{"rules":[{"latency_ms":5}]}', 'x')).toEqual([{ latency_ms: 5 }]);
    expect(() => parseFaultsJson('[{"status":404}]', 'PODERO_SIM_FAULTS')).toThrow(
      /PODERO_SIM_FAULTS: 0.status/,
    );
    expect(() => parseFaultsJson('nope', '--faults')).toThrow('--faults: not valid JSON');
  });
});
