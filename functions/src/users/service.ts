/**
 * Users: onboarding (with its creation lease), reads, updates and offboarding, at Podero and in our
 * table. Routes call this; it calls Podero and the stores.
 *
 * POST /users is idempotent and race-safe without transactions: the first request takes a `creating`
 * lease with a conditional write; only the lease holder talks to Podero, then replaces the lease with the
 * profile (conditional on still holding it). Others wait for the profile. A crashed holder's lease
 * expires and may be taken over.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type PoderoClient,
  PoderoConflictError,
  PoderoNotFoundError,
  type PoderoUser,
} from '@podero-bridge/podero-client';
import { type DevicesUpstream, deviceKinds } from '../domain/devices/kinds';
import {
  CreationInProgressError,
  EmailInUseError,
  OffboardingInProgressError,
  UnknownUserError,
  UserEmailConflictError,
} from '../domain/errors';
import { type BridgeEvent, outboxEntriesOf } from '../domain/events/catalogue';
import { userOffboardedEvent, userOnboardedEvent } from '../domain/events/rules';
import type { ErasureService } from '../erasure/erasure';
import { sleep } from '../platform/backoff';
import type { Clock } from '../platform/clock';
import type { OutboxStore } from '../storage/outbox';
import type { UserSearchStore } from '../storage/user-search';
import type { UserRecord, UserStore } from '../storage/users';

export interface UserProfileInput {
  first_name?: string | undefined;
  last_name?: string | undefined;
  street_and_number?: string | undefined;
  zip_code?: string | undefined;
  town?: string | undefined;
  country?: string | undefined;
}
export type OnboardInput = UserProfileInput & { external_user_id: string; email: string };
/** Partial update; `null` clears an optional field. */
export type UserPatch = { email?: string | undefined } & {
  [K in keyof UserProfileInput]?: string | null | undefined;
};

export interface UserServiceDeps {
  podero: Pick<PoderoClient, 'users'> & DevicesUpstream;
  users: UserStore;
  /** The customer search's terms, written after each profile write (storage/user-search.ts). */
  search: Pick<UserSearchStore, 'indexUser'>;
  /** `user.onboarded`, `user.offboarded` and the offboarded devices' `<kind>.deleted` (domain/events/rules.ts). */
  outbox: OutboxStore;
  /** What the offboarding leaves outside the user's partition (readings, failure record, attempts). */
  erasure: Pick<ErasureService, 'requestForUser'>;
  /** The business clock (platform/clock.ts). */
  now: Clock;
  logger: Pick<Logger, 'info'>;
  /** How long a lease protects one creation, and how long a concurrent duplicate waits for it. */
  creation: { readonly leaseMs: number; readonly waitMs: number; readonly pollMs: number };
}

function recordFrom(
  poderoUser: PoderoUser,
  externalUserId: string,
  createdAt: string,
  updatedAt: string,
): UserRecord {
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
  return {
    external_user_id: externalUserId,
    podero_user_id: poderoUser.id,
    email: poderoUser.email,
    first_name: str(poderoUser.first_name),
    last_name: str(poderoUser.last_name),
    street_and_number: str(poderoUser.street_and_number),
    zip_code: str(poderoUser.zip_code),
    town: str(poderoUser.town),
    country: str(poderoUser.country),
    created_at: createdAt,
    updated_at: updatedAt,
  };
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  /** The onboarded user, or UnknownUserError. Every `/users/{external_user_id}/...` route starts here. */
  async require(externalUserId: string): Promise<UserRecord> {
    const user = await this.deps.users.get(externalUserId);
    if (!user) throw new UnknownUserError(externalUserId);
    return user;
  }

  /** Onboards the user at Podero and records it; `created` is false when it was already onboarded. */
  async onboard(input: OnboardInput): Promise<{ user: UserRecord; created: boolean }> {
    const existing = await this.waitForUserOrLease(input);
    if (existing.kind === 'existing') {
      // A repeated POST finishes what a failed one may have left: nothing to write when the terms are there.
      await this.deps.search.indexUser(input.external_user_id);
      return { user: existing.user, created: false };
    }
    const { leaseId } = existing;
    const externalUserId = input.external_user_id;
    let record: UserRecord;
    try {
      // Podero may already know this user (an earlier attempt created it, then we failed to record it).
      let poderoUser = await this.deps.podero.users
        .getByExternalId(externalUserId)
        .catch((error: unknown) => {
          if (error instanceof PoderoNotFoundError) return undefined;
          throw error;
        });
      if (poderoUser) {
        this.deps.logger.info('user already exists at Podero; linking it');
      } else {
        const { external_user_id: _ext, email, ...profile } = input;
        poderoUser = await this.deps.podero.users
          .create({ role: 'user', email, external_user_id: externalUserId, ...profile })
          .catch(emailInUse);
      }
      const at = new Date(this.deps.now()).toISOString();
      record = recordFrom(poderoUser, externalUserId, at, at);
      // Stored before the profile: a profile never exists without its event. Should the profile write
      // fail, the retried POST links the same Podero user and stores the same event id again.
      await this.storeEvent(userOnboardedEvent(externalUserId, poderoUser.id, at));
      if (!(await this.deps.users.completeCreation(record, leaseId))) {
        throw new Error('lost the user creation lease before recording the user');
      }
    } catch (error) {
      await this.deps.users.releaseCreationLease(externalUserId, leaseId);
      throw error;
    }
    // After the lease is gone: a failure here leaves an onboarded user that the repeated POST indexes.
    await this.deps.search.indexUser(externalUserId);
    return { user: record, created: true };
  }

  /** Waits for an existing user (returned) or wins the creation lease. */
  private async waitForUserOrLease(
    input: OnboardInput,
  ): Promise<{ kind: 'existing'; user: UserRecord } | { kind: 'lease'; leaseId: string }> {
    const { users, now, creation } = this.deps;
    const leaseId = crypto.randomUUID();
    const deadline = Date.now() + creation.waitMs;
    for (;;) {
      const state = await users.getState(input.external_user_id);
      if (state.kind === 'active') {
        if (state.user.email.toLowerCase() !== input.email.toLowerCase()) throw new UserEmailConflictError();
        return { kind: 'existing', user: state.user };
      }
      if (state.kind === 'offboarding') throw new OffboardingInProgressError();
      const free = state.kind === 'absent' || state.leaseExpiresAtMs < now();
      if (
        free &&
        (await users.acquireCreationLease(input.external_user_id, leaseId, now(), creation.leaseMs))
      ) {
        return { kind: 'lease', leaseId };
      }
      if (Date.now() >= deadline) throw new CreationInProgressError();
      await sleep(creation.pollMs);
    }
  }

  async update(externalUserId: string, patch: UserPatch): Promise<UserRecord> {
    const user = await this.require(externalUserId);
    // Podero's PUT is a partial update: only the fields sent change.
    const poderoUser = await this.deps.podero.users.update(user.podero_user_id, patch).catch(emailInUse);
    const record = recordFrom(
      poderoUser,
      user.external_user_id,
      user.created_at,
      new Date(this.deps.now()).toISOString(),
    );
    if (!(await this.deps.users.replace(record))) throw new UnknownUserError(externalUserId);
    // A new name or address finds the customer, the old one no longer (false: offboarded meanwhile).
    if (!(await this.deps.search.indexUser(externalUserId))) throw new UnknownUserError(externalUserId);
    return record;
  }

  /**
   * Offboards the user's devices first (the documented soft delete, `PUT deleted_at`: a Podero that kept
   * devices of a deleted user would otherwise keep optimising them), then deletes the user at Podero, then
   * every record of ours (UserStore.beginOffboarding: marked first,
   * swept second, so no concurrent request can leave an item behind). What lies outside the partition
   * (readings, the sync's failure record, re-authentication attempts) is erased by a queued job,
   * requested before the profile goes (erasure/erasure.ts). An offboarding that failed half-way is
   * finished by calling this again. Returns how many items were removed.
   */
  async offboard(externalUserId: string): Promise<number> {
    const state = await this.deps.users.getState(externalUserId);
    if (state.kind !== 'active' && state.kind !== 'offboarding') throw new UnknownUserError(externalUserId);
    const listedDeviceIds = await this.offboardDevices(externalUserId, state.user.podero_user_id);
    await this.deps.podero.users.delete(state.user.podero_user_id).catch((error: unknown) => {
      // Already gone at Podero (e.g. a retried DELETE): still remove our records.
      if (!(error instanceof PoderoNotFoundError)) throw error;
    });
    // The user is gone at Podero: the event is true from here, and a retried DELETE stores the same id.
    await this.storeEvent(
      userOffboardedEvent(externalUserId, state.user.podero_user_id, new Date(this.deps.now()).toISOString()),
    );
    if (!(await this.deps.users.beginOffboarding(externalUserId))) throw new UnknownUserError(externalUserId);
    const remembered = await this.deps.users.devicesToErase(externalUserId);
    await this.deps.erasure.requestForUser(externalUserId, [...new Set([...listedDeviceIds, ...remembered])]);
    return this.deps.users.deleteAll(externalUserId, this.deps.now());
  }

  private async storeEvent(event: BridgeEvent): Promise<void> {
    const [entry] = outboxEntriesOf([event]);
    if (entry) await this.deps.outbox.putStandalone(entry, this.deps.now());
  }

  /** Soft-deletes the user's devices of every kind at Podero; returns their ids. */
  private async offboardDevices(externalUserId: string, poderoUserId: string): Promise<string[]> {
    const byKind = [];
    for (const kind of deviceKinds) {
      try {
        byKind.push({
          kind,
          devices: kind.visible(await kind.list(this.deps.podero, poderoUserId), poderoUserId),
        });
      } catch (error) {
        // The user is already gone at Podero (a retried DELETE): so are their devices.
        if (error instanceof PoderoNotFoundError) return [];
        throw error;
      }
    }
    const at = new Date(this.deps.now());
    const ids = byKind.flatMap(({ devices }) => devices.map((device) => device.id));
    // Before any soft-delete: once Podero no longer lists them, only this record names them for the erasure.
    await this.deps.users.rememberDevicesToErase(externalUserId, ids);
    for (const { kind, devices } of byKind) {
      for (const device of devices) {
        await kind.softDelete(this.deps.podero, poderoUserId, device.id, at).catch((error: unknown) => {
          if (!(error instanceof PoderoNotFoundError)) throw error;
        });
        for (const event of kind.deletedEvents(externalUserId, [device.id], new Set(), at.toISOString())) {
          await this.storeEvent(event);
        }
      }
    }
    return ids;
  }

  /** After writes that may have created items under the user: UnknownUserError if it was offboarded meanwhile. */
  async keepOnlyIfOnboarded(user: UserRecord, createdSortKeys: readonly string[]): Promise<void> {
    if (
      !(await this.deps.users.removeUnlessOnboarded(
        user.external_user_id,
        user.podero_user_id,
        createdSortKeys,
      ))
    ) {
      throw new UnknownUserError(user.external_user_id);
    }
  }
}

/** Podero's 409 on a user write is a taken e-mail (the only conflict its user endpoints document). */
function emailInUse(error: unknown): never {
  throw error instanceof PoderoConflictError ? new EmailInUseError() : error;
}
