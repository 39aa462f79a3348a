/**
 * Contract tests: every simulated endpoint driven through the real client package, asserting the
 * documented shapes, status codes and error bodies (and the contract's examples). Strict rejections
 * the client would catch locally are sent with plain fetch so the simulator's own check is proven.
 */
import {
  type PoderoClient,
  PoderoConflictError,
  PoderoNotFoundError,
  PoderoValidationError,
} from '@podero-bridge/podero-client';
import type { Simulator } from '@podero-bridge/podero-simulator';
import { api, field, issueToken, START, startTestSimulator } from '@podero-bridge/podero-simulator/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientFor } from './client-for';

let sim: Simulator;
let client: PoderoClient;
beforeAll(async () => {
  sim = await startTestSimulator();
  client = clientFor(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('users', () => {
  it('creates a user from the minimum body and returns the reference shape (200)', async () => {
    const user = await client.users.create({ role: 'user', email: 'user@example.com' });
    expect(user).toEqual({
      id: expect.stringMatching(UUID),
      organization_id: sim.orgId,
      role: 'user',
      email: 'user@example.com',
      num_inverters: 0,
      num_heat_pumps: 0,
      num_electric_vehicles: 0,
      num_wallboxes: 0,
      external_user_id: null,
      first_name: null,
      last_name: null,
      is_onboarded: false,
      street_and_number: null,
      street_add_info: null,
      zip_code: null,
      town: null,
      country: null,
      latitude: null,
      longitude: null,
      last_login: null,
      joined_at: '2026-01-15T10:00:00Z',
    });
  });

  it('lists, gets, updates partially and finds by external id', async () => {
    const created = await client.users.create({
      role: 'user',
      email: 'a@example.com',
      first_name: 'Ada',
      country_iso2: 'DE',
    });
    expect(created.country).toBe('DE');
    const updated = await client.users.update(created.id, { external_user_id: '12345abc' });
    expect(updated).toMatchObject({
      external_user_id: '12345abc',
      first_name: 'Ada',
      email: 'a@example.com',
    });
    expect(await client.users.get(created.id)).toMatchObject({
      id: created.id,
      external_user_id: '12345abc',
    });
    expect((await client.users.list()).map((user) => user.id)).toEqual([created.id]);
    expect((await client.users.getByExternalId('12345abc')).id).toBe(created.id);
  });

  it('soft-deletes: gone from list and get, back with include_deleted on by-ext-id', async () => {
    const created = await client.users.create({
      role: 'user',
      email: 'b@example.com',
      external_user_id: 'ext-b',
    });
    await client.users.delete(created.id);
    expect(await client.users.list()).toEqual([]);
    await expect(client.users.get(created.id)).rejects.toBeInstanceOf(PoderoNotFoundError);
    await expect(client.users.getByExternalId('ext-b')).rejects.toBeInstanceOf(PoderoNotFoundError);
    expect((await client.users.getByExternalId('ext-b', { includeDeleted: true })).id).toBe(created.id);
  });

  it('rejects a duplicate e-mail in the organisation with 409 and a clear message', async () => {
    await client.users.create({ role: 'user', email: 'dup@example.com' });
    const error = await client.users
      .create({ role: 'user', email: 'DUP@example.com' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoConflictError);
    expect((error as PoderoConflictError).detail).toMatch(/already exists/);
  });

  it('answers 422 with django-ninja detail for bodies that break the schema', async () => {
    const token = await issueToken(sim);
    const result = await api(sim, token, 'POST', `/org/${sim.orgId}/users`, {
      role: 'owner',
      email: 'x@example.com',
      first_name: 'y'.repeat(151),
    });
    expect(result.status).toBe(422);
    expect(result.body).toEqual({
      detail: [
        { type: 'enum', loc: ['body', 'role'], msg: "Input should be 'admin', 'staff', 'user', 'guest'" },
        {
          type: 'string_too_long',
          loc: ['body', 'first_name'],
          msg: 'String should have at most 150 characters',
        },
      ],
    });
    const invalidJson = await api(sim, token, 'POST', `/org/${sim.orgId}/users`, '{"role":');
    expect(invalidJson).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'json_invalid', loc: ['body'] }] },
    });
    expect(await client.users.list()).toEqual([]);
  });

  it('surfaces a 422 through the client as PoderoValidationError with field errors', async () => {
    await client.users.create({ role: 'user', email: 'v@example.com' });
    // Valid for the client's tolerant schema, but the simulator's strict one has max 150 characters.
    const error = await client.users
      .create({ role: 'user', email: 'w@example.com', last_name: 'z'.repeat(200) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect((error as PoderoValidationError).fieldErrors).toEqual([
      {
        type: 'string_too_long',
        loc: ['body', 'last_name'],
        msg: 'String should have at most 150 characters',
      },
    ]);
  });
});

describe('buildings', () => {
  it('creates, lists, gets, updates and deletes a building', async () => {
    const user = await client.users.create({ role: 'user', email: 'house@example.com' });
    const building = await client.buildings.create(user.id, { name: 'Main House' });
    expect(building).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Main House',
      property_type: null,
      property_size_m2: null,
      property_age: null,
      num_occupants: null,
      occupant_type: null,
      space_heating: null,
      water_heating: null,
      photovoltaic: false,
      street_and_number: null,
      street_add_info: null,
      zip_code: null,
      town: null,
      country: null,
    });
    const updated = await client.buildings.update(user.id, building.id, {
      name: 'Main House',
      property_type: 'Detached',
      occupant_type: 'Students',
      space_heating: 'Gas boiler',
    });
    expect(updated).toMatchObject({
      name: 'Main House',
      property_type: 'Detached',
      occupant_type: 'Students',
    });
    expect(await client.buildings.get(user.id, building.id)).toEqual(updated);
    expect(await client.buildings.list(user.id)).toEqual([updated]);
    await client.buildings.delete(user.id, building.id);
    await expect(client.buildings.get(user.id, building.id)).rejects.toBeInstanceOf(PoderoNotFoundError);
    expect(await client.buildings.list(user.id)).toEqual([]);
  });

  it('requires a name and enforces the enums and lengths', async () => {
    const token = await issueToken(sim);
    const user = await client.users.create({ role: 'user', email: 'h2@example.com' });
    const result = await api(sim, token, 'POST', `/org/${sim.orgId}/users/${user.id}/buildings`, {
      property_type: 'single_family_home',
      zip_code: '1'.repeat(21),
    });
    expect(result.status).toBe(422);
    expect(result.body).toEqual({
      detail: [
        { type: 'missing', loc: ['body', 'name'], msg: 'Field required' },
        expect.objectContaining({ type: 'enum', loc: ['body', 'property_type'] }),
        expect.objectContaining({ type: 'string_too_long', loc: ['body', 'zip_code'] }),
      ],
    });
  });
});

describe('device onboarding sessions', () => {
  it('creates a session valid until the end of the next day, with the Connect URL', async () => {
    const user = await client.users.create({ role: 'user', email: 'ob@example.com' });
    const session = await client.onboarding.create({
      user_id: user.id,
      language: 'de',
      price_zone_default: 'DE_LU',
      is_smart_optimization_active_default: true,
      success_url: 'https://www.success.com',
      cancel_url: 'https://www.error.com',
    });
    expect(session).toMatchObject({
      id: expect.stringMatching(UUID),
      authentication_url: `${sim.baseUrl}/connect?onboarding_session_id=${session.id}`,
      user: user.id,
      success_url: 'https://www.success.com',
      cancel_url: 'https://www.error.com',
      expiration_date: '2026-01-16',
      object_id: null,
      external_metadata: {},
      price_zone_default: 'DE_LU',
    });
    expect(await client.onboarding.get(session.id)).toEqual(session);
  });

  it('rejects the guide example price zone "DE" with 422 on price_zone_default', async () => {
    const token = await issueToken(sim);
    const user = await client.users.create({ role: 'user', email: 'de@example.com' });
    const result = await api(sim, token, 'POST', '/device-onboarding', {
      user_id: user.id,
      language: 'de',
      price_zone_default: 'DE',
      success_url: 'https://www.success.com',
      cancel_url: 'https://www.error.com',
    });
    expect(result.status).toBe(422);
    expect(result.body).toEqual({
      detail: [
        { type: 'enum', loc: ['body', 'price_zone_default'], msg: expect.stringContaining("'DE_LU'") },
      ],
    });
  });

  it('answers 404 for an unknown session', async () => {
    await expect(client.onboarding.get('497f6eca-6276-4993-bfeb-53cbbbba6f08')).rejects.toBeInstanceOf(
      PoderoNotFoundError,
    );
  });
});

describe('heat pumps', () => {
  async function seededHeatPump() {
    const seeded = sim.control.seed({ users: 1, heatPumpsPerUser: 1 }).users[0];
    if (!seeded?.heat_pump_ids[0]) throw new Error('seed failed');
    return { userId: seeded.id, deviceId: seeded.heat_pump_ids[0] };
  }

  it('registers an empty, unauthenticated device with no body', async () => {
    const user = await client.users.create({ role: 'user', email: 'empty@example.com' });
    const device = await client.heatPumps.create(user.id);
    expect(device).toMatchObject({
      is_authenticated: false,
      lifecycle_state: 'created',
      device_model: {
        device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' },
        manufacturer: null,
      },
      owner: { id: user.id, email: 'empty@example.com' },
      current_power_consumption_w: null,
      current_state_last_updated_at: null,
      deleted_at: null,
    });
    expect((await client.heatPumps.list(user.id)).map((hp) => hp.id)).toEqual([device.id]);
    expect((await client.users.get(user.id)).num_heat_pumps).toBe(1);
  });

  it('returns every common device field and heat-pump field for a living heat pump', async () => {
    const { userId, deviceId } = await seededHeatPump();
    const device = await client.heatPumps.get(userId, deviceId);
    expect(device).toMatchObject({
      id: deviceId,
      connection_status: 'ok',
      monitoring_status: 'ok',
      steering_status: 'ok',
      device_model: {
        device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' },
        manufacturer: expect.any(String),
        model: expect.any(String),
        year: expect.any(Number),
        cloud_service: expect.stringMatching(UUID),
      },
      owner: { id: userId, email: expect.any(String), external_id: expect.any(String) },
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      price_zone: 'AT',
      deleted_at: null,
      lifecycle_state: 'authenticated',
      is_authenticated: true,
      is_smart_optimization_active: true,
      optimization_score: expect.any(Number),
      current_mode: expect.stringMatching(/^(min|low|mid|max)$/),
      current_state_last_updated_at: '2026-01-15T10:00:00Z',
      inverter_forced_mode_since: '0001-01-01T00:00:00Z',
      actions: [],
      optimization_level: 'Mid',
      current_power_consumption_w: expect.any(Number),
      outdoor_temperature: expect.any(Number),
      indoor_target_temperature: expect.any(Number),
      inlet_temperature: expect.any(Number),
      outlet_temperature: expect.any(Number),
      dhw_temperature: expect.any(Number),
    });
    expect(Number.isInteger(device.current_power_consumption_w)).toBe(true);
    expect(device.outlet_temperature).toBeGreaterThan(device.inlet_temperature ?? 0);
  });

  it('advances state in steps of the state interval, so reads within one step agree', async () => {
    const { userId, deviceId } = await seededHeatPump();
    sim.control.advanceClock(60);
    const first = await client.heatPumps.get(userId, deviceId);
    sim.control.advanceClock(200); // 10:04:20, same 5-minute step
    const second = await client.heatPumps.get(userId, deviceId);
    expect(second.current_state_last_updated_at).toBe('2026-01-15T10:00:00Z');
    expect(second).toEqual(first);
    sim.control.advanceClock(6 * 3600);
    const later = await client.heatPumps.get(userId, deviceId);
    expect(later.current_state_last_updated_at).toBe('2026-01-15T16:00:00Z');
    expect(later.outdoor_temperature).not.toBe(first.outdoor_temperature);
  });

  it('updates only writable fields partially, and rejects read-only ones with 422', async () => {
    const { userId, deviceId } = await seededHeatPump();
    const updated = await client.heatPumps.update(userId, deviceId, {
      optimization_level: 'Max',
      comment: 'attic',
    });
    expect(updated).toMatchObject({
      optimization_level: 'Max',
      comment: 'attic',
      is_smart_optimization_active: true,
    });
    const paused = await client.heatPumps.update(userId, deviceId, {
      pause_power_until: new Date(START.getTime() + 3_600_000).toISOString(),
    });
    expect(paused.current_mode).toBe('min');
    const token = await issueToken(sim);
    const path = `/org/${sim.orgId}/users/${userId}/heat-pumps/${deviceId}`;
    const rejected = await api(sim, token, 'PUT', path, {
      current_power_consumption_w: 0,
      is_authenticated: false,
    });
    expect(rejected).toMatchObject({
      status: 422,
      body: {
        detail: [
          { type: 'extra_forbidden', loc: ['body', 'current_power_consumption_w'] },
          { type: 'extra_forbidden', loc: ['body', 'is_authenticated'] },
        ],
      },
    });
    const forecasting = await api(sim, token, 'PUT', path, { is_forecasting_enabled: true });
    expect(forecasting.status).toBe(422);
    expect((await client.heatPumps.get(userId, deviceId)).comment).toBe('attic');
  });

  it('soft-deletes a heat pump: hidden from list and get, visible with include_deleted', async () => {
    const { userId, deviceId } = await seededHeatPump();
    await client.heatPumps.delete(userId, deviceId);
    expect(await client.heatPumps.list(userId)).toEqual([]);
    await expect(client.heatPumps.get(userId, deviceId)).rejects.toBeInstanceOf(PoderoNotFoundError);
    const deleted = await client.heatPumps.get(userId, deviceId, { includeDeleted: true });
    expect(deleted.deleted_at).toBe('2026-01-15T10:00:00Z');
  });

  it('answers statistics for the current periods with consumption and savings', async () => {
    const { userId, deviceId } = await seededHeatPump();
    const statistics = await client.heatPumps.statistics(userId, deviceId, {
      resolution: ['1DAY', '1MONTH'],
      keywords: ['savings', 'consumption'],
    });
    expect(statistics.metadata).toMatchObject({ requested_at: '2026-01-15T10:00:00Z', error: '' });
    expect(statistics.data.map((entry) => [entry.resolution, entry.period?.start_period])).toEqual([
      ['1DAY', '2026-01-15T00:00:00Z'],
      ['1MONTH', '2026-01-01T00:00:00Z'],
    ]);
    const [day, month] = statistics.data;
    expect(day?.consumption?.total).toBeGreaterThan(0);
    expect(month?.consumption?.total).toBeGreaterThan(day?.consumption?.total ?? 0);
    expect(month?.heat_pump?.estimated_consumption_wh).toBeCloseTo(
      (month?.consumption?.total ?? 0) * 1000,
      -1,
    );
    expect(typeof month?.savings?.total).toBe('number');
  });

  it('answers savings per calendar bucket between from and to', async () => {
    const { userId, deviceId } = await seededHeatPump();
    const savings = await client.heatPumps.savings(userId, deviceId, {
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-15',
      resolution: '1WEEK',
    });
    // Weeks starting Mon 29 Dec, 5 Jan and 12 Jan, clipped to the range.
    expect(savings.data.map((entry) => entry.period?.start_period)).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-05T00:00:00Z',
      '2026-01-12T00:00:00Z',
    ]);
    expect(savings.data.every((entry) => typeof entry.savings?.percentage === 'number')).toBe(true);
  });

  it('answers time series; 400 when there is no data unless fill-missing is set', async () => {
    const { userId, deviceId } = await seededHeatPump();
    const data = await client.heatPumps.data(userId, deviceId, {
      from_datetime: '2026-01-15T06:00:00Z',
      to_datetime: '2026-01-15T08:00:00Z',
      resolution: '15MIN',
      keywords: ['estimated_consumption', 'price'],
    });
    expect(data.data).toHaveLength(8);
    expect(data.data[0]).toEqual({
      time: '2026-01-15T06:00:00Z',
      price: expect.any(Number),
      estimated_consumption: expect.any(Number),
      simulated_consumption: expect.any(Number),
      estimated_consumption_filtered: expect.any(Number),
    });
    const token = await issueToken(sim);
    const path = `/org/${sim.orgId}/users/${userId}/heat-pumps/${deviceId}/data?from_datetime=2027-01-01T00:00:00Z&to_datetime=2027-01-01T01:00:00Z&resolution=15MIN`;
    expect(await api(sim, token, 'GET', path)).toMatchObject({
      status: 400,
      body: { detail: expect.any(String) },
    });
    const filled = await api(sim, token, 'GET', path, undefined, { 'fill-missing': 'true' });
    expect(filled.status).toBe(200);
    expect(field<unknown[]>(filled.body, 'data')).toHaveLength(4);
    expect(field<Record<string, unknown>[]>(filled.body, 'data')[0]).toMatchObject({
      estimated_consumption: null,
    });
    const badResolution = await api(sim, token, 'GET', path.replace('15MIN', '5MIN'));
    expect(badResolution).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['query', 'resolution'] }] },
    });
  });

  it('answers 404 for a heat pump of another user of the same organisation', async () => {
    const { deviceId } = await seededHeatPump();
    const other = await client.users.create({ role: 'user', email: 'other@example.com' });
    await expect(client.heatPumps.get(other.id, deviceId)).rejects.toBeInstanceOf(PoderoNotFoundError);
  });
});
