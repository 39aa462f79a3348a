/** Connect UI onboarding sessions: opened at Podero for a user, their state followed until it settles. */
import type { CreateOnboardingSessionRequest, PoderoClient } from '@podero-bridge/podero-client';
import { type DeviceUpstream, deviceKinds } from '../domain/devices/kinds';
import type { DeviceJson } from '../domain/devices/state';
import { UnknownBuildingError, UnknownOnboardingSessionError } from '../domain/errors';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { onboardingSessionEvent } from '../domain/events/rules';
import type { Clock } from '../platform/clock';
import type { BuildingStore } from '../storage/buildings';
import {
  type OnboardingRecord,
  type OnboardingSessionStore,
  sessionValidUntilMs,
} from '../storage/onboarding-sessions';
import type { UserStore } from '../storage/users';
import type { UserService } from './service';

export type OpenSessionInput = Omit<CreateOnboardingSessionRequest, 'user_id'>;

export class OnboardingSessionService {
  constructor(
    private readonly deps: {
      podero: Pick<PoderoClient, 'onboarding'> & DeviceUpstream;
      sessions: OnboardingSessionStore;
      buildings: BuildingStore;
      users: UserService;
      /** Where a completed session records the kind it connected (the sync asks only about a user's kinds). */
      userKinds: Pick<UserStore, 'addDeviceKind'>;
      now: Clock;
    },
  ) {}

  async open(externalUserId: string, input: OpenSessionInput): Promise<OnboardingRecord> {
    const user = await this.deps.users.require(externalUserId);
    if (input.building_id && !(await this.deps.buildings.get(user.external_user_id, input.building_id))) {
      throw new UnknownBuildingError(input.building_id);
    }
    // The devices the user has now: one that appears authenticated later came through this session.
    const known = (await this.listedDevices(user.podero_user_id)).flatMap(({ listed }) =>
      listed.map((device) => device.id),
    );
    const session = await this.deps.podero.onboarding.create({ user_id: user.podero_user_id, ...input });
    const at = new Date(this.deps.now()).toISOString();
    const record: OnboardingRecord = {
      id: session.id,
      authentication_url: session.authentication_url,
      expiration_date: session.expiration_date ?? null,
      building_id: input.building_id ?? null,
      state: 'pending',
      device_id: null,
      known_device_ids: known,
      created_at: at,
      updated_at: at,
    };
    const sk = await this.deps.sessions.put(user.external_user_id, record);
    // Offboarded while Podero answered: what we just wrote goes again.
    await this.deps.users.keepOnlyIfOnboarded(user, [sk]);
    return record;
  }

  /** The session's state: read live from Podero while pending, stored once completed or expired. */
  async state(externalUserId: string, sessionId: string): Promise<OnboardingRecord> {
    const user = await this.deps.users.require(externalUserId);
    const stored = await this.deps.sessions.get(user.external_user_id, sessionId);
    if (!stored) throw new UnknownOnboardingSessionError(sessionId);
    if (stored.state !== 'pending') return stored;

    const live = await this.deps.podero.onboarding.get(stored.id);
    const now = new Date(this.deps.now());
    const validUntil = sessionValidUntilMs(live.expiration_date ?? stored.expiration_date);
    const connected = live.object_id
      ? { id: live.object_id, kind: await this.kindOf(user.podero_user_id, live.object_id) }
      : await this.connectedSince(user.podero_user_id, stored.known_device_ids);
    const deviceId = connected?.id ?? null;
    const state = deviceId
      ? 'completed'
      : validUntil !== undefined && now.getTime() > validUntil
        ? 'expired'
        : 'pending';
    const updated: OnboardingRecord = {
      ...stored,
      state,
      device_id: deviceId,
      device_kind: connected?.kind ?? null,
      updated_at: now.toISOString(),
    };
    if (state === 'completed' && connected?.kind) {
      // Before the session is settled: a poll that fails here polls again and records it then.
      await this.deps.userKinds.addDeviceKind(user.external_user_id, connected.kind, updated.updated_at);
    }
    if (state !== 'pending') {
      await this.deps.sessions.updateState(
        user.external_user_id,
        stored.id,
        state,
        deviceId,
        updated.updated_at,
        outboxEntriesOf(
          [onboardingSessionEvent(user.external_user_id, updated, updated.updated_at)].filter(
            (event) => event !== null,
          ),
        ),
        updated.device_kind ?? null,
      );
    }
    return updated;
  }

  /**
   * Completion that does not rest on `object_id` alone: the user's authenticated device that was not there
   * when the session opened (the oldest such, should there be several). Null when none, or when the
   * session predates the recorded list.
   */
  private async connectedSince(
    poderoUserId: string,
    knownIds: readonly string[] | null | undefined,
  ): Promise<{ id: string; kind: string } | null> {
    if (!knownIds) return null;
    const known = new Set(knownIds);
    const fresh = (await this.listedDevices(poderoUserId)).flatMap(({ kind, listed }) =>
      kind
        .visible(listed, poderoUserId)
        .filter((device) => !known.has(device.id) && device.is_authenticated === true)
        .map((device) => ({ id: device.id, kind: kind.name })),
    );
    return fresh[0] ?? null;
  }

  /** The kind of the user's device Podero named (`object_id`); null if no list shows it (yet). */
  private async kindOf(poderoUserId: string, deviceId: string): Promise<string | null> {
    const found = (await this.listedDevices(poderoUserId)).find(({ listed }) =>
      listed.some((device) => device.id === deviceId),
    );
    return found?.kind.name ?? null;
  }

  /** What Podero lists of the user's devices, kind by kind (in the registry's order). */
  private async listedDevices(poderoUserId: string) {
    const byKind: { kind: (typeof deviceKinds)[number]; listed: DeviceJson[] }[] = [];
    for (const kind of deviceKinds)
      byKind.push({ kind, listed: await kind.list(this.deps.podero, poderoUserId) });
    return byKind;
  }
}
