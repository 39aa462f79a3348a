/**
 * The route registry: operationId -> implementation. Method, path and access rule come from
 * `routeDeclarations` (declarations.ts); the OpenAPI document and the dispatcher both read this map.
 * Adding a route module = one import + one spread below; the `satisfies` makes a missing or misspelt
 * operationId a type error.
 */
import type { OperationId } from '../../../declarations';
import type { DeviceOperationId } from '../../../domain/devices/kind-api';
import { deviceKinds } from '../../../domain/devices/kinds';
import * as allDevices from './all-devices';
import * as audit from './audit';
import * as buildings from './buildings';
import * as charging from './charging';
import { deviceRoutes } from './devices';
import * as energyContracts from './energy-contracts';
import * as history from './history';
import * as insights from './insights';
import * as meta from './meta';
import * as onboarding from './onboarding';
import * as operator from './operator';
import * as reauthentication from './reauthentication';
import * as statements from './statements';
import * as trading from './trading';
import type { RouteDefinition } from './types';
import * as users from './users';
import * as webhooks from './webhooks';

/** Every kind's routes, generated from the kind (devices.ts). */
const devices = Object.assign({}, ...deviceKinds.map((kind) => deviceRoutes(kind))) as Record<
  DeviceOperationId<(typeof deviceKinds)[number]['api']>,
  RouteDefinition
>;

export const routeRegistry = {
  ...meta,
  ...users,
  ...buildings,
  ...onboarding,
  ...devices,
  ...insights,
  ...energyContracts,
  ...operator,
  ...history,
  ...reauthentication,
  ...webhooks,
  ...trading,
  ...allDevices,
  ...charging,
  ...audit,
  ...statements,
} satisfies Record<OperationId, RouteDefinition>;

export function routeFor(operationId: OperationId): RouteDefinition {
  return routeRegistry[operationId];
}
