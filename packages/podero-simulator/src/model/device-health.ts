/**
 * What the views need of a device's health faults (device-health-faults.ts sets them): the instant its reported
 * state describes and the steering status a fault imposes. A leaf, so the views and the living models read it
 * without importing the control plane.
 */
import type { SimCore } from '../core';
import type { DeviceRecord } from '../store';

export type SteeringFaultStatus = NonNullable<DeviceRecord['steering_fault']>;
export const STEERING_FAULT_STATUSES = ['warning', 'error'] as const satisfies readonly SteeringFaultStatus[];

/**
 * The instant a device's reported state describes: now, or the moment its reporting stopped. Everything a view
 * derives from the clock (state time, readings, a car's physics) uses it, so a stopped device answers the same
 * state on every read until it reports again.
 */
export function reportingNowMs(core: SimCore, device: DeviceRecord): number {
  const now = core.clock.nowMs();
  const stopped = device.reporting_stopped_at;
  return stopped === null || stopped === undefined ? now : Math.min(now, Date.parse(stopped));
}

/** The steering status a fault imposes on the device, or null (the model's own). */
export function steeringFaultOf(device: DeviceRecord): SteeringFaultStatus | null {
  return device.steering_fault ?? null;
}
