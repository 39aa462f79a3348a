import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, type Claims, userClaims } from '../../../test-support/api-event';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../../test-support/environment';
import { seedOnboardedUsers } from '../../../test-support/seed-users';
import { loadRelayConfig } from '../../config';
import { createRecordingMetrics } from '../../platform/observability';
import type { TimelineItem, TimelinePage } from '../../users/timeline';
import { createRelayDeps } from '../eventRelay/deps';
import { makeRelayHandler } from '../eventRelay/handler';
import type { ApiHandler } from './handler';

/**
 * The customer timeline: a support agent's optimisation switch appears on it twice, as the write (with its
 * actor) and as the change event the relay published; pages walk the merge newest first without losing or
 * repeating an item; the customer reads its own timeline and no one else's.
 */
const support = (sub: string): Claims => ({ sub, scope: 'bridge/support' });
const viewer = (sub: string): Claims => ({ sub, scope: 'bridge/viewer' });

describe('the customer timeline, against dynalite, the simulator and the local AWS', () => {
  let env: TestEnvironment;
  let api: ApiHandler;
  let relay: ReturnType<typeof makeRelayHandler>;
  let clock = Date.now();
  const now = () => clock;
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnvironment();
    api = env.createApiHandler({ now });
    relay = makeRelayHandler(
      createRelayDeps(loadRelayConfig(env.apiEnv), {
        logger: silentLogger('eventRelay'),
        metrics: createRecordingMetrics(),
        now,
      }),
    );
  });
  afterAll(async () => env?.close());

  async function customerWithHeatPump() {
    const [user] = env.sim.control.seed({
      users: 1,
      heatPumpsPerUser: 1,
      externalIdPrefix: `timeline-${++n}`,
    }).users;
    if (!user) throw new Error('seeding failed');
    await seedOnboardedUsers(env.aws.db, env.aws.tableNames.main, [
      { externalUserId: user.external_user_id, poderoUserId: user.id },
    ]);
    return { ext: user.external_user_id, heatPumpId: user.heat_pump_ids[0] ?? '' };
  }

  const switchOptimisation = async (ext: string, heatPumpId: string, on: boolean, agent: string) => {
    clock += 1_000;
    const res = await api(
      apiEvent('updateHeatPump', {
        params: { external_user_id: ext, heat_pump_id: heatPumpId },
        body: { is_smart_optimization_active: on },
        claims: support(agent),
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
  };

  const timeline = async (ext: string, query: Record<string, string> = {}, claims = viewer('agent-viewer')) =>
    api(apiEvent('getUserTimeline', { params: { external_user_id: ext }, query, claims }));
  const pageOf = async (ext: string, query: Record<string, string> = {}) => {
    const res = await timeline(ext, query);
    expect(res.statusCode, res.body).toBe(200);
    return bodyOf<TimelinePage>(res);
  };
  const keyOf = (item: TimelineItem) =>
    item.source === 'event' ? `event:${item.event.id}` : `audit:${item.audit.request_id}`;

  it("shows a support agent's optimisation switch as the write with its actor and as the published event", async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    await switchOptimisation(ext, heatPumpId, false, 'agent-7');
    await relay({ source: 'local' });

    const { items } = await pageOf(ext);
    const write = items.find((item) => item.source === 'audit');
    expect(write?.source === 'audit' && write.audit).toMatchObject({
      actor: 'agent-7',
      role: 'support',
      action: 'updateHeatPump',
      outcome: 'succeeded',
      changes: { is_smart_optimization_active: false },
    });
    const switched = items.find(
      (item) => item.source === 'event' && item.event.type === 'heat_pump.optimization_changed',
    );
    expect(switched?.source === 'event' && switched.event.data).toMatchObject({
      external_user_id: ext,
      heat_pump_id: heatPumpId,
      is_smart_optimization_active: false,
    });
    // Newest first across both sources.
    const times = items.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('walks the merge a page at a time, newest first, each item once', async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    for (const [i, on] of [false, true, false, true].entries()) {
      await switchOptimisation(ext, heatPumpId, on, `agent-${i}`);
      await relay({ source: 'local' });
    }
    const whole = await pageOf(ext, { limit: '100' });
    expect(whole.next_cursor).toBeNull();
    expect(whole.items.filter((item) => item.source === 'audit')).toHaveLength(4);
    expect(
      whole.items.filter(
        (item) => item.source === 'event' && item.event.type === 'heat_pump.optimization_changed',
      ).length,
    ).toBeGreaterThanOrEqual(3);

    const walked: TimelineItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: TimelinePage = await pageOf(ext, { limit: '3', ...(cursor === null ? {} : { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      walked.push(...page.items);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(walked.map(keyOf)).toEqual(whole.items.map(keyOf));
  });

  it("lets the customer read its own timeline and no one else's; refuses another customer's cursor", async () => {
    const ann = await customerWithHeatPump();
    const bob = await customerWithHeatPump();
    await switchOptimisation(ann.ext, ann.heatPumpId, false, 'agent-1');
    await switchOptimisation(ann.ext, ann.heatPumpId, true, 'agent-1');
    await relay({ source: 'local' });

    expect((await timeline(ann.ext, {}, userClaims(ann.ext))).statusCode).toBe(200);
    expect((await timeline(ann.ext, {}, userClaims(bob.ext))).statusCode).toBe(403);

    const first = await pageOf(ann.ext, { limit: '1' });
    expect(first.next_cursor).not.toBeNull();
    const misused = await timeline(bob.ext, { cursor: first.next_cursor ?? '' });
    expect(misused.statusCode, misused.body).toBe(400);
  });
});
