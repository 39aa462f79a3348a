import { type PoderoEnergyContract, PoderoNotFoundError } from '@podero-bridge/podero-client';
import { describe, expect, it } from 'vitest';
import { SettingsConflictError } from '../devices/service';
import { UnknownBuildingError, UnknownUserError } from '../domain/errors';
import type { BuildingRecord } from '../storage/buildings';
import type { UserService } from '../users/service';
import { EnergyContractService, type EnergyContractUpstream, UnknownEnergyContractError } from './service';

const stored: PoderoEnergyContract = {
  id: 'c-1',
  energy_contract_type: 'monthly',
  energy_prices: [{ price: 0.3, timestamp: '2026-01-01T00:00:00Z' }],
  building: null,
  meter_id: null,
  supplier: 'EVN',
  currency_energy_price: null,
  energy_price_includes_external_components: null,
};

function world(
  options: { list?: PoderoEnergyContract[]; update?: () => Promise<PoderoEnergyContract> } = {},
) {
  const sent: unknown[] = [];
  const podero: EnergyContractUpstream = {
    energyContracts: {
      list: async () => options.list ?? [stored, { supplier: 'no id' }],
      create: async (userId, body) => {
        sent.push(['create', userId, body]);
        return { ...body, id: 'c-new', building: body.building_id ?? null };
      },
      update: async (userId, contractId, body) => {
        sent.push(['update', userId, contractId, body]);
        return options.update ? options.update() : { ...stored, ...body };
      },
    },
  };
  const users = {
    require: async (ext: string) => {
      if (ext === 'nobody') throw new UnknownUserError(ext);
      return { external_user_id: ext, podero_user_id: `podero-${ext}` };
    },
  } as unknown as Pick<UserService, 'require'>;
  const buildings = {
    get: async (ext: string, id: string) =>
      ext === 'ada' && id === 'b-ada' ? ({ id } as BuildingRecord) : undefined,
  };
  return { service: new EnergyContractService({ podero, users, buildings }), sent };
}

describe('EnergyContractService', () => {
  it('passes on only values of the documented types: anything else Podero sends is null', async () => {
    const { service } = world({
      list: [
        {
          id: 'c-odd',
          energy_contract_type: 7 as unknown as string,
          energy_prices: [{ price: '0.3' as unknown as number, timestamp: 5 as unknown as string }],
          building: 12 as unknown as string,
          meter_id: false as unknown as string,
          supplier: 3 as unknown as string,
          currency_energy_price: {} as unknown as string,
          energy_price_includes_external_components: 'no' as unknown as boolean,
        },
      ],
    });
    expect(await service.list('ada')).toEqual([
      {
        id: 'c-odd',
        energy_contract_type: null,
        energy_prices: [{ price: null, timestamp: null }],
        building_id: null,
        meter_id: null,
        supplier: null,
        currency_energy_price: null,
        energy_price_includes_external_components: null,
      },
    ]);
  });

  it('lists only contracts with an id, allow-listed with building_id', async () => {
    const { service } = world();
    expect(await service.list('ada')).toEqual([
      {
        id: 'c-1',
        energy_contract_type: 'monthly',
        energy_prices: [{ price: 0.3, timestamp: '2026-01-01T00:00:00Z' }],
        building_id: null,
        meter_id: null,
        supplier: 'EVN',
        currency_energy_price: null,
        energy_price_includes_external_components: null,
      },
    ]);
    await expect(service.list('nobody')).rejects.toBeInstanceOf(UnknownUserError);
  });

  it("creates under the user's Podero id, with the user's own building only", async () => {
    const { service, sent } = world();
    const body = {
      energy_contract_type: 'yearly' as const,
      energy_prices: [{ price: 0.2, timestamp: '2026-01-01T00:00:00Z' }],
      building_id: 'b-ada',
    };
    expect(await service.create('ada', body)).toMatchObject({ id: 'c-new', building_id: 'b-ada' });
    expect(sent).toEqual([['create', 'podero-ada', body]]);
    await expect(service.create('bob', body)).rejects.toBeInstanceOf(UnknownBuildingError);
    expect(sent).toHaveLength(1);
  });

  it('refuses to pass on a created contract without an id', async () => {
    const noId = new EnergyContractService({
      podero: {
        energyContracts: {
          list: async () => [],
          create: async () => ({ supplier: 'x' }),
          update: async () => ({}),
        },
      },
      users: { require: async () => ({ podero_user_id: 'p' }) } as unknown as Pick<UserService, 'require'>,
      buildings: { get: async () => undefined },
    });
    await expect(
      noId.create('ada', { energy_contract_type: 'yearly', energy_prices: [{ price: 1, timestamp: 't' }] }),
    ).rejects.toThrow('without an id');
  });

  it("updates only the user's own contract, checked merged, with the user's own building", async () => {
    const { service, sent } = world();
    expect(await service.update('ada', 'c-1', { supplier: 'Verbund' })).toMatchObject({
      id: 'c-1',
      supplier: 'Verbund',
    });
    expect(sent).toEqual([['update', 'podero-ada', 'c-1', { supplier: 'Verbund' }]]);
    await expect(service.update('ada', 'c-other', { supplier: 'x' })).rejects.toBeInstanceOf(
      UnknownEnergyContractError,
    );
    await expect(
      service.update('ada', 'c-1', { energy_contract_type: 'spot_hourly' }),
    ).rejects.toBeInstanceOf(SettingsConflictError);
    await expect(service.update('ada', 'c-1', { building_id: 'b-bob' })).rejects.toBeInstanceOf(
      UnknownBuildingError,
    );
    expect(await service.update('ada', 'c-1', { building_id: 'b-ada' })).toMatchObject({ id: 'c-1' });
    expect(sent).toHaveLength(2);
  });

  it("maps Podero's 404 on the update, and falls back to the merged contract when Podero's answer has no id", async () => {
    const gone = world({
      update: async () => {
        throw new PoderoNotFoundError('gone', { method: 'PUT', path: '/x', status: 404 });
      },
    });
    await expect(gone.service.update('ada', 'c-1', { supplier: 'x' })).rejects.toBeInstanceOf(
      UnknownEnergyContractError,
    );
    const failing = world({
      update: async () => {
        throw new Error('boom');
      },
    });
    await expect(failing.service.update('ada', 'c-1', { supplier: 'x' })).rejects.toThrow('boom');
    const anonymous = world({ update: async () => ({ supplier: 'ignored' }) });
    expect(await anonymous.service.update('ada', 'c-1', { supplier: 'Wien Energie' })).toMatchObject({
      id: 'c-1',
      supplier: 'Wien Energie',
      energy_contract_type: 'monthly',
    });
  });
});
