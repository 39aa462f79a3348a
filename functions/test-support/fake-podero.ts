/**
 * Fakes of the Podero client for tests that script one kind's answers: the other kinds' lists, empty, so a
 * fake satisfies the sync's client type (a user with no such devices is never asked about them).
 */
import type { DeviceJson } from '../src/domain/devices/state';

const nothing = async (_userId: string): Promise<DeviceJson[]> => [];

export const noDevicesOfOtherKinds = {
  electricVehicles: { list: nothing },
  wallboxes: { list: nothing },
  inverters: { list: nothing },
};
