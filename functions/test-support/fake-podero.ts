/**
 * Fakes of the Podero client for tests that script one kind's answers: the other kinds' lists, empty, so a
 * fake satisfies the sync's client type (a user with no such devices is never asked about them).
 */
import type { DeviceJson } from '../src/domain/devices/state';

const nothing = async (_userId: string): Promise<DeviceJson[]> => [];

/** Never asked: only a vehicle with a charge-policy change open is (the sync's read-back, E8). */
const noPolicy = async (_userId: string, _deviceId: string) => ({ data: null });

/** Never asked: only a user with a charging-configuration change pending is (the sync's read, CC1). */
const noChargingConfig = async (_userId: string) => ({ mode: 'none' });

export const noDevicesOfOtherKinds = {
  chargingConfig: { get: noChargingConfig },
  electricVehicles: { list: nothing, chargePolicy: { get: noPolicy } },
  wallboxes: { list: nothing },
  inverters: { list: nothing },
};
