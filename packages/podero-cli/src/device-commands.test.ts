/**
 * `podero electric-vehicles|wallboxes|inverters|devices|charging-config` in-process against a fake Podero:
 * the request each command sends, what it prints, and the exit codes of the typed refusals.
 */
import {
  chargePolicyExample,
  chargingSessionExample,
  claimTokenExample,
  ELECTRIC_VEHICLE_ID,
  INVERTER_ID,
  inverterDataExample,
  json,
  ORG_ID,
  referenceElectricVehicle,
  referenceInverter,
  referenceWallbox,
  SESSION_ID,
  statisticsExample,
  USER_ID,
  WALLBOX_ID,
} from '@podero-bridge/podero-client/testing';
import { describe, expect, it } from 'vitest';
import { podero, run } from './test-support';

const USER = `/api/partners/v2.0/org/${ORG_ID}/users/${USER_ID}`;
const EV = `${USER}/electric-vehicles/${ELECTRIC_VEHICLE_ID}`;
const WB = `${USER}/wallboxes/${WALLBOX_ID}`;
const INV = `${USER}/inverters/${INVERTER_ID}`;
const noContent = () => new Response(null, { status: 204 });

interface CommandCase {
  argv: string[];
  method: string;
  path: string;
  rawQuery?: string;
  body?: unknown;
  answer?: unknown;
  status?: number;
}

const commands: CommandCase[] = [
  {
    argv: ['electric-vehicles', 'list', USER_ID],
    method: 'GET',
    path: `${USER}/electric-vehicles`,
    answer: [referenceElectricVehicle],
  },
  {
    argv: ['electric-vehicles', 'get', USER_ID, ELECTRIC_VEHICLE_ID, '--include-deleted'],
    method: 'GET',
    path: EV,
    rawQuery: 'include_deleted=true',
    answer: referenceElectricVehicle,
  },
  {
    argv: [
      'electric-vehicles',
      'update',
      USER_ID,
      ELECTRIC_VEHICLE_ID,
      '--charge-policy',
      '--charge-deadline',
      '07:00',
      '--minimum-charge-limit',
      '75',
      '--no-smart-optimization',
    ],
    method: 'PUT',
    path: EV,
    body: {
      is_smart_optimization_active: false,
      is_charge_policy_enabled: true,
      charge_deadline_at: '07:00',
      minimum_charge_limit: 75,
    },
    answer: referenceElectricVehicle,
  },
  {
    argv: ['electric-vehicles', 'boost', USER_ID, ELECTRIC_VEHICLE_ID],
    method: 'POST',
    path: `${EV}/boost`,
    status: 204,
  },
  {
    argv: ['electric-vehicles', 'disarm', USER_ID, ELECTRIC_VEHICLE_ID],
    method: 'DELETE',
    path: `${EV}/boost`,
    status: 204,
  },
  {
    argv: ['electric-vehicles', 'charge-policy', 'get', USER_ID, ELECTRIC_VEHICLE_ID],
    method: 'GET',
    path: `${EV}/charge-policy`,
    answer: chargePolicyExample,
  },
  {
    argv: [
      'electric-vehicles',
      'charge-policy',
      'set',
      USER_ID,
      ELECTRIC_VEHICLE_ID,
      '--day',
      'sat=60@10:00',
      '--day',
      'sun=55@11:30',
      '--timezone',
      'Europe/Vienna',
    ],
    method: 'PUT',
    path: `${EV}/charge-policy`,
    body: {
      sat: { charge_percentage: 60, charge_deadline: '10:00' },
      sun: { charge_percentage: 55, charge_deadline: '11:30' },
      timezone: 'Europe/Vienna',
    },
    answer: chargePolicyExample,
  },
  {
    argv: [
      'electric-vehicles',
      'sessions',
      USER_ID,
      ELECTRIC_VEHICLE_ID,
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-31',
      '--limit',
      '10',
      '--offset',
      '20',
    ],
    method: 'GET',
    path: `${EV}/sessions`,
    rawQuery: 'from=2024-01-01&to=2024-01-31&limit=10&offset=20',
    answer: { total: 21, items: [chargingSessionExample] },
  },
  {
    argv: ['electric-vehicles', 'current-session', USER_ID, ELECTRIC_VEHICLE_ID],
    method: 'GET',
    path: `${EV}/sessions/current`,
    answer: { session: chargingSessionExample },
  },
  {
    argv: [
      'electric-vehicles',
      'savings',
      USER_ID,
      ELECTRIC_VEHICLE_ID,
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-02-01',
      '--resolution',
      '1WEEK',
    ],
    method: 'GET',
    path: `${EV}/savings`,
    rawQuery: 'from=2024-01-01T00%3A00%3A00Z&to=2024-02-01&resolution=1WEEK',
    answer: statisticsExample,
  },
  {
    argv: [
      'electric-vehicles',
      'auth-session',
      USER_ID,
      ELECTRIC_VEHICLE_ID,
      '--success-url',
      'https://p.example/ok',
    ],
    method: 'POST',
    path: `${EV}/auth_session`,
    body: { success_url: 'https://p.example/ok' },
    answer: {
      authentication_url: 'https://connect.podero.test/x',
      device_id: ELECTRIC_VEHICLE_ID,
      session_id: SESSION_ID,
    },
  },
  {
    argv: ['electric-vehicles', 'delete', USER_ID, ELECTRIC_VEHICLE_ID],
    method: 'PUT',
    path: EV,
    answer: referenceElectricVehicle,
  },
  {
    argv: ['wallboxes', 'list', USER_ID],
    method: 'GET',
    path: `${USER}/wallboxes`,
    answer: [referenceWallbox],
  },
  { argv: ['wallboxes', 'get', USER_ID, WALLBOX_ID], method: 'GET', path: WB, answer: referenceWallbox },
  {
    argv: ['wallboxes', 'update', USER_ID, WALLBOX_ID, '--minimum-charge-limit', '80'],
    method: 'PUT',
    path: WB,
    body: { minimum_charge_limit: 80 },
    answer: referenceWallbox,
  },
  { argv: ['wallboxes', 'boost', USER_ID, WALLBOX_ID], method: 'POST', path: `${WB}/boost`, status: 204 },
  {
    argv: ['wallboxes', 'cancel-boost', USER_ID, WALLBOX_ID],
    method: 'DELETE',
    path: `${WB}/boost`,
    status: 204,
  },
  {
    argv: ['wallboxes', 'claim-token', USER_ID],
    method: 'POST',
    path: `${USER}/wallboxes/claim-tokens`,
    answer: claimTokenExample,
    status: 201,
  },
  {
    argv: ['wallboxes', 'claim-token-status', SESSION_ID, claimTokenExample.token],
    method: 'GET',
    path: `/api/partners/v2.0/device-onboarding/${SESSION_ID}/wallbox-claim-tokens/${claimTokenExample.token}/status`,
    answer: { claimed: true, wallbox_id: WALLBOX_ID },
  },
  {
    argv: ['wallboxes', 'auth-session', USER_ID, WALLBOX_ID],
    method: 'POST',
    path: `${WB}/auth_session`,
    body: {},
    answer: { authentication_url: null, device_id: WALLBOX_ID, session_id: null },
  },
  {
    argv: ['inverters', 'list', USER_ID],
    method: 'GET',
    path: `${USER}/inverters`,
    answer: [referenceInverter],
  },
  { argv: ['inverters', 'get', USER_ID, INVERTER_ID], method: 'GET', path: INV, answer: referenceInverter },
  {
    argv: [
      'inverters',
      'update',
      USER_ID,
      INVERTER_ID,
      '--battery',
      '--battery-capacity-kwh',
      '10',
      '--min-battery-charge',
      '20',
      '--max-battery-charge',
      '90',
    ],
    method: 'PUT',
    path: INV,
    body: {
      is_battery_connected: true,
      battery_capacity_kwh: 10,
      min_battery_charge: 20,
      max_battery_charge: 90,
    },
    answer: referenceInverter,
  },
  {
    argv: [
      'inverters',
      'data',
      USER_ID,
      INVERTER_ID,
      '--keywords',
      'solar_production_w,household_consumption_w',
      '--resolution',
      '1HOUR',
    ],
    method: 'GET',
    path: `${INV}/data`,
    rawQuery: 'resolution=1HOUR&keywords=solar_production_w,household_consumption_w',
    answer: inverterDataExample,
  },
  {
    argv: [
      'inverters',
      'savings',
      USER_ID,
      INVERTER_ID,
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-02-01',
    ],
    method: 'GET',
    path: `${INV}/savings`,
    rawQuery: 'from=2024-01-01T00%3A00%3A00Z&to=2024-02-01',
    answer: statisticsExample,
  },
  {
    argv: [
      'inverters',
      'schedules',
      USER_ID,
      INVERTER_ID,
      '--param',
      'from_datetime=2024-01-01T00:00:00Z',
      '--param',
      'day=2024-01-01',
    ],
    method: 'GET',
    path: `${INV}/schedules`,
    rawQuery: 'from_datetime=2024-01-01T00%3A00%3A00Z&day=2024-01-01',
    answer: [],
  },
  {
    argv: ['inverters', 'auth-session', USER_ID, INVERTER_ID, '--cancel-url', 'https://p.example/no'],
    method: 'POST',
    path: `${INV}/auth_session`,
    body: { cancel_url: 'https://p.example/no' },
    answer: { authentication_url: 'https://connect.podero.test/y' },
  },
  {
    argv: [
      'devices',
      'update',
      USER_ID,
      INVERTER_ID,
      '--no-authenticated',
      '--forecasting',
      '--comment',
      'swapped',
    ],
    method: 'PATCH',
    path: `${USER}/devices/${INVERTER_ID}`,
    body: { is_authenticated: false, is_forecasting_enabled: true, comment: 'swapped' },
    answer: { id: INVERTER_ID },
  },
  {
    argv: ['charging-config', 'get', USER_ID],
    method: 'GET',
    path: `${USER}/charging-config`,
    answer: { mode: 'none' },
  },
  {
    argv: ['charging-config', 'set', USER_ID, '--mode', 'hems'],
    method: 'PUT',
    path: `${USER}/charging-config`,
    body: { mode: 'hems' },
    answer: { mode: 'hems' },
  },
];

describe('podero device commands', () => {
  it.each(commands)('`podero $argv.0 $argv.1` sends $method $path and prints the answer', async (tc) => {
    // Prepare
    const handler = podero(() => (tc.answer === undefined ? noContent() : json(tc.status ?? 200, tc.answer)));
    // Act
    const result = await run(tc.argv, { handler });
    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.apiRequests).toHaveLength(1);
    const [request] = result.apiRequests;
    expect(request?.method).toBe(tc.method);
    expect(request?.path).toBe(tc.path);
    expect(request?.rawQuery).toBe(tc.rawQuery ?? '');
    if (tc.body !== undefined) expect(request?.body).toEqual(tc.body);
    if (tc.answer === undefined) expect(result.stdout).toBe('');
    else expect(JSON.parse(result.stdout)).toEqual(tc.answer);
  });

  it('soft-deletes a device of a kind with PUT deleted_at', async () => {
    const result = await run(['inverters', 'delete', USER_ID, INVERTER_ID], {
      handler: podero(() => json(200, referenceInverter)),
    });
    const body = result.apiRequests[0]?.body as { deleted_at?: string };
    expect(Number.isNaN(Date.parse(body.deleted_at ?? ''))).toBe(false);
  });

  it('pages through every session with --all', async () => {
    const result = await run(
      [
        'electric-vehicles',
        'sessions',
        USER_ID,
        ELECTRIC_VEHICLE_ID,
        '--from',
        '2024-01-01',
        '--to',
        '2024-01-31',
        '--all',
      ],
      {
        handler: podero((request) =>
          json(200, {
            total: 2,
            items:
              request.query.offset === '0'
                ? [chargingSessionExample]
                : [{ ...chargingSessionExample, id: 's2' }],
          }),
        ),
      },
    );
    expect(result.code).toBe(0);
    expect(result.apiRequests.map((request) => request.query.offset)).toEqual(['0', '1']);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((session) => session.id)).toEqual([
      chargingSessionExample.id,
      's2',
    ]);
  });

  it('exits 1 on a refused boost, naming the reason and the boost state on one line', async () => {
    const result = await run(['electric-vehicles', 'boost', USER_ID, ELECTRIC_VEHICLE_ID], {
      handler: podero(() => json(409, { state: 'ongoing', reason: 'already_charging' })),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('HTTP 409 BoostRefusedError');
    expect(result.stderr).toContain('reason already_charging, boost_state ongoing');
  });

  it('exits 1 on a refused charging mode, naming the field', async () => {
    const result = await run(['charging-config', 'set', USER_ID, '--mode', 'hems_and_spot'], {
      handler: podero(() =>
        json(422, { detail: [{ type: 'value_error', loc: ['body', 'mode'], msg: 'no inverter' }] }),
      ),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('InvalidChargingConfigError');
    expect(result.stderr).toContain('[fields mode]');
  });

  it('prints a claim token on stdout only, and never the token of a failed status check', async () => {
    const issued = await run(['wallboxes', 'claim-token', USER_ID], {
      handler: podero(() => json(201, claimTokenExample)),
    });
    expect(issued.stdout).toContain(claimTokenExample.token);
    expect(issued.stderr).toBe('');
    const failed = await run(['wallboxes', 'claim-token-status', SESSION_ID, claimTokenExample.token], {
      handler: podero(() => json(404, { detail: `unknown token ${claimTokenExample.token}` })),
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('wallbox-claim-tokens/{token}/status');
    expect(failed.stderr).not.toContain(claimTokenExample.token);
  });

  it.each([
    [['electric-vehicles', 'update', USER_ID, ELECTRIC_VEHICLE_ID], 'nothing to update'],
    [['inverters', 'update', USER_ID, INVERTER_ID], 'nothing to update'],
    [['devices', 'update', USER_ID, INVERTER_ID], 'nothing to update'],
    [['electric-vehicles', 'charge-policy', 'set', USER_ID, ELECTRIC_VEHICLE_ID], 'nothing to update'],
    [
      ['electric-vehicles', 'charge-policy', 'set', USER_ID, ELECTRIC_VEHICLE_ID, '--day', 'someday=1@07:00'],
      '--day',
    ],
    [
      ['electric-vehicles', 'update', USER_ID, ELECTRIC_VEHICLE_ID, '--minimum-charge-limit', 'lots'],
      'must be a number',
    ],
    [['electric-vehicles', 'sessions', USER_ID, ELECTRIC_VEHICLE_ID, '--to', '2024-01-31'], '--from'],
    [['charging-config', 'set', USER_ID, '--mode', 'solar'], '--mode'],
    [['inverters', 'schedules', USER_ID, INVERTER_ID, '--param', 'novalue'], 'name=value'],
    [
      [
        'inverters',
        'update',
        USER_ID,
        INVERTER_ID,
        '--min-battery-charge',
        '95',
        '--max-battery-charge',
        '90',
      ],
      'body.min_battery_charge',
    ],
    [['electric-vehicles', 'boost', USER_ID, '..'], 'electricVehicleId'],
  ])('exits 2 on %j without calling the API', async (argv, hint) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(hint);
    expect(result.apiRequests).toHaveLength(0);
  });

  it.each(['electric-vehicles', 'wallboxes', 'inverters', 'charging-config'])(
    'registers the %s module with the program’s settings on every command in it',
    async (group) => {
      const groupHelp = await run([group, '--help']);
      const names = [...groupHelp.stdout.matchAll(/^ {2}([a-z-]+) /gm)]
        .map((match) => match[1] ?? '')
        .filter((name) => name !== 'help');
      expect(names.length).toBeGreaterThan(1);
      for (const name of names) {
        const help = await run([group, name, '--help']);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain(`Usage: podero ${group} ${name}`);
        const wrong = await run([group, name, '--no-such-flag']);
        expect(wrong.code).toBe(2);
      }
    },
  );
});
