/**
 * The user's charging configuration (CC1, CC2): the steering mode EV charging follows (`none`, `spot`,
 * `hems`, `hems_and_spot`). A mode the user's devices cannot support is Podero's 422 naming the field;
 * passed on as the API's 400 naming it (`body.mode`), never with Podero's own words. A write Podero took is
 * a tracked change (charging-config-changes.ts), settled by the read-back after it, by every GET, and by
 * the sync.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type ChargingConfig,
  type ChargingConfigRequest,
  InvalidChargingConfigError,
} from '@podero-bridge/podero-client';
import type { DeviceChange } from '../domain/devices/changes';
import { newChargingConfigChange } from '../domain/devices/charging-config-change';
import { InvalidError, UnknownUserError } from '../domain/errors';
import { type ChangeView, changeViewOf } from './change-schemas';
import type { ChargingConfigChanges } from './charging-config-changes';
import {
  type ChargingConfigAnswer,
  type ChargingConfigBody,
  type ChargingConfigWriteAnswer,
  chargingConfigAnswerOf,
} from './charging-schemas';
import { type PoderoUserIdLookup, UnknownChangeError } from './service';

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

export interface ChargingConfigServiceDeps {
  podero: ChargingConfigUpstream;
  findPoderoUserId: PoderoUserIdLookup;
  changes: ChargingConfigChanges;
  now?: () => number;
  random?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

export class ChargingConfigService {
  constructor(private readonly deps: ChargingConfigServiceDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async poderoUserId(externalUserId: string): Promise<string> {
    const id = await this.deps.findPoderoUserId(externalUserId);
    if (id === null) throw new UnknownUserError(externalUserId);
    return id;
  }

  /** CC1, live: a read of the configuration observes it and settles its open changes. */
  async get(externalUserId: string): Promise<ChargingConfigAnswer> {
    const userId = await this.poderoUserId(externalUserId);
    const config = await this.deps.podero.chargingConfig.get(userId);
    await this.settleQuietly(externalUserId, config, new Date(this.now()).toISOString());
    return chargingConfigAnswerOf(config);
  }

  /**
   * CC2, recorded as a tracked change (`control` `charging_config`, its field `mode`) once Podero took
   * it, then read back by CC1 (an answer to a write echoes it and observes nothing): that read answers the
   * caller and may already settle the change. A failed read-back answers CC2's own answer, the change
   * pending, rather than an error that would make the caller write again.
   */
  async put(
    externalUserId: string,
    body: ChargingConfigBody,
    by = 'unknown',
  ): Promise<ChargingConfigWriteAnswer> {
    const userId = await this.poderoUserId(externalUserId);
    let written: ChargingConfig;
    try {
      written = await this.deps.podero.chargingConfig.put(userId, body);
    } catch (error) {
      if (error instanceof InvalidChargingConfigError)
        throw new ChargingConfigRefusedError(error.fields, error);
      throw error;
    }
    const change = await this.deps.changes.record(
      newChargingConfigChange({
        externalUserId,
        mode: body.mode,
        requestedAtMs: this.now(),
        by,
        ...(this.deps.random ? { random: this.deps.random } : {}),
      }),
    );
    let read: ChargingConfig;
    try {
      read = await this.deps.podero.chargingConfig.get(userId);
    } catch (error) {
      this.deps.logger?.warn('the read-back of a charging configuration failed', {
        error_name: (error as Error).name,
      });
      return { ...chargingConfigAnswerOf(written), change: changeViewOf(change) };
    }
    // The read began after the change was recorded: it observes it even on a clock that did not move
    // (only an observation after the request counts, domain/devices/changes.ts settleChange).
    const observedAt = new Date(Math.max(this.now(), Date.parse(change.requestedAt) + 1)).toISOString();
    const settled = await this.settleQuietly(externalUserId, read, observedAt);
    const mine = settled.find((candidate) => candidate.id === change.id) ?? change;
    return { ...chargingConfigAnswerOf(read), change: changeViewOf(mine) };
  }

  /**
   * Settles by a read, never failing the request over it: Podero answered, the caller gets the answer, and
   * a change left pending is settled by the next read or the sync (the profile's flag stays up).
   */
  private async settleQuietly(
    externalUserId: string,
    config: ChargingConfig,
    observedAt: string,
  ): Promise<readonly DeviceChange[]> {
    try {
      return await this.deps.changes.settle(externalUserId, config, observedAt);
    } catch (error) {
      this.deps.logger?.warn('charging configuration changes not settled by this read', {
        error_name: (error as Error).name,
      });
      return [];
    }
  }

  /** One page of the user's configuration changes, newest first (the user must exist). */
  async listChanges(
    externalUserId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: ChangeView[]; next_cursor: string | null }> {
    await this.poderoUserId(externalUserId);
    const page = await this.deps.changes.list(externalUserId, query.limit, query.cursor);
    return { items: page.changes.map(changeViewOf), next_cursor: page.nextCursor };
  }

  async getChange(externalUserId: string, changeId: string): Promise<{ change: ChangeView }> {
    await this.poderoUserId(externalUserId);
    const change = await this.deps.changes.get(externalUserId, changeId);
    if (change === null) throw new UnknownChangeError();
    return { change: changeViewOf(change) };
  }
}
