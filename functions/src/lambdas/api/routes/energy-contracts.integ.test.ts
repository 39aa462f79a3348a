import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../../test-support/device-world';

const CONTRACTS = 'api/partners/v2.0/org/{org_id}/users/{user_id}/energy-contracts';

let world: HeatPumpWorld;
let alice: OnboardedTestUser;
let bob: OnboardedTestUser;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  [alice, bob] = (await world.onboard(2, 0, 'contracts')) as [OnboardedTestUser, OnboardedTestUser];
});
afterAll(async () => {
  await world?.close();
});

interface Contract {
  id: string;
  energy_contract_type: string | null;
  energy_prices: { price: number | null; timestamp: string | null }[];
  building_id: string | null;
  meter_id: string | null;
  supplier: string | null;
  currency_energy_price: string | null;
  energy_price_includes_external_components: boolean | null;
}

const path = (user: OnboardedTestUser) => ({ external_user_id: user.externalUserId });
const spot = {
  energy_contract_type: 'spot_hourly',
  energy_prices: [
    { price: 0.21, timestamp: '2026-06-01T00:00:00Z' },
    { price: -0.02, timestamp: '2026-06-01T01:00:00Z' },
  ],
  currency_energy_price: 'EUR',
  supplier: 'Wien Energie',
  energy_price_includes_external_components: false,
};

const create = (user: OnboardedTestUser, body: unknown, claims = adminClaims()) =>
  world.api(apiEvent('createEnergyContract', { params: path(user), body, claims }));
const podero = (method: string, suffix = '') => world.requests(`${method} /${CONTRACTS}${suffix}`);

describe('energy contracts (admin)', () => {
  it('creates a contract at Podero, lists it, and changes it', async () => {
    const created = await create(alice, spot);
    expect(created.statusCode).toBe(201);
    const contract = bodyOf<Contract>(created);
    expect(contract).toMatchObject({
      energy_contract_type: 'spot_hourly',
      currency_energy_price: 'EUR',
      supplier: 'Wien Energie',
      building_id: null,
      energy_price_includes_external_components: false,
    });
    expect(contract.energy_prices.map((p) => p.price)).toEqual([0.21, -0.02]);

    const list = await world.api(
      apiEvent('listEnergyContracts', { params: path(alice), claims: adminClaims() }),
    );
    expect(bodyOf<{ items: Contract[]; next_cursor: null }>(list)).toEqual({
      items: [contract],
      next_cursor: null,
    });

    const patched = await world.api(
      apiEvent('updateEnergyContract', {
        params: { ...path(alice), contract_id: contract.id },
        body: { supplier: 'Verbund', meter_id: 'AT0010000000000001' },
        claims: adminClaims(),
      }),
    );
    expect(patched.statusCode).toBe(200);
    expect(bodyOf<Contract>(patched)).toMatchObject({
      id: contract.id,
      supplier: 'Verbund',
      energy_contract_type: 'spot_hourly',
    });
  });

  it('applies a contract to one of the user’s buildings, and refuses another user’s building', async () => {
    const building = bodyOf<{ id: string }>(
      await world.api(
        apiEvent('createBuilding', { params: path(alice), body: { name: 'Home' }, claims: adminClaims() }),
      ),
    );
    const own = await create(alice, { ...spot, building_id: building.id });
    expect(own.statusCode).toBe(201);
    expect(bodyOf<Contract>(own).building_id).toBe(building.id);
    const before = podero('POST');
    const foreign = await create(bob, { ...spot, building_id: building.id });
    expect(foreign.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(foreign))).toContain('body.building_id');
    expect(podero('POST')).toBe(before);
  });

  it('is for admins only: an end user cannot read or set their own tariff', async () => {
    const read = await world.api(
      apiEvent('listEnergyContracts', { params: path(alice), claims: userClaims(alice.externalUserId) }),
    );
    expect(read.statusCode).toBe(403);
    const write = await create(alice, spot, userClaims(alice.externalUserId));
    expect(write.statusCode).toBe(403);
  });

  it('refuses contracts Podero could not optimise against, naming the field, before calling Podero', async () => {
    const before = podero('POST');
    const cases: [unknown, string][] = [
      [{ ...spot, energy_contract_type: 'weekly' }, 'body.energy_contract_type'],
      [{ ...spot, energy_prices: [] }, 'body.energy_prices'],
      [
        { ...spot, energy_prices: [{ price: 21, timestamp: '2026-06-01T00:00:00Z' }] },
        'body.energy_prices.0.price',
      ],
      [
        {
          ...spot,
          energy_prices: [
            { price: 0.2, timestamp: '2026-06-01T01:00:00Z' },
            { price: 0.2, timestamp: '2026-06-01T00:00:00Z' },
          ],
        },
        'body.energy_prices',
      ],
      [{ ...spot, energy_prices: [{ price: 0.2, timestamp: 'June' }] }, 'body.energy_prices.0.timestamp'],
      [{ ...spot, currency_energy_price: undefined }, 'body.currency_energy_price'],
      [{ ...spot, currency_energy_price: 'euro' }, 'body.currency_energy_price'],
      [{ ...spot, meter_id: 'M'.repeat(20) }, 'body.meter_id'],
      [{ ...spot, tariff_name: 'x' }, 'body'],
      [{ energy_prices: spot.energy_prices }, 'body.energy_contract_type'],
    ];
    for (const [body, field] of cases) {
      const res = await create(alice, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(bodyOf(res)), JSON.stringify(body)).toContain(field);
    }
    expect(podero('POST')).toBe(before);
  });

  it('checks a PATCH against the merged contract, and never changes another user’s contract', async () => {
    const monthly = bodyOf<Contract>(
      await create(bob, {
        energy_contract_type: 'monthly',
        energy_prices: [{ price: 0.3, timestamp: '2026-06-01T00:00:00Z' }],
      }),
    );
    const puts = podero('PUT', '/{energy_contract_id}');
    const toSpot = await world.api(
      apiEvent('updateEnergyContract', {
        params: { ...path(bob), contract_id: monthly.id },
        body: { energy_contract_type: 'spot_hourly' },
        claims: adminClaims(),
      }),
    );
    expect(toSpot.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(toSpot))).toContain('body.currency_energy_price');
    // Bob's contract through Alice's path: not hers.
    const crossed = await world.api(
      apiEvent('updateEnergyContract', {
        params: { ...path(alice), contract_id: monthly.id },
        body: { supplier: 'Someone' },
        claims: adminClaims(),
      }),
    );
    expect(crossed.statusCode).toBe(404);
    const empty = await world.api(
      apiEvent('updateEnergyContract', {
        params: { ...path(bob), contract_id: monthly.id },
        body: {},
        claims: adminClaims(),
      }),
    );
    expect(empty.statusCode).toBe(400);
    expect(podero('PUT', '/{energy_contract_id}')).toBe(puts);
  });

  it('answers 404 for an unknown user', async () => {
    const res = await world.api(
      apiEvent('listEnergyContracts', { params: { external_user_id: 'nobody-here' }, claims: adminClaims() }),
    );
    expect(res.statusCode).toBe(404);
  });
});
