/**
 * The user's charging configuration (CC1, CC2): the steering mode EV charging follows (`none`, `spot`,
 * `hems`, `hems_and_spot`). A mode the user's devices cannot support is Podero's 422 naming the field;
 * passed on as the API's 400 naming it (`body.mode`), never with Podero's own words.
 */
import {
  type ChargingConfig,
  type ChargingConfigRequest,
  InvalidChargingConfigError,
} from '@podero-bridge/podero-client';
import { InvalidError, UnknownUserError } from '../domain/errors';
import {
  type ChargingConfigAnswer,
  type ChargingConfigBody,
  chargingConfigAnswerOf,
} from './charging-schemas';
import type { PoderoUserIdLookup } from './service';

export interface ChargingConfigUpstream {
  chargingConfig: {
    get(userId: string): Promise<ChargingConfig>;
    put(userId: string, body: ChargingConfigRequest): Promise<ChargingConfig>;
  };
}

/** Podero refused the configuration: the fields it named (`mode` when it named none). */
export class ChargingConfigRefusedError extends InvalidError {
  override readonly name = 'ChargingConfigRefusedError';
  constructor(fields: readonly string[], cause: unknown) {
    const named = fields.length > 0 ? fields : ['mode'];
    super('Podero refused the charging configuration', {
      summary: 'the charging configuration is not available to this user',
      fields: named.map((field) => ({
        field: `body.${field}`,
        message: 'not available to this user (GET the charging configuration for the reasons)',
      })),
      cause,
    });
  }
}

export class ChargingConfigService {
  constructor(
    private readonly deps: { podero: ChargingConfigUpstream; findPoderoUserId: PoderoUserIdLookup },
  ) {}

  private async poderoUserId(externalUserId: string): Promise<string> {
    const id = await this.deps.findPoderoUserId(externalUserId);
    if (id === null) throw new UnknownUserError(externalUserId);
    return id;
  }

  async get(externalUserId: string): Promise<ChargingConfigAnswer> {
    const userId = await this.poderoUserId(externalUserId);
    return chargingConfigAnswerOf(await this.deps.podero.chargingConfig.get(userId));
  }

  async put(externalUserId: string, body: ChargingConfigBody): Promise<ChargingConfigAnswer> {
    const userId = await this.poderoUserId(externalUserId);
    try {
      return chargingConfigAnswerOf(await this.deps.podero.chargingConfig.put(userId, body));
    } catch (error) {
      if (error instanceof InvalidChargingConfigError)
        throw new ChargingConfigRefusedError(error.fields, error);
      throw error;
    }
  }
}
