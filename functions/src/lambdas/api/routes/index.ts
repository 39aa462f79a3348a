/**
 * The route registry: operationId -> implementation. Method, path and access rule come from
 * `routeDeclarations` (declarations.ts); the OpenAPI document and the dispatcher both read this map.
 * Adding a route module = one import + one spread below; the `satisfies` makes a missing or misspelt
 * operationId a type error.
 */
import type { OperationId } from '../../../declarations';
import * as buildings from './buildings';
import * as energyContracts from './energy-contracts';
import * as heatPumps from './heat-pumps';
import * as insights from './insights';
import * as meta from './meta';
import * as onboarding from './onboarding';
import * as operator from './operator';
import * as reauthentication from './reauthentication';
import type { RouteDefinition } from './types';
import * as users from './users';
import * as webhooks from './webhooks';

export const routeRegistry = {
  ...meta,
  ...users,
  ...buildings,
  ...onboarding,
  ...heatPumps,
  ...insights,
  ...energyContracts,
  ...operator,
  ...reauthentication,
  ...webhooks,
} satisfies Record<OperationId, RouteDefinition>;

export function routeFor(operationId: OperationId): RouteDefinition {
  return routeRegistry[operationId];
}
