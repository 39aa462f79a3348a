/**
 * Device health faults (control plane, not part of Podero), for a device of any kind:
 * - **stop reporting**: the device stays authenticated but its state freezes (a vendor cloud outage, a device
 *   offline at home): `current_state_last_updated_at` and the state fields stay as they were at the stop, what
 *   the contract gives a client to notice it by; Podero's statuses are left as they were (the contract does not
 *   say that Podero flags it, so the simulator does not help);
 * - **steering status**: Podero reports `steering_status` `warning` or `error` for the device until cleared.
 * Over HTTP: `POST /__sim/devices/{id}/health` `{reporting?: "stopped" | "live", steering_status?: "warning" |
 * "error" | null}`; in-process: `sim.control.setDeviceHealth`.
 */
import * as z from 'zod';
import type { SimCore, SimResponse } from './core';
import { iso } from './core';
import { findDevice } from './device-kinds';
import { parseOr422, SimHttpError } from './errors';
import { STEERING_FAULT_STATUSES, type SteeringFaultStatus } from './model/device-health';
import type { DeviceRecord } from './store';

export { reportingNowMs, STEERING_FAULT_STATUSES, steeringFaultOf } from './model/device-health';

export interface DeviceHealthFault {
  /** `stopped`: the state freezes now (kept frozen if already stopped); `live`: it moves again. */
  reporting?: 'stopped' | 'live';
  /** The `steering_status` Podero reports until cleared (null). */
  steeringStatus?: SteeringFaultStatus | null;
}

export interface DeviceHealthFaultState {
  device_id: string;
  reporting: 'stopped' | 'live';
  reporting_stopped_at: string | null;
  steering_status: SteeringFaultStatus | null;
}

export class UnknownHealthDeviceError extends Error {
  constructor(readonly deviceId: string) {
    super(`unknown device ${deviceId}`);
  }
}

export function setDeviceHealth(
  core: SimCore,
  deviceId: string,
  fault: DeviceHealthFault,
): DeviceHealthFaultState {
  const device = findDevice(core, deviceId);
  if (!device || device.record.deleted_at !== null) throw new UnknownHealthDeviceError(deviceId);
  const record = device.record;
  if (fault.reporting === 'stopped' && !record.reporting_stopped_at) {
    record.reporting_stopped_at = iso(core.clock.nowMs());
  } else if (fault.reporting === 'live') {
    record.reporting_stopped_at = null;
  }
  if (fault.steeringStatus !== undefined) record.steering_fault = fault.steeringStatus;
  core.changed();
  return healthFaultStateOf(record);
}

function healthFaultStateOf(record: DeviceRecord): DeviceHealthFaultState {
  return {
    device_id: record.id,
    reporting: record.reporting_stopped_at ? 'stopped' : 'live',
    reporting_stopped_at: record.reporting_stopped_at ?? null,
    steering_status: record.steering_fault ?? null,
  };
}

const healthBodySchema = z
  .strictObject({
    reporting: z.enum(['stopped', 'live']).optional(),
    steering_status: z.enum(STEERING_FAULT_STATUSES).nullable().optional(),
  })
  .refine((body) => body.reporting !== undefined || body.steering_status !== undefined, {
    message: 'give reporting or steering_status',
  });

const DEVICE_HEALTH = /^POST \/__sim\/devices\/([^/]+)\/health$/;

/** Handles `POST /__sim/devices/{id}/health`; null for any other route. */
export function handleDeviceHealthControl(
  core: SimCore,
  route: string,
  body: () => unknown,
): SimResponse | null {
  const match = DEVICE_HEALTH.exec(route);
  if (!match) return null;
  const parsed = parseOr422(healthBodySchema, body(), ['body']);
  try {
    return {
      status: 200,
      json: setDeviceHealth(core, decodeURIComponent(match[1] ?? ''), {
        ...(parsed.reporting === undefined ? {} : { reporting: parsed.reporting }),
        ...(parsed.steering_status === undefined ? {} : { steeringStatus: parsed.steering_status }),
      }),
    };
  } catch (error) {
    if (error instanceof UnknownHealthDeviceError) throw new SimHttpError(404, { detail: 'Unknown device' });
    throw error;
  }
}
