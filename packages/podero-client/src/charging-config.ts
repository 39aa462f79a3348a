/** `client.chargingConfig` (CC1, CC2): the user's charging configuration, which EV charging follows. */
import {
  type ChargingConfig,
  type ChargingConfigRequest,
  chargingConfigRequestSchema,
  chargingConfigSchema,
} from './charging-config-schemas';
import { asInvalidChargingConfig } from './errors';
import type { RequestContext } from './request-context';

export interface ChargingConfigResource {
  /** CC1. */
  get(userId: string): Promise<ChargingConfig>;
  /**
   * CC2. A mode the user cannot have (no inverter for `hems`, say) is refused with an
   * InvalidChargingConfigError naming the field(s).
   */
  put(userId: string, body: ChargingConfigRequest): Promise<ChargingConfig>;
}

export function createChargingConfigResource(ctx: RequestContext): ChargingConfigResource {
  const template = '/org/{org_id}/users/{user_id}/charging-config';
  const path = (method: 'GET' | 'PUT', userId: string) =>
    `${ctx.org}/users/${ctx.id(method, template, 'userId', userId)}/charging-config`;
  return {
    async get(userId) {
      return ctx.call('chargingConfig.get', 'GET', path('GET', userId), {}, chargingConfigSchema);
    },
    async put(userId, body) {
      const target = path('PUT', userId);
      const valid = ctx.check('PUT', template, 'body', chargingConfigRequestSchema, body);
      return ctx.call(
        'chargingConfig.put',
        'PUT',
        target,
        { body: valid, refineError: asInvalidChargingConfig },
        chargingConfigSchema,
      );
    },
  };
}
