import {
  BoostRefusedError,
  InvalidChargingConfigError,
  PoderoNotFoundError,
} from '@podero-bridge/podero-client';
import { describe, expect, it } from 'vitest';
import { BoostRefusal } from '../domain/charging-controls';
import { UnknownUserError } from '../domain/errors';
import { ChargingService, type ChargingUpstream } from './charging';
import { ChargingConfigRefusedError, ChargingConfigService } from './charging-config';
import { UnknownDeviceError } from './service';

const init = { status: 0, method: 'POST', path: '/x' };

const pendingChange = {
  id: 'chg_00000000000000000001',
  control: 'boost',
  fields: {},
  status: 'pending' as const,
  requested_at: '2026-12-01T10:00:00.000Z',
  settled_at: null as string | null,
  deadline_at: '2026-12-01T11:00:00.000Z',
  by: 'admin',
  reason: null,
};

function devices(device: Record<string, unknown>, afterRead: () => Promise<unknown>) {
  return {
    kind: { name: 'electric_vehicle', noun: 'electric vehicle' },
    readLive: async (_user: string, id: string) => ({ poderoUserId: 'p-1', device: { id, ...device } }),
    get: afterRead,
    settleReadBack: async () => null,
    recordChange: async (_user: string, _id: string, control: string, fields: Record<string, unknown>) => ({
      id: 'chg_00000000000000000001',
      control,
      fields,
      status: 'pending' as const,
      requested_at: '2026-12-01T10:00:00.000Z',
      settled_at: null,
      deadline_at: '2026-12-01T11:00:00.000Z',
      by: 'admin',
      reason: null,
    }),
  };
}

function service(options: {
  boost?: () => Promise<void>;
  device?: Record<string, unknown>;
  afterRead?: () => Promise<unknown>;
}) {
  const calls: string[] = [];
  const podero = {
    electricVehicles: {
      boost: async (userId: string, id: string) => {
        calls.push(`boost ${userId} ${id}`);
        await options.boost?.();
      },
    },
    wallboxes: {
      claimToken: async () => ({ token: 'claim-token-secret', wss_url: 'wss://x', expires_at: null }),
    },
  } as unknown as ChargingUpstream;
  const read =
    options.afterRead ?? (async () => ({ electric_vehicle: { id: 'ev-1', boost_state: 'requested' } }));
  const vehicles = devices(options.device ?? {}, read);
  return {
    calls,
    charging: new ChargingService({
      podero,
      vehicles,
      wallboxes: vehicles,
      findPoderoUserId: async (user) => (user === 'known' ? 'p-1' : null),
    }),
  };
}

describe('ChargingService.boostVehicle', () => {
  it('boosts as the user’s Podero id, says what it did and answers the device read after', async () => {
    const { charging, calls } = service({ device: { is_plugged_in: true } });
    expect(await charging.boostVehicle('known', 'ev-1')).toEqual({
      outcome: 'started',
      view: { id: 'ev-1', boost_state: 'requested' },
      change: expect.objectContaining({ control: 'boost', fields: { boost: 'started' }, status: 'pending' }),
    });
    expect(calls).toEqual(['boost p-1 ev-1']);
  });

  it('answers a null view when the read after the boost fails: the boost went through', async () => {
    const { charging } = service({ afterRead: () => Promise.reject(new Error('timeout')) });
    expect(await charging.boostVehicle('known', 'ev-1')).toEqual({
      outcome: 'armed',
      view: null,
      change: expect.objectContaining({ control: 'boost', fields: { boost: 'armed' } }),
    });
  });

  it('maps Podero’s 409 to a BoostRefusal and its 404 to the device’s not-found', async () => {
    const refused = service({
      boost: () =>
        Promise.reject(
          new BoostRefusedError('409', { ...init, reason: 'fully_charged', state: 'available' }),
        ),
    });
    await expect(refused.charging.boostVehicle('known', 'ev-1')).rejects.toBeInstanceOf(BoostRefusal);
    const gone = service({ boost: () => Promise.reject(new PoderoNotFoundError('404', init)) });
    await expect(gone.charging.boostVehicle('known', 'ev-1')).rejects.toBeInstanceOf(UnknownDeviceError);
  });
});

describe('ChargingService.putChargePolicy', () => {
  const day = { charge_percentage: 70, charge_deadline: '07:00' };
  const week = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };

  function policyService(options: { put?: () => Promise<unknown>; get?: () => Promise<unknown> }) {
    const calls: string[] = [];
    const podero = {
      electricVehicles: {
        chargePolicy: {
          put: async () => {
            calls.push('put');
            return (await options.put?.()) ?? { data: null };
          },
          get: async () => {
            calls.push('get');
            return (await options.get?.()) ?? { data: week };
          },
        },
      },
    } as unknown as ChargingUpstream;
    const vehicles = {
      ...devices({}, async () => null),
      recordChange: async (_u: string, _id: string, control: string, fields: Record<string, unknown>) => {
        calls.push(`record ${control}`);
        return { ...pendingChange, control, fields };
      },
      settleReadBack: async (_u: string, _id: string, control: string, document: Record<string, unknown>) => {
        calls.push(`settle ${control} ${document.mon === undefined ? 'empty' : 'week'}`);
        return {
          ...pendingChange,
          control,
          status: 'confirmed' as const,
          settled_at: '2026-12-01T10:00:01.000Z',
        };
      },
    };
    const charging = new ChargingService({
      podero,
      vehicles,
      wallboxes: vehicles,
      findPoderoUserId: async () => 'p-1',
    });
    return { charging, calls };
  }

  it('records the change once Podero took the week, reads it back by E8 and answers the settled change', async () => {
    const { charging, calls } = policyService({});
    const answer = await charging.putChargePolicy('known', 'ev-1', week, 'admin');
    expect(calls).toEqual(['put', 'record charge_policy', 'get', 'settle charge_policy week']);
    expect(answer.mon).toEqual(day);
    expect(answer.change).toMatchObject({ control: 'charge_policy', status: 'confirmed' });
  });

  it('records nothing when Podero refuses the write', async () => {
    const { charging, calls } = policyService({ put: () => Promise.reject(new Error('422')) });
    await expect(charging.putChargePolicy('known', 'ev-1', week)).rejects.toThrow('422');
    expect(calls).toEqual(['put']);
  });

  it('answers the write’s own answer with the change pending when the read-back fails', async () => {
    const { charging, calls } = policyService({
      put: async () => ({ data: week }),
      get: () => Promise.reject(new Error('timeout')),
    });
    const answer = await charging.putChargePolicy('known', 'ev-1', week);
    expect(calls).toEqual(['put', 'record charge_policy', 'get']);
    expect(answer.change.status).toBe('pending');
    expect(answer.sun).toEqual(day);
  });
});

describe('ChargingService.claimToken', () => {
  it('hands the token over for a known user, and refuses an unknown one before calling Podero', async () => {
    const { charging } = service({});
    expect((await charging.claimToken('known')).token).toBe('claim-token-secret');
    await expect(charging.claimToken('nobody')).rejects.toBeInstanceOf(UnknownUserError);
  });
});

describe('ChargingConfigService.put', () => {
  it('passes Podero’s refusal on as an invalid request naming body.<field>', async () => {
    const config = new ChargingConfigService({
      podero: {
        chargingConfig: {
          get: async () => ({ mode: 'none' }),
          put: async () => {
            throw new InvalidChargingConfigError('422', { ...init, fieldErrors: [], fields: ['mode'] });
          },
        },
      },
      findPoderoUserId: async () => 'p-1',
      changes: {
        record: async () => {
          throw new Error('a refused write records no change');
        },
      } as never,
    });
    const refusal = await config.put('known', { mode: 'hems' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ChargingConfigRefusedError);
    expect((refusal as ChargingConfigRefusedError).fields?.map((f) => f.field)).toEqual(['body.mode']);
  });
});
