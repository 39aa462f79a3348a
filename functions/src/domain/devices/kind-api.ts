/**
 * A device kind's face in the HTTP API, as plain data: its resource path segment, path parameter, the names
 * its operations and OpenAPI schemas are built from, the summaries the route declarations carry, its
 * controls' routes and which per-device extras it has. Plain data with no runtime imports, because
 * `declarations.ts` (read by the CDK app) builds the kind's route declarations from it; the kind's behaviour
 * (view, controls' checks and Podero calls) is in its kind module, which points at this.
 */

/** A control's route: what the declarations and the OpenAPI document need (its body and check: the kind's). */
export interface DeviceControlRoute {
  /** The control in the kind's `controls` (`settings`). */
  readonly name: string;
  readonly operationId: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  /** Below the device's path: '' is the device itself, `/boost` a sub-resource. */
  readonly path: string;
  /** The route declaration's summary. */
  readonly summary: string;
  /** The 200 answer's description (the answer is the device read, live). */
  readonly answer: string;
  /** What the request log says once the control went through (with the changed fields). */
  readonly logMessage: string;
}

export interface DeviceKindApi {
  /** The kind's name (`heat_pump`): the one-device answer's field. */
  readonly name: string;
  /** Path segment of the kind's resource under a user (`heat-pumps`). */
  readonly resource: string;
  /** Path parameter naming one device (`heat_pump_id`). */
  readonly idParam: string;
  /** `HeatPump`, `HeatPumps`: operation ids (`getHeatPump`, `listHeatPumps`) and OpenAPI names. */
  readonly singular: string;
  readonly plural: string;
  /** `heat pump`, `heat pumps`, `a heat pump`: in summaries and descriptions. */
  readonly noun: string;
  readonly nounPlural: string;
  readonly aNoun: string;
  readonly controls: readonly DeviceControlRoute[];
  /** Podero offers statistics for the kind (`GET .../statistics`: H6, heat pumps only). */
  readonly statistics: boolean;
  /** Podero offers savings for the kind (`GET .../savings`: H7, E12, Appendix B's inverter savings). */
  readonly savings: boolean;
  /** A lapsed connection can be repaired by signing in again (`POST .../reauthentication`). */
  readonly reauthentication: boolean;
}

/** The operation ids of a kind's routes (the controls' are declared, the others built from the names). */
export type DeviceOperationId<A extends DeviceKindApi> = A extends DeviceKindApi
  ?
      | `list${A['plural']}`
      | `get${A['singular']}`
      | `delete${A['singular']}`
      | `list${A['singular']}Readings`
      | `get${A['singular']}ReadingCoverage`
      | `list${A['singular']}Changes`
      | `get${A['singular']}Change`
      | A['controls'][number]['operationId']
      | (A['reauthentication'] extends true ? `start${A['singular']}Reauthentication` : never)
      | (A['statistics'] extends true ? `get${A['singular']}Statistics` : never)
      | (A['savings'] extends true ? `get${A['singular']}Savings` : never)
  : never;

/** The operation ids of a kind's routes, by what they do. */
export function deviceOperationIds<A extends DeviceKindApi>(api: A) {
  return {
    list: `list${api.plural}` as `list${A['plural']}`,
    get: `get${api.singular}` as `get${A['singular']}`,
    delete: `delete${api.singular}` as `delete${A['singular']}`,
    readings: `list${api.singular}Readings` as `list${A['singular']}Readings`,
    coverage: `get${api.singular}ReadingCoverage` as `get${A['singular']}ReadingCoverage`,
    changes: `list${api.singular}Changes` as `list${A['singular']}Changes`,
    change: `get${api.singular}Change` as `get${A['singular']}Change`,
    reauthentication: `start${api.singular}Reauthentication` as `start${A['singular']}Reauthentication`,
    statistics: `get${api.singular}Statistics` as `get${A['singular']}Statistics`,
    savings: `get${api.singular}Savings` as `get${A['singular']}Savings`,
  };
}
