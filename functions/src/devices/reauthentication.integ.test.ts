/**
 * The re-authentication service over its real store (dynalite, the AWS SDK), with Podero's cue endpoints and
 * the live read faked: where the browser may be sent, which outcome reaches Podero, and a link used twice.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { heatPumpKind } from '../domain/devices/heat-pump';
import type { DeviceJson } from '../storage/device-snapshots';
import { ReauthenticationStore } from '../storage/reauthentications';
import {
  InvalidReturnUrlError,
  ReauthenticationService,
  UnknownReauthenticationError,
} from './reauthentication';

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
const tables = { main: 'reauth-main', readings: 'reauth-readings' };

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});

const CALLBACK = 'https://api.partner.example/reauthentication/callback';
const PARTNER = {
  success_url: 'https://app.partner.example/heat-pump/reconnected',
  cancel_url: 'https://app.partner.example/heat-pump/not-reconnected',
};
const NOW = Date.parse('2026-03-01T12:00:00Z');

const notAsked = async (): Promise<never> => {
  throw new Error('a heat pump has no auth_session');
};
const notAskedForAuthSessions = {
  electricVehicles: { authSession: notAsked },
  wallboxes: { authSession: notAsked },
  inverters: { authSession: notAsked },
};

/** A device that lost its connection, its cue link as Podero shows it. */
const lostDevice = (id: string): DeviceJson => ({
  id,
  is_authenticated: false,
  actions: [
    {
      code: 'reauthenticate',
      resolution_link: { url: `https://podero.example/api/partners/v2.0/cues/cue-${id}/resolve?secret=S` },
    },
  ],
});

/** The service with a fake Podero that records what it is told, and its Connect UI's two return URLs. */
function world() {
  const reported: { cueId: string; state: string }[] = [];
  const resolved: { successUrl: string; cancelUrl: string }[] = [];
  const service = new ReauthenticationService({
    devices: {
      of: () => ({
        readLive: async (_user, deviceId) => ({ poderoUserId: 'p', device: lostDevice(deviceId) }),
      }),
    },
    podero: {
      cues: {
        resolve: async (_cueId, _secret, body) => {
          resolved.push({ successUrl: body.successUrl, cancelUrl: body.cancelUrl });
          return { redirect_url: 'https://connect.podero.example/reauthenticate?token=t' };
        },
        reportState: async (cueId, _secret, body) => {
          reported.push({ cueId, state: body.state });
          return { action_id: 'a' };
        },
      },
      ...notAskedForAuthSessions,
    },
    attempts: new ReauthenticationStore(doc, tables.main),
    returnUrls: { origins: ['https://app.partner.example'], allowLoopback: false },
    now: () => NOW,
  });
  /** Starts one attempt; the callback's query as the Connect UI would return to each URL. */
  const start = async (deviceId: string) => {
    await service.start(heatPumpKind, 'ada', deviceId, PARTNER, CALLBACK);
    const urls = resolved.at(-1);
    if (!urls) throw new Error('resolve was not called');
    const queryOf = (url: string) => {
      const params = new URL(url).searchParams;
      return {
        token: params.get('token') ?? '',
        outcome: params.get('outcome') === 'success' ? ('success' as const) : ('fail' as const),
        proof: params.get('proof') ?? '',
      };
    };
    return { success: queryOf(urls.successUrl), cancel: queryOf(urls.cancelUrl) };
  };
  return { service, reported, resolved, start };
}

async function attemptCount(): Promise<number> {
  const out = await doc.send(new ScanCommand({ TableName: tables.main }));
  return (out.Items ?? []).filter((item) => String(item.pk).startsWith('REAUTH#')).length;
}

describe('start: where the browser may be sent back to', () => {
  it.each([
    ['success_url', 'a host of its own choosing', { success_url: 'https://evil.example/phish' }],
    [
      'success_url',
      'the partner as a user name of another host',
      { success_url: 'https://app.partner.example@evil.example/' },
    ],
    ['cancel_url', 'the metadata address', { cancel_url: 'http://169.254.169.254/latest/meta-data/' }],
    ['cancel_url', 'the partner over plain http', { cancel_url: 'http://app.partner.example/heat-pump' }],
    ['success_url', 'the partner on another port', { success_url: 'https://app.partner.example:8443/x' }],
    ['success_url', 'loopback outside the local stage', { success_url: 'http://127.0.0.1:3000/x' }],
  ])('refuses a %s on %s, naming it, before reading or writing anything', async (field, _what, patch) => {
    const { service, resolved } = world();
    const before = await attemptCount();
    const started = service.start(heatPumpKind, 'ada', 'hp-refused', { ...PARTNER, ...patch }, CALLBACK);
    await expect(started).rejects.toBeInstanceOf(InvalidReturnUrlError);
    await expect(started).rejects.toMatchObject({ field });
    expect(resolved).toEqual([]);
    expect(await attemptCount()).toBe(before);
  });

  it('takes URLs on an allowed origin, any path and query', async () => {
    const { service, resolved } = world();
    await service.start(
      heatPumpKind,
      'ada',
      'hp-allowed',
      { success_url: 'https://app.partner.example/a/b?c=d', cancel_url: 'https://APP.partner.example:443/x' },
      CALLBACK,
    );
    expect(resolved).toHaveLength(1);
  });
});

describe('complete: the outcome is the one the Connect UI returned', () => {
  it('gives the success and the cancel URL different proofs', async () => {
    const { start } = world();
    const { success, cancel } = await start('hp-proofs');
    expect(success.token).toBe(cancel.token);
    expect(success.proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cancel.proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(success.proof).not.toBe(cancel.proof);
  });

  it('refuses a cancel link edited to say success, tells Podero nothing, and still takes the real cancel', async () => {
    const { service, reported, start } = world();
    const { cancel } = await start('hp-edited');
    const edited = service.complete(cancel.token, 'success', cancel.proof);
    await expect(edited).rejects.toBeInstanceOf(UnknownReauthenticationError);
    expect(reported).toEqual([]);

    const back = await service.complete(cancel.token, cancel.outcome, cancel.proof);
    expect(back.location).toBe(PARTNER.cancel_url);
    expect(reported).toEqual([{ cueId: 'cue-hp-edited', state: 'fail' }]);
  });

  it('reports success only with the success link', async () => {
    const { service, reported, start } = world();
    const { success } = await start('hp-success');
    const back = await service.complete(success.token, success.outcome, success.proof);
    expect(back.location).toBe(PARTNER.success_url);
    expect(reported).toEqual([{ cueId: 'cue-hp-success', state: 'success' }]);
  });
});

describe('complete: a link used again', () => {
  it('sends the browser on to the partner page of the outcome reported, reporting nothing twice', async () => {
    const { service, reported, start } = world();
    const { success, cancel } = await start('hp-reused');
    await service.complete(success.token, success.outcome, success.proof);

    const reloaded = await service.complete(success.token, success.outcome, success.proof);
    expect(reloaded.location).toBe(PARTNER.success_url);
    // The other link after the fact: the partner page says what happened, which was success.
    const late = await service.complete(cancel.token, cancel.outcome, cancel.proof);
    expect(late.location).toBe(PARTNER.success_url);
    expect(reported).toEqual([{ cueId: 'cue-hp-reused', state: 'success' }]);
  });

  it('is still refused with a proof that is not its own', async () => {
    const { service, start } = world();
    const { success } = await start('hp-reused-forged');
    await service.complete(success.token, success.outcome, success.proof);
    await expect(service.complete(success.token, 'fail', success.proof)).rejects.toBeInstanceOf(
      UnknownReauthenticationError,
    );
  });
});
