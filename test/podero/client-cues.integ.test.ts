/**
 * The client's cue calls, soft delete and include_deleted list against the simulator: the whole
 * re-authentication of a device with the client alone (the browser step driven over plain HTTP).
 */
import {
  type PoderoClient,
  PoderoNotFoundError,
  PoderoRequestError,
  parseCueLink,
} from '@podero-bridge/podero-client';
import type { Simulator } from '@podero-bridge/podero-simulator';
import { startTestSimulator } from '@podero-bridge/podero-simulator/testing';
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

function seeded() {
  const user = sim.control.seed({ users: 1, heatPumpsPerUser: 1 }).users[0];
  const deviceId = user?.heat_pump_ids[0];
  if (!user || !deviceId) throw new Error('seed failed');
  return { userId: user.id, deviceId };
}

describe('cues through the client', () => {
  it('re-authenticates a device: link -> resolve -> page -> reportState', async () => {
    const { userId, deviceId } = seeded();
    sim.control.setConnection(deviceId, { authenticated: false });
    const lost = await client.heatPumps.get(userId, deviceId);
    expect(lost.is_authenticated).toBe(false);
    const url = lost.actions?.[0]?.resolution_link?.url ?? '';
    const link = parseCueLink(url);
    expect(link).not.toBeNull();
    if (!link) return;

    const { redirect_url } = await client.cues.resolve(link.cueId, link.secret, {
      successUrl: 'https://partner.example/ok',
      cancelUrl: 'https://partner.example/cancel',
      language: 'de',
    });
    const pageToken = new URL(redirect_url).searchParams.get('token') ?? '';
    const submitted = await fetch(`${sim.baseUrl}/connect/reauthenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: pageToken, username: 'u', password: 'p' }).toString(),
      redirect: 'manual',
    });
    expect(submitted.headers.get('location')).toBe('https://partner.example/ok');

    const reported = await client.cues.reportState(link.cueId, link.secret, { state: 'success' });
    expect(reported.action_id).toMatch(/^[0-9a-f-]{36}$/);
    const after = await client.heatPumps.get(userId, deviceId);
    expect(after.is_authenticated).toBe(true);
    expect(after.actions).toEqual([]);
    await expect(
      client.cues.reportState(link.cueId, link.secret, { state: 'success' }),
    ).rejects.toBeInstanceOf(PoderoNotFoundError);
  });

  it('marks an information action read', async () => {
    const { userId, deviceId } = seeded();
    sim.control.raiseInformation(deviceId, 'Firmware updated');
    const device = await client.heatPumps.get(userId, deviceId);
    const link = parseCueLink(device.actions?.[0]?.resolution_link?.url ?? '');
    if (!link) throw new Error('no information link');
    const read = await client.cues.resolveInformation(link.cueId, link.secret);
    expect(typeof read.action_id).toBe('string');
    expect((await client.heatPumps.get(userId, deviceId)).action_needed).toBe(false);
  });

  it('refuses bad input before sending anything', async () => {
    await expect(
      client.cues.resolve('not/an/id', 's', {
        successUrl: 'https://a.example',
        cancelUrl: 'https://b.example',
      }),
    ).rejects.toBeInstanceOf(PoderoRequestError);
    await expect(
      client.cues.resolve(crypto.randomUUID(), 's', {
        successUrl: 'javascript:alert(1)',
        cancelUrl: 'https://b.example',
      }),
    ).rejects.toBeInstanceOf(PoderoRequestError);
    await expect(
      client.cues.reportState(crypto.randomUUID(), '', { state: 'success' }),
    ).rejects.toBeInstanceOf(PoderoRequestError);
  });

  it('parseCueLink takes apart both link shapes and refuses others', () => {
    const id = crypto.randomUUID();
    expect(parseCueLink(`https://app.podero.com/api/partners/v2.0/cues/${id}/resolve?secret=abc`)).toEqual({
      cueId: id,
      secret: 'abc',
    });
    expect(parseCueLink(`https://x/api/partners/v2.0/cues/${id}/information/resolve?secret=q`)?.cueId).toBe(
      id,
    );
    expect(parseCueLink(`https://x/cues/${id}/resolve`)).toBeNull();
    expect(parseCueLink('not a url')).toBeNull();
    expect(parseCueLink(`https://x/cues/${id}/other?secret=a`)).toBeNull();
  });
});

describe('soft delete and include_deleted', () => {
  it('softDelete is the documented PUT; the device then answers 404 unless include_deleted', async () => {
    const { userId, deviceId } = seeded();
    const deleted = await client.heatPumps.softDelete(userId, deviceId, new Date('2026-01-15T10:00:00Z'));
    expect(Date.parse(deleted.deleted_at ?? '')).toBe(Date.parse('2026-01-15T10:00:00Z'));
    await expect(client.heatPumps.get(userId, deviceId)).rejects.toBeInstanceOf(PoderoNotFoundError);
    expect((await client.heatPumps.get(userId, deviceId, { includeDeleted: true })).id).toBe(deviceId);
    expect(await client.heatPumps.list(userId)).toEqual([]);
  });

  it('the update accepts device_model', async () => {
    const { userId, deviceId } = seeded();
    const updated = await client.heatPumps.update(userId, deviceId, {
      device_model: { manufacturer: 'Nibe', model: 'F2120', year: 2024 },
    });
    expect(updated.device_model?.model).toBe('F2120');
  });

  it('users.list({ includeDeleted }) shows removed users', async () => {
    const user = await client.users.create({ role: 'user', email: 'removed@example.com' });
    await client.users.delete(user.id);
    expect((await client.users.list()).map((u) => u.id)).not.toContain(user.id);
    expect((await client.users.list({ includeDeleted: true })).map((u) => u.id)).toContain(user.id);
  });
});
