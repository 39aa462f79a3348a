/**
 * Every kind's API face (kind-api.ts), in the order of `deviceKinds` (kinds.test.ts checks both agree): apart
 * from the registry because declarations.ts imports it, and it must not pull a kind's behaviour (zod, the
 * event rules) into the CDK app.
 */
import { electricVehicleApi } from './electric-vehicle-api';
import { heatPumpApi } from './heat-pump-api';
import { inverterApi } from './inverter-api';
import { wallboxApi } from './wallbox-api';

export const deviceKindApis = [heatPumpApi, electricVehicleApi, wallboxApi, inverterApi] as const;

/** Every kind's name (`heat_pump`, ...), for the answers that name a device's kind (`type`, `device_kind`). */
export const DEVICE_KIND_NAMES = deviceKindApis.map((api) => api.name) as [
  (typeof deviceKindApis)[number]['name'],
  ...(typeof deviceKindApis)[number]['name'][],
];
export type DeviceKindName = (typeof DEVICE_KIND_NAMES)[number];
