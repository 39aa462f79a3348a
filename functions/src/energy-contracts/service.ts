/**
 * A user's energy contracts at Podero (C1..C3). Podero keeps them; the bridge validates, checks that a
 * contract and a building are the user's (never from the path alone), and passes an allow-listed view on.
 */
import {
  type EnergyContractRequest,
  type PoderoEnergyContract,
  PoderoNotFoundError,
} from '@podero-bridge/podero-client';
import { SettingsConflictError } from '../devices/service';
import { NotFoundError, UnknownBuildingError } from '../domain/errors';
import type { BuildingStore } from '../storage/buildings';
import type { UserService } from '../users/service';
import {
  type CreateEnergyContract,
  contractIssues,
  type EnergyContractView,
  type UpdateEnergyContract,
} from './schemas';

export class UnknownEnergyContractError extends NotFoundError {
  override readonly name = 'UnknownEnergyContractError';
  constructor(readonly contractId: string) {
    super('energy contract not found', { subject: 'energy contract' });
  }
}

export interface EnergyContractUpstream {
  energyContracts: {
    list(userId: string): Promise<PoderoEnergyContract[]>;
    create(userId: string, body: EnergyContractRequest): Promise<PoderoEnergyContract>;
    update(userId: string, contractId: string, body: EnergyContractRequest): Promise<PoderoEnergyContract>;
  };
}

export class EnergyContractService {
  constructor(
    private readonly deps: {
      podero: EnergyContractUpstream;
      users: Pick<UserService, 'require'>;
      buildings: Pick<BuildingStore, 'get'>;
    },
  ) {}

  async list(externalUserId: string): Promise<EnergyContractView[]> {
    const user = await this.deps.users.require(externalUserId);
    return (await this.deps.podero.energyContracts.list(user.podero_user_id)).flatMap(viewOf);
  }

  async create(externalUserId: string, input: CreateEnergyContract): Promise<EnergyContractView> {
    const user = await this.deps.users.require(externalUserId);
    await this.requireBuilding(externalUserId, input.building_id);
    const created = await this.deps.podero.energyContracts.create(user.podero_user_id, input);
    const [view] = viewOf(created);
    if (!view) throw new Error('Podero created an energy contract without an id');
    return view;
  }

  async update(
    externalUserId: string,
    contractId: string,
    input: UpdateEnergyContract,
  ): Promise<EnergyContractView> {
    const user = await this.deps.users.require(externalUserId);
    // The user's own list proves the contract is theirs, and gives the values the cross-field rule needs.
    const current = (await this.list(externalUserId)).find((contract) => contract.id === contractId);
    if (!current) throw new UnknownEnergyContractError(contractId);
    const issues = contractIssues({ ...current, ...input });
    if (issues.length > 0) throw new SettingsConflictError(issues);
    await this.requireBuilding(externalUserId, input.building_id);
    let updated: PoderoEnergyContract;
    try {
      updated = await this.deps.podero.energyContracts.update(user.podero_user_id, contractId, input);
    } catch (error) {
      if (error instanceof PoderoNotFoundError) throw new UnknownEnergyContractError(contractId);
      throw error;
    }
    return viewOf(updated)[0] ?? { ...current, ...input };
  }

  private async requireBuilding(
    externalUserId: string,
    buildingId: string | null | undefined,
  ): Promise<void> {
    if (!buildingId) return;
    if (!(await this.deps.buildings.get(externalUserId, buildingId)))
      throw new UnknownBuildingError(buildingId);
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);

/** Podero's contract, allow-listed (`building` renamed back to `building_id`); none without an id. */
function viewOf(contract: PoderoEnergyContract): EnergyContractView[] {
  if (typeof contract.id !== 'string') return [];
  return [
    {
      id: contract.id,
      energy_contract_type: text(contract.energy_contract_type),
      energy_prices: (contract.energy_prices ?? []).map((p) => ({
        price: numberOrNull(p.price),
        timestamp: text(p.timestamp),
      })),
      building_id: text(contract.building),
      meter_id: text(contract.meter_id),
      supplier: text(contract.supplier),
      currency_energy_price: text(contract.currency_energy_price),
      energy_price_includes_external_components:
        typeof contract.energy_price_includes_external_components === 'boolean'
          ? contract.energy_price_includes_external_components
          : null,
    },
  ];
}
