import type { ScheduleDeclaration } from '@podero-bridge/functions/declarations';

/** The outcome of one schedule run. */
export interface ScheduleRun {
  schedule: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  /** What the target function returned (ok) or the error message (not ok). */
  result: unknown;
}

export interface SchedulerOptions<S extends ScheduleDeclaration> {
  schedules: readonly S[];
  /** Invokes the schedule's target with its declared payload. */
  invoke: (schedule: S) => Promise<unknown>;
  /** Speed-up factor: 60 runs a 15-minute schedule every 15 seconds. Default 1. */
  speed?: number;
  /** Whether the timers run; `runNow` works either way. Default true. */
  timers?: boolean;
  log?: (message: string) => void;
  /** Injectable timers, so tests need no real waiting. */
  setInterval?: (callback: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
  now?: () => number;
}

export interface Scheduler {
  readonly names: readonly string[];
  /**
   * Runs a schedule now. Runs of one schedule never overlap: if one is in progress, this waits for
   * it and then starts a new run (several callers waiting share that one follow-up run).
   */
  runNow(name: string): Promise<ScheduleRun>;
  /** Periods in milliseconds after the speed-up, by schedule name. */
  readonly periodsMs: Readonly<Record<string, number>>;
  /** Stops the timers and waits for runs in progress. */
  close(): Promise<void>;
}

export class UnknownScheduleError extends Error {
  constructor(readonly scheduleName: string) {
    super(`unknown schedule "${scheduleName}"`);
    this.name = 'UnknownScheduleError';
  }
}

/** A local EventBridge Scheduler: one timer per declared schedule, no overlapping runs. */
export function createScheduler<S extends ScheduleDeclaration>(options: SchedulerOptions<S>): Scheduler {
  const {
    schedules,
    invoke,
    speed = 1,
    timers = true,
    log = () => {},
    setInterval: startTimer = (callback, ms) => setInterval(callback, ms),
    clearInterval: stopTimer = (handle) => clearInterval(handle as NodeJS.Timeout),
    now = Date.now,
  } = options;
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new Error(`schedule speed must be a positive number, got ${speed}`);

  const byName = new Map(schedules.map((s) => [s.name, s]));
  const running = new Map<string, Promise<ScheduleRun>>();
  const queued = new Map<string, Promise<ScheduleRun>>();
  const handles: unknown[] = [];
  const periodsMs: Record<string, number> = {};
  let closed = false;

  function start(schedule: S): Promise<ScheduleRun> {
    const started = now();
    const run = (async (): Promise<ScheduleRun> => {
      try {
        const result = await invoke(schedule);
        return {
          schedule: schedule.name,
          startedAt: new Date(started).toISOString(),
          durationMs: now() - started,
          ok: true,
          result,
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${schedule.name} failed: ${message}`);
        return {
          schedule: schedule.name,
          startedAt: new Date(started).toISOString(),
          durationMs: now() - started,
          ok: false,
          result: message,
        };
      }
    })().finally(() => running.delete(schedule.name));
    running.set(schedule.name, run);
    return run;
  }

  function runNow(name: string): Promise<ScheduleRun> {
    const schedule = byName.get(name);
    if (schedule === undefined) return Promise.reject(new UnknownScheduleError(name));
    const current = running.get(name);
    if (current === undefined) return start(schedule);
    const waiting = queued.get(name);
    if (waiting !== undefined) return waiting;
    const followUp = current.then(() => {
      queued.delete(name);
      return start(schedule);
    });
    queued.set(name, followUp);
    return followUp;
  }

  for (const schedule of schedules) {
    const periodMs = Math.max(1, Math.round((schedule.everyMinutes * 60_000) / speed));
    periodsMs[schedule.name] = periodMs;
    if (!timers) continue;
    handles.push(
      startTimer(() => {
        if (closed) return;
        // EventBridge would start another invocation; locally we skip the tick, so that a slow run
        // (a long sync) is never doubled up.
        if (running.has(schedule.name)) {
          log(`${schedule.name}: previous run still in progress, skipping this tick`);
          return;
        }
        void start(schedule).then((run) => {
          if (run.ok) log(`${schedule.name} ran in ${run.durationMs} ms`);
        });
      }, periodMs),
    );
  }

  return {
    names: schedules.map((s) => s.name),
    periodsMs,
    runNow,
    async close() {
      closed = true;
      for (const handle of handles) stopTimer(handle);
      await Promise.allSettled([...running.values(), ...queued.values()]);
    },
  };
}
