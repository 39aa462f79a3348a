/**
 * Write faults per device (issue 35): a device whose vendor cloud accepts a write and never applies it, or
 * applies it late. Podero answers the write as usual (200, the device as it stands: the write is not in it
 * yet); the settings change when the fault lets them, on the simulator's clock. Set through the control plane:
 *
 *   PUT    /__sim/devices/{device_id}/write-fault   {"mode": "ignore"} | {"mode": "delay", "delay_seconds": n}
 *   DELETE /__sim/devices/{device_id}/write-fault   (writes queued by a delay still land when due)
 *
 * And per user, of the user's own writes (CC2, the charging configuration: its mode stays as it was, or
 * changes late), the same bodies: `PUT | DELETE /__sim/users/{user_id}/write-fault`.
 *
 * A delayed write lands at the first API request at or after its time (every request flushes what is due),
 * so a read after the clock moved sees it, as a read of a real device would.
 */
import * as z from 'zod';

export const writeFaultSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('ignore') }),
  z.strictObject({
    mode: z.literal('delay'),
    delay_seconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400),
  }),
]);
export type WriteFault = z.infer<typeof writeFaultSchema>;

/** The key of a user's fault among the devices' (ids of both are UUIDs: the prefix keeps them apart). */
export const userWriteFaultKey = (userId: string): string => `user:${userId}`;

interface QueuedWrite {
  readonly dueMs: number;
  readonly apply: () => void;
}

export class WriteFaults {
  private readonly byDevice = new Map<string, WriteFault>();
  private queued: QueuedWrite[] = [];

  set(deviceId: string, fault: WriteFault): void {
    this.byDevice.set(deviceId, fault);
  }

  clear(deviceId: string): void {
    this.byDevice.delete(deviceId);
  }

  reset(): void {
    this.byDevice.clear();
    this.queued = [];
  }

  list(): Record<string, WriteFault> {
    return Object.fromEntries(this.byDevice);
  }

  /** Applies a write to `deviceId` now, never, or later, as its fault says (now when it has none). */
  write(deviceId: string, nowMs: number, apply: () => void): void {
    const fault = this.byDevice.get(deviceId);
    if (fault === undefined) apply();
    else if (fault.mode === 'delay') this.queued.push({ dueMs: nowMs + fault.delay_seconds * 1000, apply });
  }

  /** Applies the queued writes that are due; true when any landed. */
  flush(nowMs: number): boolean {
    const due = this.queued.filter((write) => write.dueMs <= nowMs);
    if (due.length === 0) return false;
    this.queued = this.queued.filter((write) => write.dueMs > nowMs);
    for (const write of due.sort((a, b) => a.dueMs - b.dueMs)) write.apply();
    return true;
  }
}
