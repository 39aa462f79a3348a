/**
 * The simulated clock. Token expiry, onboarding-session expiry and the living heat pumps all read it,
 * so tests can jump ten hours ahead without waiting.
 *
 * - `manual`: time stands still unless advanced or set (deterministic tests).
 * - `realtime`: time flows with the wall clock from the start instant; advance/set shift it.
 */
export type ClockMode = 'manual' | 'realtime';

export class SimClock {
  private offsetMs: number;

  constructor(
    private readonly mode: ClockMode,
    startMs: number,
    private readonly wallNow: () => number = Date.now,
  ) {
    this.offsetMs = mode === 'realtime' ? startMs - wallNow() : startMs;
  }

  nowMs(): number {
    return this.mode === 'realtime' ? this.wallNow() + this.offsetMs : this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  advance(seconds: number): Date {
    this.offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  set(at: Date | number): Date {
    const target = typeof at === 'number' ? at : at.getTime();
    this.offsetMs += target - this.nowMs();
    return this.now();
  }
}
