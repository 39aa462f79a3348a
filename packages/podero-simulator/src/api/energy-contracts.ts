/** C1..C3: a user's energy contracts (§3.11): the tariff Podero optimises against. */
import { type Handler, jsonBody, type SimCore } from '../core';
import { now, requireBuilding, requireUser } from '../domain';
import { notFound, parseOr422 } from '../errors';
import type { EnergyContractRecord } from '../store';
import { energyContractBodySchema } from '../wire';
import { withoutUndefined } from './users';

/** The response replaces `building_id` with `building` and adds `id` (§3.11). */
export function energyContractView(contract: EnergyContractRecord) {
  return {
    id: contract.id,
    energy_contract_type: contract.energy_contract_type,
    energy_prices: contract.energy_prices,
    building: contract.building_id,
    meter_id: contract.meter_id,
    supplier: contract.supplier,
    currency_energy_price: contract.currency_energy_price,
    energy_price_includes_external_components: contract.energy_price_includes_external_components,
  };
}

export const listEnergyContracts: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return { status: 200, json: core.store.energyContractsOf(user.id).map(energyContractView) };
};

export const createEnergyContract: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(energyContractBodySchema, jsonBody(request), ['body']);
  if (body.building_id) requireBuilding(core, user, body.building_id);
  const at = now(core);
  const contract: EnergyContractRecord = {
    id: core.newId(),
    org_id: request.orgId,
    user_id: user.id,
    energy_contract_type: null,
    energy_prices: [],
    building_id: null,
    meter_id: null,
    supplier: null,
    currency_energy_price: null,
    energy_price_includes_external_components: null,
    created_at: at,
    updated_at: at,
    ...withoutUndefined(body),
  };
  core.store.energyContracts.set(contract.id, contract);
  core.changed();
  // The reference documents 200 for the create (contract §2.4), not 201.
  return { status: 200, json: energyContractView(contract) };
};

export const updateEnergyContract: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const contract = requireContract(core, user.id, request.params.energy_contract_id ?? '');
  const body = parseOr422(energyContractBodySchema, jsonBody(request), ['body']);
  if (body.building_id) requireBuilding(core, user, body.building_id);
  const updated: EnergyContractRecord = { ...contract, ...withoutUndefined(body), updated_at: now(core) };
  core.store.energyContracts.set(updated.id, updated);
  core.changed();
  return { status: 200, json: energyContractView(updated) };
};

function requireContract(core: SimCore, userId: string, contractId: string): EnergyContractRecord {
  const contract = core.store.energyContracts.get(contractId);
  if (!contract || contract.user_id !== userId) throw notFound();
  return contract;
}
