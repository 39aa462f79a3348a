/** A user's buildings: created at Podero, recorded under the user. */
import type { CreateBuildingRequest, PoderoClient } from '@podero-bridge/podero-client';
import type { Clock } from '../platform/clock';
import type { BuildingRecord, BuildingStore } from '../storage/buildings';
import type { UserService } from './service';

export class BuildingService {
  constructor(
    private readonly deps: {
      podero: Pick<PoderoClient, 'buildings'>;
      buildings: BuildingStore;
      users: UserService;
      now: Clock;
    },
  ) {}

  async create(externalUserId: string, input: CreateBuildingRequest): Promise<BuildingRecord> {
    const user = await this.deps.users.require(externalUserId);
    const building = await this.deps.podero.buildings.create(user.podero_user_id, input);
    const record = {
      id: building.id,
      building: { ...building },
      created_at: new Date(this.deps.now()).toISOString(),
    };
    const sk = await this.deps.buildings.put(user.external_user_id, record);
    // Offboarded while Podero answered: what we just wrote goes again.
    await this.deps.users.keepOnlyIfOnboarded(user, [sk]);
    return record;
  }

  async list(externalUserId: string): Promise<BuildingRecord[]> {
    const user = await this.deps.users.require(externalUserId);
    return this.deps.buildings.list(user.external_user_id);
  }
}
