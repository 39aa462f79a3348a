/**
 * Every kind's API face (kind-api.ts), in the order of `deviceKinds` (kinds.test.ts checks both agree): apart
 * from the registry because declarations.ts imports it, and it must not pull a kind's behaviour (zod, the
 * event rules) into the CDK app.
 */
import { heatPumpApi } from './heat-pump-api';

export const deviceKindApis = [heatPumpApi] as const;
