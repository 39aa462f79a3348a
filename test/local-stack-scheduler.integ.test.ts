import { scheduleDeclarations } from '@podero-bridge/functions/declarations';
import {
  createJwtAuthorizer,
  createScheduler,
  DEV_AUDIENCE,
  DEV_ISSUER,
  generateSigningKey,
  startLocalGateway,
} from '@podero-bridge/local';
import { describe, expect, it } from 'vitest';

type Schedule = (typeof scheduleDeclarations)[number];

/** A promise the test resolves by hand, to hold a run "in progress". */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Timers the test fires by hand: no real waiting. */
function manualTimers() {
  const callbacks: { callback: () => void; ms: number }[] = [];
  return {
    setInterval: (callback: () => void, ms: number) => {
      callbacks.push({ callback, ms });
      return callbacks.length - 1;
    },
    clearInterval: () => {},
    fire: (index: number) => callbacks[index]?.callback(),
    periods: () => callbacks.map((c) => c.ms),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('local scheduler', () => {
  it('runs every declared schedule at its interval, divided by the speed-up factor', () => {
    const timers = manualTimers();
    const scheduler = createScheduler({
      schedules: scheduleDeclarations,
      invoke: async () => 'ok',
      speed: 60,
      ...timers,
    });
    expect(scheduler.names).toEqual(scheduleDeclarations.map((s) => s.name));
    expect(timers.periods()).toEqual(scheduleDeclarations.map((s) => (s.everyMinutes * 60_000) / 60));
    expect(scheduler.periodsMs['heat-pump-sync']).toBe(15_000);
  });

  it('delivers the declared payload to the target function on each tick', async () => {
    const timers = manualTimers();
    const invoked: Schedule[] = [];
    const scheduler = createScheduler({
      schedules: scheduleDeclarations,
      invoke: async (schedule) => {
        invoked.push(schedule);
      },
      ...timers,
    });
    timers.fire(1);
    await flush();
    expect(invoked.map((s) => [s.function, s.payload])).toEqual([['heatPumpSync', { source: 'schedule' }]]);
    await scheduler.close();
  });

  it('never overlaps runs of one schedule: ticks during a run are skipped, run-now waits and runs once after', async () => {
    const timers = manualTimers();
    const gates = [deferred(), deferred()];
    let started = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const skipped: string[] = [];
    const scheduler = createScheduler({
      schedules: scheduleDeclarations,
      invoke: async (schedule) => {
        if (schedule.name !== 'heat-pump-sync') return 'other';
        const gate = gates[started];
        started += 1;
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await gate?.promise;
        concurrent -= 1;
        return { run: started };
      },
      log: (message) => skipped.push(message),
      ...timers,
    });

    const first = scheduler.runNow('heat-pump-sync');
    await flush();
    expect(started).toBe(1);

    timers.fire(1); // a tick while the run is in progress
    const second = scheduler.runNow('heat-pump-sync');
    const third = scheduler.runNow('heat-pump-sync');
    await flush();
    expect(started).toBe(1);
    expect(skipped.some((m) => m.includes('still in progress'))).toBe(true);

    // Another schedule is independent.
    await expect(scheduler.runNow('token-refresh')).resolves.toMatchObject({ ok: true, result: 'other' });

    gates[0]?.resolve();
    await expect(first).resolves.toMatchObject({ schedule: 'heat-pump-sync', ok: true, result: { run: 1 } });
    await flush();
    expect(started).toBe(2);
    gates[1]?.resolve();
    const [secondRun, thirdRun] = await Promise.all([second, third]);
    expect(secondRun).toBe(thirdRun);
    expect(secondRun.result).toEqual({ run: 2 });
    expect(maxConcurrent).toBe(1);
    await scheduler.close();
  });

  it('reports a failed run without throwing, and rejects unknown schedules', async () => {
    const scheduler = createScheduler({
      schedules: scheduleDeclarations,
      timers: false,
      invoke: async () => {
        throw new Error('upstream down');
      },
    });
    await expect(scheduler.runNow('token-refresh')).resolves.toMatchObject({
      ok: false,
      result: 'upstream down',
    });
    await expect(scheduler.runNow('nope')).rejects.toThrow(/unknown schedule "nope"/);
  });

  it('refuses a speed-up factor that is not a positive number', () => {
    expect(() =>
      createScheduler({ schedules: scheduleDeclarations, invoke: async () => 0, speed: 0 }),
    ).toThrow(/positive number/);
  });

  it('runs a schedule now over HTTP at POST /__local/schedules/<name>/run', async () => {
    const key = await generateSigningKey();
    let syncRuns = 0;
    const scheduler = createScheduler({
      schedules: scheduleDeclarations,
      timers: false,
      invoke: async (schedule) => {
        if (schedule.name === 'heat-pump-sync') syncRuns += 1;
        return { target: schedule.function };
      },
    });
    const gateway = await startLocalGateway({
      functions: {},
      authorizer: createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      jwks: key.jwks,
      scheduler,
    });
    try {
      const res = await fetch(`${gateway.url}/__local/schedules/heat-pump-sync/run`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        schedule: 'heat-pump-sync',
        ok: true,
        result: { target: 'heatPumpSync' },
      });
      expect(syncRuns).toBe(1);

      const unknown = await fetch(`${gateway.url}/__local/schedules/not-declared/run`, { method: 'POST' });
      expect(unknown.status).toBe(404);
      const wrongMethod = await fetch(`${gateway.url}/__local/schedules/heat-pump-sync/run`);
      expect(wrongMethod.status).toBe(404);
      expect(syncRuns).toBe(1);
    } finally {
      await gateway.close();
      await scheduler.close();
    }
  });
});
