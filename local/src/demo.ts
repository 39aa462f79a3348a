import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { listenLocally } from '@podero-bridge/local-aws';
import { addDays, dayInZone, marketDay, zonedTimeToUtcMs } from '@podero-bridge/podero-client';
import { Webhook } from 'standardwebhooks';
import * as z from 'zod';
import type { MintToken } from './auth/tokens';
import type { DemoReporter } from './demo-reporter';

/**
 * The Podero getting-started flow, walked through podero-bridge's own API over HTTP: what a
 * partner's backend and an end user's browser would do. `pnpm demo` runs it against a running
 * `pnpm dev` (or a stack it starts); test/demo.integ.test.ts runs it and then checks DynamoDB.
 */

export interface DemoOptions {
  /** The local gateway, e.g. http://127.0.0.1:3000 (also serves `/__local/` for schedules). */
  apiUrl: string;
  mintToken: MintToken;
  reporter: DemoReporter;
  /** Defaults to a random `demo-xxxxxx`. */
  externalUserId?: string;
  /**
   * Which parts to walk, in this order, after the shared first steps (stack, token, webhook receiver):
   * `devices` (the getting-started flow, a mixed home, charging, the device lifecycle: issue 34) and
   * `trading` (two day-ahead trading days on the simulated clock: issue 38). Default `['devices']`: the trading
   * part moves the simulator's clock days ahead, which a caller seeding history (the console test) must not
   * get unasked; `pnpm demo` walks both.
   */
  parts?: readonly DemoPart[];
  fetch?: typeof fetch;
}

export const DEMO_PARTS = ['devices', 'trading'] as const;
export type DemoPart = (typeof DEMO_PARTS)[number];

/** A trading day as the demo left it: its final state and the `trading.*` events its receiver got for it. */
export interface DemoTradingDay {
  deliveryDay: string;
  state: string;
  events: string[];
}

export interface DemoResult {
  externalUserId: string;
  user: Record<string, unknown>;
  building: { id: string } & Record<string, unknown>;
  session: { id: string; authentication_url: string } & Record<string, unknown>;
  completedSession: Record<string, unknown>;
  connectRedirect: string;
  heatPumps: HeatPumpView[];
  syncRun: Record<string, unknown>;
  readings: Record<string, unknown>[];
  /** The connected heat pump's savings over the last four weeks, as the API answered them. */
  savings: { total: number; buckets: number; units: Record<string, string> };
  /** The heat pump's `connection` after its lost connection was seen by the sync, and after re-authentication. */
  connectionLost: Record<string, unknown>;
  connectionRestored: Record<string, unknown>;
  /** The change events the demo's webhook receiver got for the user, in arrival order, each signature verified. */
  webhookEvents: { type: string; id: string }[];
  /** The home's other devices, each connected through its own onboarding session: id and kind. */
  otherDevices: { id: string; kind: string }[];
  /** Every device of the home after the sync (`GET /users/{id}/devices`): id and type. */
  devices: { id: string; type: string }[];
  /** How many stored readings each kind's readings route served after the sync. */
  readingsByKind: Record<string, number>;
  /** The EV's boost (`started`), and the documented refusal of a second one while it charges. */
  boost: { outcome: string; refusal: { status: number; code: string; reason: string; state: string } };
  /** The charging configuration's mode as put, and as read back. */
  chargingConfig: { put: string; readBack: string | null; availableModes: string[] | null };
  /** The trading part (absent without it): the confirmed day and the day left unconfirmed. */
  trading?: {
    zone: string;
    confirmed: DemoTradingDay;
    missed: DemoTradingDay;
    /** The confirmed day's curves: quarter-hours, the day's delta, and the CSV's lines (header included). */
    curves: { points: number; deltaWh: number; csvLines: number };
  };
}

/** The events the devices part waits for at its receiver: the user's, and each kind's (issue 34). */
export const DEMO_DEVICE_EVENTS = [
  'user.onboarded',
  'onboarding_session.completed',
  'heat_pump.connected',
  'heat_pump.connection_lost',
  'heat_pump.connection_restored',
  'electric_vehicle.connected',
  'electric_vehicle.plugged_in',
  'electric_vehicle.boost_started',
  'electric_vehicle.charging_started',
  'electric_vehicle.charging_completed',
  'electric_vehicle.boost_ended',
  'electric_vehicle.unplugged',
  'wallbox.connected',
  'inverter.connected',
] as const;

/** A step failed: the demo's exit names it. */
export class DemoStepError extends Error {
  override readonly name = 'DemoStepError';
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

/**
 * The fields of the heat pump in Podero's getting-started guide example, in its order (the demo
 * prints those the response has: the generated reference shape lacks some older guide fields).
 */
export const GUIDE_HEAT_PUMP_FIELDS = [
  'id',
  'created_at',
  'updated_at',
  'owner',
  'building',
  'is_authenticated',
  'is_smart_optimization_active',
  'device_model',
  'operational_mode',
  'current_power_consumption_w',
  'indoor_actual_temperature',
  'outdoor_temperature',
  'consumption_last_day_kwh',
  'consumption_last_week_kwh',
  'consumption_last_month_kwh',
  'authorization_url',
] as const;

/** The guide's key fields: the demo fails if a listed heat pump lacks one. */
export const GUIDE_KEY_HEAT_PUMP_FIELDS = [
  'id',
  'is_authenticated',
  'is_smart_optimization_active',
  'device_model',
  'current_power_consumption_w',
  'indoor_actual_temperature',
  'outdoor_temperature',
] as const;

const heatPumpViewSchema = z.looseObject({
  id: z.uuid(),
  is_authenticated: z.boolean(),
  is_smart_optimization_active: z.boolean().nullish(),
  device_model: z.looseObject({ manufacturer: z.string().nullish(), model: z.string().nullish() }).nullish(),
});
export type HeatPumpView = z.infer<typeof heatPumpViewSchema>;

/** Each kind's resource in the bridge's paths (domain/devices/<kind>-api.ts). */
const RESOURCE_OF_KIND: Record<string, string> = {
  heat_pump: 'heat-pumps',
  electric_vehicle: 'electric-vehicles',
  wallbox: 'wallboxes',
  inverter: 'inverters',
};

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const anyObject = z.record(z.string(), z.unknown());

interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

function describeBody(text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return `${parsed.data.error.code}: ${parsed.data.error.message}`;
  } catch {
    // not JSON
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function parseJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${what} has an unexpected shape (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') {
    const model = value as { manufacturer?: unknown; model?: unknown };
    if ('manufacturer' in model || 'model' in model)
      return `${String(model.manufacturer)} ${String(model.model)}`;
    const owner = value as { id?: unknown; email?: unknown };
    if ('email' in owner) return `${String(owner.email)} (${String(owner.id)})`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** Reads the Connect UI form the way a browser would: hidden fields, the first choice of each select. */
export function readConnectForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (form === null) throw new Error('the Connect UI page has no form');
  const [, action = '', body = ''] = form;
  const fields: Record<string, string> = {};
  for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
    const tag = input[0];
    const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
    const type = /\btype="([^"]*)"/i.exec(tag)?.[1]?.toLowerCase() ?? 'text';
    if (name !== undefined && type === 'hidden') fields[name] = /\bvalue="([^"]*)"/i.exec(tag)?.[1] ?? '';
  }
  for (const select of body.matchAll(/<select\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/select>/gi)) {
    const [, name = ''] = select;
    let options = select[2] ?? '';
    // A select grouped by manufacturer (the model list): choose within the chosen manufacturer's group.
    const chosen = fields.manufacturer;
    const group =
      chosen === undefined
        ? undefined
        : [...options.matchAll(/<optgroup\b[^>]*\blabel="([^"]*)"[^>]*>([\s\S]*?)<\/optgroup>/gi)].find(
            (g) => g[1] === chosen,
          );
    if (group?.[2] !== undefined) options = group[2];
    const values = [...options.matchAll(/<option\b[^>]*\bvalue="([^"]*)"/gi)]
      .map((o) => o[1] ?? '')
      .filter((v) => v !== '');
    const first = values[0];
    if (first !== undefined) fields[name] = first;
  }
  const decode = (s: string) =>
    s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (entity) =>
      entity === '&amp;'
        ? '&'
        : entity === '&lt;'
          ? '<'
          : entity === '&gt;'
            ? '>'
            : entity === '&quot;'
              ? '"'
              : "'",
    );
  return {
    action: decode(action),
    fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, decode(v)])),
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { apiUrl, mintToken, reporter } = options;
  const doFetch = options.fetch ?? fetch;
  const externalUserId = options.externalUserId ?? `demo-${randomBytes(3).toString('hex')}`;
  const base = apiUrl.replace(/\/+$/, '');
  let userToken = '';

  async function call(method: string, path: string, body?: unknown): Promise<HttpResult> {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: {
        ...(userToken ? { authorization: `Bearer ${userToken}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async function expectJson<T>(
    schema: z.ZodType<T>,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const res = await call(method, path, body);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${path} answered ${res.status} (${describeBody(res.text)})`);
    }
    return parseJson(schema, res.text, `${method} ${path}`);
  }

  const steps: { title: string; run: () => Promise<string | undefined> }[] = [];
  // Detail lines of the running step, shown under its ✔ line once it has finished.
  const notes: string[] = [];
  const note = (line: string) => notes.push(line);
  const parts = new Set<DemoPart>(options.parts ?? ['devices']);
  // The part the steps declared next belong to: the shared first steps always run, a part's only when chosen.
  let declaring: DemoPart | 'shared' = 'shared';
  const step = (title: string, run: () => Promise<string | undefined>) => {
    if (declaring === 'shared' || parts.has(declaring)) steps.push({ title, run });
  };
  const state: Partial<DemoResult> = { externalUserId };
  const userPath = `/users/${encodeURIComponent(externalUserId)}`;

  let simulatorUrl = '';
  step('Local stack is up', async () => {
    const info = await expectJson(z.looseObject({ simulator_url: z.url() }), 'GET', '/__local/info');
    simulatorUrl = info.simulator_url.replace(/\/+$/, '');
    const health = await expectJson(z.looseObject({ status: z.literal('ok') }), 'GET', '/health');
    userToken = await mintToken({ sub: externalUserId });
    return `API healthy (version ${formatValue(health.version)}), simulator at ${simulatorUrl}`;
  });

  step('Token refresh runs (client credentials → token secret)', async () => {
    const run = await expectJson(
      z.looseObject({
        ok: z.literal(true),
        result: z.looseObject({ status: z.string(), expires_at: z.string() }),
      }),
      'POST',
      '/__local/schedules/token-refresh/run',
    );
    const status = run.result.status === 'still_valid' ? 'stored token still valid' : run.result.status;
    return `${status}, expires ${run.result.expires_at}`;
  });

  // A partner's webhook receiver on this machine: every request's signature is checked with the
  // standardwebhooks library and the secret POST /webhooks showed once.
  const webhook = { id: '', secret: '', url: '' };
  let closeReceiver: (() => Promise<void>) | undefined;
  const received: {
    type: string;
    id: string;
    externalUserId: string | undefined;
    deliveryDay: string | undefined;
  }[] = [];
  const rejected: string[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const payload = new Webhook(webhook.secret).verify(body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { type: string; data: { external_user_id?: string; delivery_day?: string } };
        received.push({
          type: payload.type,
          id: String(req.headers['webhook-id']),
          externalUserId: payload.data.external_user_id,
          deliveryDay: payload.data.delivery_day,
        });
        res.writeHead(204).end();
      } catch (error) {
        rejected.push(error instanceof Error ? error.message : String(error));
        res.writeHead(400).end();
      }
    });
  });
  async function adminCall(method: string, path: string, body?: unknown): Promise<HttpResult> {
    const admin = await mintToken({ admin: true });
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  step('Webhook registered (a receiver on 127.0.0.1 that verifies every signature)', async () => {
    const listening = await listenLocally(receiver, 0, '127.0.0.1');
    closeReceiver = listening.close;
    webhook.url = `http://127.0.0.1:${listening.port}/podero-bridge-events`;
    const res = await adminCall('POST', '/webhooks', { url: webhook.url, description: 'pnpm demo' });
    if (res.status !== 201)
      throw new Error(`POST /webhooks answered ${res.status} (${describeBody(res.text)})`);
    const created = parseJson(
      z.looseObject({ id: z.string(), secret: z.string() }),
      res.text,
      'POST /webhooks',
    );
    webhook.id = created.id;
    webhook.secret = created.secret;
    return `${created.id} → ${webhook.url} (secret shown once, kept by the receiver)`;
  });

  /** Waits (bounded) until the receiver holds every wanted type among the events `mine` selects. */
  async function awaitEvents(
    mine: () => { type: string; id: string }[],
    wanted: readonly string[],
    timeoutMs = 15_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!wanted.every((type) => mine().some((event) => event.type === type))) {
      if (rejected.length > 0) throw new Error(`a delivery failed verification: ${rejected[0]}`);
      if (Date.now() > deadline) {
        const got = mine().map((event) => event.type);
        throw new Error(
          `after ${timeoutMs / 1000} s the receiver has ${got.join(', ') || 'nothing'}; expected ${wanted.join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // The simulator's control plane: where the demo plays the manufacturer clouds, the car and the clock.
  async function simulatorCall(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await doFetch(`${simulatorUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`${method} ${path} answered ${res.status} (${describeBody(text)})`);
    return JSON.parse(text) as unknown;
  }
  const runSchedule = (name: string) =>
    expectJson(
      z.looseObject({ ok: z.literal(true), result: anyObject }),
      'POST',
      `/__local/schedules/${name}/run`,
    );

  declaring = 'devices';
  step('User created', async () => {
    const user = await expectJson(anyObject, 'POST', '/users', {
      external_user_id: externalUserId,
      email: `${externalUserId}@example.com`,
    });
    if (user.external_user_id !== externalUserId)
      throw new Error('the created user has another external_user_id');
    state.user = user;
    return `${externalUserId} → Podero user ${formatValue(user.podero_user_id ?? user.id)}`;
  });

  step('User updated', async () => {
    const user = await expectJson(anyObject, 'PATCH', userPath, { first_name: 'Ada', last_name: 'Lovelace' });
    if (user.first_name !== 'Ada' || user.last_name !== 'Lovelace')
      throw new Error('the update did not stick');
    state.user = user;
    return 'first_name Ada, last_name Lovelace';
  });

  step('Building added', async () => {
    const building = await expectJson(z.looseObject({ id: z.uuid() }), 'POST', `${userPath}/buildings`, {
      name: 'Main House',
    });
    state.building = building;
    return `Main House (${building.id})`;
  });

  step('Onboarding session opened', async () => {
    const session = await expectJson(
      z.looseObject({ id: z.uuid(), authentication_url: z.url() }),
      'POST',
      `${userPath}/onboarding-sessions`,
      {
        language: 'en',
        price_zone_default: 'DE_LU',
        is_smart_optimization_active_default: true,
        success_url: `${base}/__local/onboarding/success`,
        cancel_url: `${base}/__local/onboarding/cancel`,
        building_id: state.building?.id,
      },
    );
    state.session = session;
    return session.authentication_url;
  });

  step('Connect UI completed in the browser (form post, 303 to success_url)', async () => {
    const session = state.session;
    if (session === undefined) throw new Error('no onboarding session');
    const page = await doFetch(session.authentication_url, { redirect: 'manual' });
    const html = await page.text();
    if (page.status !== 200) throw new Error(`GET ${session.authentication_url} answered ${page.status}`);
    const cookies = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const form = readConnectForm(html);
    const fields: Record<string, string> = {
      ...form.fields,
      username: 'demo@example.com',
      password: 'demo-password',
      action: 'connect',
    };
    const posted = await doFetch(new URL(form.action, session.authentication_url), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookies ? { cookie: cookies } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    });
    await posted.body?.cancel();
    const location = posted.headers.get('location') ?? '';
    if (posted.status !== 303) throw new Error(`the form post answered ${posted.status}, not 303`);
    if (!location.startsWith(`${base}/__local/onboarding/success`)) {
      throw new Error(`redirected to ${location}, not to success_url`);
    }
    state.connectRedirect = location;
    const completed = await expectJson(
      z.looseObject({ state: z.string() }),
      'GET',
      `${userPath}/onboarding-sessions/${session.id}`,
    );
    if (completed.state !== 'completed')
      throw new Error(`session state is ${completed.state}, not completed`);
    state.completedSession = completed;
    return `${fields.manufacturer ?? '?'} ${fields.model ?? '?'} connected; session completed`;
  });

  step("User's heat pumps listed (live from Podero)", async () => {
    const list = await expectJson(
      z.looseObject({ items: z.array(heatPumpViewSchema), source: z.string() }),
      'GET',
      `${userPath}/heat-pumps?max_age_seconds=0`,
    );
    if (list.items.length === 0) throw new Error('no heat pumps listed');
    if (!list.items.every((hp) => hp.is_authenticated)) throw new Error('a heat pump is not authenticated');
    state.heatPumps = list.items;
    for (const hp of list.items) {
      const missing = GUIDE_KEY_HEAT_PUMP_FIELDS.filter((field) => !(field in hp));
      if (missing.length > 0) throw new Error(`heat pump ${hp.id} lacks ${missing.join(', ')}`);
      for (const field of GUIDE_HEAT_PUMP_FIELDS) {
        if (field in hp) note(`${field.padEnd(30)} ${formatValue(hp[field])}`);
      }
    }
    return `${list.items.length} heat pump(s), source ${list.source}`;
  });

  // A mixed home: an electric vehicle and a solar inverter with a home battery beside the heat pump, each
  // connected through its own Connect UI session (the form's device type and a model of the simulator's).
  step(
    'An electric vehicle, its wallbox and a solar inverter with a battery connected (Connect UI)',
    async () => {
      const others: { id: string; kind: string }[] = [];
      for (const [deviceType, manufacturer, model] of [
        ['ev', 'Tesla', 'Model 3'],
        ['wb', 'Easee', 'Home'],
        ['iv', 'Fronius', 'Symo GEN24 10.0 Plus'],
      ] as const) {
        const session = await expectJson(
          z.looseObject({ id: z.uuid(), authentication_url: z.url() }),
          'POST',
          `${userPath}/onboarding-sessions`,
          {
            language: 'en',
            price_zone_default: 'DE_LU',
            success_url: `${base}/__local/onboarding/success`,
            cancel_url: `${base}/__local/onboarding/cancel`,
            building_id: state.building?.id,
          },
        );
        const page = await doFetch(session.authentication_url, { redirect: 'manual' });
        const cookies = page.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ');
        const form = readConnectForm(await page.text());
        const posted = await doFetch(new URL(form.action, session.authentication_url), {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(cookies ? { cookie: cookies } : {}),
          },
          body: new URLSearchParams({
            ...form.fields,
            device_type: deviceType,
            manufacturer,
            model,
            username: 'demo@example.com',
            password: 'demo-password',
            action: 'connect',
          }).toString(),
        });
        await posted.body?.cancel();
        if (posted.status !== 303)
          throw new Error(`the ${deviceType} form post answered ${posted.status}, not 303`);
        const completed = await expectJson(
          z.looseObject({
            state: z.string(),
            device_id: z.string().nullish(),
            device_kind: z.string().nullish(),
          }),
          'GET',
          `${userPath}/onboarding-sessions/${session.id}`,
        );
        if (completed.state !== 'completed' || !completed.device_id || !completed.device_kind) {
          throw new Error(`the ${deviceType} session is ${completed.state}, with no device`);
        }
        others.push({ id: completed.device_id, kind: completed.device_kind });
        note(`${completed.device_kind.padEnd(18)} ${manufacturer} ${model} (${completed.device_id})`);
      }
      state.otherDevices = others;
      return others.map((device) => device.kind).join(', ');
    },
  );

  step('Sync runs (heat-pump-sync schedule)', async () => {
    const run = await expectJson(
      z.looseObject({ ok: z.literal(true), result: anyObject }),
      'POST',
      '/__local/schedules/heat-pump-sync/run',
    );
    // The plan, and the pass its shards made up (one shard for this fleet of one).
    const pass = z.looseObject({ status: z.literal('completed') }).parse(run.result.pass);
    state.syncRun = pass;
    const summary: Record<string, unknown> = pass;
    return ['shards', 'users', 'heat_pumps', 'readings_written', 'failures']
      .filter((k) => k in summary)
      .map((k) => `${k} ${formatValue(summary[k])}`)
      .join(', ');
  });

  step('Every device of the home listed, with its own figures', async () => {
    const list = await expectJson(
      z.looseObject({ items: z.array(z.looseObject({ id: z.string(), type: z.string() })) }),
      'GET',
      `${userPath}/devices`,
    );
    // What each kind's figures are called in its view (domain/devices/<kind>-view.ts).
    const figures: Record<string, readonly string[]> = {
      heat_pump: ['current_power_consumption_w', 'indoor_actual_temperature'],
      electric_vehicle: ['battery_level', 'is_plugged_in', 'current_charging_power_w'],
      wallbox: ['mode', 'is_plugged_in', 'charge_power_max_w'],
      inverter: [
        'current_solar_production_w',
        'battery_charge_level_percent',
        'battery_charge_discharge_power_w',
      ],
    };
    for (const device of list.items) {
      const shown = (figures[device.type] ?? [])
        .filter((field) => field in device)
        .map((field) => `${field} ${formatValue(device[field])}`)
        .join(', ');
      note(`${device.type.padEnd(18)} ${device.id}  ${shown}`);
    }
    const types = new Set(list.items.map((device) => device.type));
    for (const kind of ['heat_pump', 'electric_vehicle', 'wallbox', 'inverter']) {
      if (!types.has(kind)) throw new Error(`no ${kind} in the home's device list`);
    }
    state.devices = list.items.map(({ id, type }) => ({ id, type }));
    return `${list.items.length} devices: ${[...types].join(', ')}`;
  });

  step('Readings appear', async () => {
    const heatPump = state.heatPumps?.[0];
    if (heatPump === undefined) throw new Error('no heat pump');
    const page = await expectJson(
      z.looseObject({ items: z.array(z.looseObject({ state_at: z.string(), values: anyObject })) }),
      'GET',
      `${userPath}/heat-pumps/${heatPump.id}/readings?limit=10`,
    );
    if (page.items.length === 0) throw new Error('no readings stored');
    state.readings = page.items;
    for (const reading of page.items) {
      const values = ['current_power_consumption_w', 'indoor_actual_temperature', 'outdoor_temperature']
        .filter((k) => k in reading.values)
        .map((k) => `${k} ${formatValue(reading.values[k])}`)
        .join(', ');
      note(`${reading.state_at}  ${values}`);
    }
    // The sync stored a reading of every kind too: each kind's own readings route serves it.
    const readingsByKind: Record<string, number> = { heat_pump: page.items.length };
    for (const device of state.otherDevices ?? []) {
      const kindPage = await expectJson(
        z.looseObject({ items: z.array(z.looseObject({ state_at: z.string(), values: anyObject })) }),
        'GET',
        `${userPath}/${RESOURCE_OF_KIND[device.kind] ?? device.kind}/${device.id}/readings?limit=10`,
      );
      if (kindPage.items.length === 0) throw new Error(`no readings stored for the ${device.kind}`);
      readingsByKind[device.kind] = kindPage.items.length;
      const latest = kindPage.items.at(-1);
      note(
        `${device.kind.padEnd(18)} ${latest?.state_at ?? ''}  ${Object.entries(latest?.values ?? {})
          .slice(0, 3)
          .map(([k, v]) => `${k} ${formatValue(v)}`)
          .join(', ')}`,
      );
    }
    state.readingsByKind = readingsByKind;
    return Object.entries(readingsByKind)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
  });

  step('Savings shown (what optimisation saved, per week of the last 4)', async () => {
    const heatPump = state.heatPumps?.[0];
    if (heatPump === undefined) throw new Error('no heat pump');
    const to = new Date();
    const from = new Date(to.getTime() - 28 * 86_400_000);
    const query = new URLSearchParams({
      from: from.toISOString(),
      to: to.toISOString(),
      resolution: '1WEEK',
    });
    const savings = await expectJson(
      z.looseObject({
        buckets: z.array(
          z.looseObject({
            period: z.looseObject({ start: z.string().nullable() }),
            savings: z
              .looseObject({ total: z.number().nullable(), percentage: z.number().nullable() })
              .nullable(),
          }),
        ),
        units: z.record(z.string(), z.string()),
        source: z.string(),
      }),
      'GET',
      `${userPath}/heat-pumps/${heatPump.id}/savings?${query}`,
    );
    if (savings.buckets.length === 0) throw new Error('no savings buckets');
    let total = 0;
    for (const bucket of savings.buckets) {
      total += bucket.savings?.total ?? 0;
      note(
        `${(bucket.period.start ?? '?').slice(0, 10)}  saved ${formatValue(bucket.savings?.total ?? null)} ${savings.units.savings ?? ''} (${formatValue(bucket.savings?.percentage ?? null)} %)`,
      );
    }
    state.savings = { total, buckets: savings.buckets.length, units: savings.units };
    return `${total.toFixed(2)} ${savings.units.savings ?? ''} saved over ${savings.buckets.length} bucket(s), source ${savings.source}`;
  });

  // ---- charging (issue 34): the car plugged in, a boost and its documented refusal, the steering mode, and
  // each change of the car seen by the sync as an event
  const vehicle = () => {
    const found = state.otherDevices?.find((device) => device.kind === 'electric_vehicle');
    if (found === undefined) throw new Error('no electric vehicle');
    return found.id;
  };
  const driveVehicle = (drive: { plugged_in?: boolean; at_home?: boolean; battery_level?: number }) =>
    simulatorCall('POST', `/__sim/electric-vehicles/${vehicle()}/state`, drive);
  const syncAndReadVehicle = async () => {
    await runSchedule('heat-pump-sync');
    const read = await expectJson(
      z.looseObject({ electric_vehicle: anyObject }),
      'GET',
      `${userPath}/electric-vehicles/${vehicle()}?max_age_seconds=86400`,
    );
    const ev = read.electric_vehicle;
    return `battery_level ${formatValue(ev.battery_level)}, is_plugged_in ${formatValue(ev.is_plugged_in)}, is_charging ${formatValue(ev.is_charging)}, boost_state ${formatValue(ev.boost_state)}`;
  };
  const boostPath = () => `${userPath}/electric-vehicles/${vehicle()}/boost`;

  step('EV comes home and is plugged in (simulator), seen by the sync', async () => {
    // Unplugged first (and the sync sees it), so the plug-in is a change between two stored states.
    await driveVehicle({ plugged_in: false, battery_level: 40 });
    note(`unplugged: ${await syncAndReadVehicle()}`);
    await driveVehicle({ plugged_in: true, at_home: true });
    const seen = await syncAndReadVehicle();
    note(`plugged in: ${seen}`);
    return `electric vehicle ${vehicle()} plugged in at home at 40 %`;
  });

  step('EV boosted (POST .../boost → started)', async () => {
    const answer = await expectJson(
      z.looseObject({ outcome: z.string(), electric_vehicle: anyObject.nullable() }),
      'POST',
      boostPath(),
    );
    if (answer.outcome !== 'started') throw new Error(`the boost answered ${answer.outcome}, not started`);
    state.boost = { outcome: answer.outcome, refusal: { status: 0, code: '', reason: '', state: '' } };
    return `outcome ${answer.outcome}, boost_state ${formatValue(answer.electric_vehicle?.boost_state)}`;
  });

  step('EV boosted again while it charges → 409 boost_refused, reason already_charging', async () => {
    const res = await call('POST', boostPath());
    const refusal = parseJson(
      z.looseObject({
        error: z.looseObject({ code: z.string(), reason: z.string(), state: z.string() }),
      }),
      res.text,
      `POST ${boostPath()}`,
    ).error;
    if (res.status !== 409 || refusal.code !== 'boost_refused' || refusal.reason !== 'already_charging') {
      throw new Error(`the second boost answered ${res.status} ${refusal.code} (${refusal.reason})`);
    }
    const outcome = state.boost?.outcome ?? 'started';
    state.boost = {
      outcome,
      refusal: { status: res.status, code: refusal.code, reason: refusal.reason, state: refusal.state },
    };
    return `409 ${refusal.code}: reason ${refusal.reason}, state ${refusal.state} (the documented refusal)`;
  });

  step('Charging configuration changed and read back (PUT, GET .../charging-config)', async () => {
    const configSchema = z.looseObject({
      mode: z.string().nullable(),
      available_modes: z.array(z.string()).nullable(),
    });
    const before = await expectJson(configSchema, 'GET', `${userPath}/charging-config`);
    // Solar surplus and spot prices: the EV (or its wallbox) and the connected inverter make it available.
    const mode = 'hems_and_spot';
    await expectJson(configSchema, 'PUT', `${userPath}/charging-config`, { mode });
    const after = await expectJson(configSchema, 'GET', `${userPath}/charging-config`);
    if (after.mode !== mode) throw new Error(`the configuration reads back ${after.mode}, not ${mode}`);
    state.chargingConfig = { put: mode, readBack: after.mode, availableModes: after.available_modes };
    return `mode ${formatValue(before.mode)} → ${after.mode} (available: ${(after.available_modes ?? []).join(', ')})`;
  });

  step(
    'EV charges, completes and is unplugged (simulator clock and controls), each seen by the sync',
    async () => {
      // A boost is `requested` for a minute (the car wakes up), then charges: a minute on the simulated clock.
      await simulatorCall('POST', '/__sim/clock', { advance_seconds: 61 });
      note(`charging: ${await syncAndReadVehicle()}`);
      // Full: the boost ends at the cap and charging completes.
      await driveVehicle({ battery_level: 100 });
      note(`completed: ${await syncAndReadVehicle()}`);
      await driveVehicle({ plugged_in: false });
      note(`unplugged: ${await syncAndReadVehicle()}`);
      return 'charging started and completed, boost started and ended, unplugged';
    },
  );

  // ---- the connected-device lifecycle: a lost connection, seen by the sync, repaired by the end user
  const heatPumpPath = () => {
    const heatPump = state.heatPumps?.[0];
    if (heatPump === undefined) throw new Error('no heat pump');
    return `${userPath}/heat-pumps/${heatPump.id}`;
  };
  const connectionSchema = z.looseObject({
    heat_pump: z.looseObject({
      connection: z.looseObject({ state: z.string(), since: z.string().nullable() }),
    }),
    source: z.string(),
  });
  let redirectUrl = '';

  step('Manufacturer connection lost (simulator control route)', async () => {
    const heatPump = state.heatPumps?.[0];
    if (heatPump === undefined) throw new Error('no heat pump');
    const res = await doFetch(`${simulatorUrl}/__sim/heat-pumps/${heatPump.id}/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authenticated: false }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`the simulator answered ${res.status} (${describeBody(text)})`);
    return `heat pump ${heatPump.id} now answers is_authenticated: false with a reauthenticate action`;
  });

  step('Sync records it (cached read shows reauthentication_required)', async () => {
    await expectJson(z.looseObject({ ok: z.literal(true) }), 'POST', '/__local/schedules/heat-pump-sync/run');
    const read = await expectJson(connectionSchema, 'GET', `${heatPumpPath()}?max_age_seconds=86400`);
    const { connection } = read.heat_pump;
    if (connection.state !== 'reauthentication_required')
      throw new Error(`connection.state is ${connection.state}, not reauthentication_required`);
    state.connectionLost = connection;
    return `connection.state ${connection.state} since ${formatValue(connection.since)} (source ${read.source})`;
  });

  step('Re-authentication started (no cue secret reaches the app)', async () => {
    const started = await expectJson(
      z.looseObject({ redirect_url: z.url(), expires_at: z.string() }),
      'POST',
      `${heatPumpPath()}/reauthentication`,
      {
        success_url: `${base}/__local/reauthentication/success`,
        cancel_url: `${base}/__local/reauthentication/cancel`,
        language: 'en',
      },
    );
    redirectUrl = started.redirect_url;
    return `${started.redirect_url} (valid until ${started.expires_at})`;
  });

  step('Signed in again in the browser (form post, bridge callback, 303 to success_url)', async () => {
    const page = await doFetch(redirectUrl, { redirect: 'manual' });
    const html = await page.text();
    if (page.status !== 200) throw new Error(`GET ${redirectUrl} answered ${page.status}`);
    const form = readConnectForm(html);
    const posted = await doFetch(new URL(form.action, redirectUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...form.fields,
        username: 'demo@example.com',
        password: 'demo-password',
        action: 'connect',
      }).toString(),
    });
    await posted.body?.cancel();
    const callback = posted.headers.get('location') ?? '';
    if (posted.status !== 303 || !callback.startsWith(`${base}/reauthentication/callback`)) {
      throw new Error(`the form post answered ${posted.status} to ${callback}, not the bridge's callback`);
    }
    const back = await doFetch(callback, { redirect: 'manual' });
    await back.body?.cancel();
    const landing = back.headers.get('location') ?? '';
    if (back.status !== 303 || landing !== `${base}/__local/reauthentication/success`) {
      throw new Error(`the callback answered ${back.status} to ${landing}, not to success_url`);
    }
    return `callback reported success to Podero, then 303 to ${landing}`;
  });

  step('Connected again (live read)', async () => {
    const read = await expectJson(connectionSchema, 'GET', `${heatPumpPath()}?max_age_seconds=0`);
    const { connection } = read.heat_pump;
    if (connection.state !== 'connected')
      throw new Error(`connection.state is ${connection.state}, not connected`);
    state.connectionRestored = connection;
    return `connection.state ${connection.state} since ${formatValue(connection.since)}`;
  });

  step('Change events of every kind received by the webhook, signatures verified', async () => {
    const mine = () => received.filter((event) => event.externalUserId === externalUserId);
    // Bounded: the relay publishes within a second of each change.
    await awaitEvents(mine, DEMO_DEVICE_EVENTS);
    state.webhookEvents = mine().map(({ type, id }) => ({ type, id }));
    for (const event of mine()) note(`${event.type.padEnd(36)} ${event.id}`);
    return `${mine().length} events, each signed as Standard Webhooks says`;
  });

  // ---- day-ahead trading (issue 38), on the simulated clock: the bridge's functions read the simulator's clock
  // (local/src/clock.ts), so moving it moves the trading deadlines for the api and the workflow alike
  declaring = 'trading';
  // Podero trades a zone's fleet: the simulator seeds a few heat pumps in AT (its seed's zone) for it.
  const zone = 'AT';
  const tradingDayPath = (day: string) => `/trading/day-ahead/${zone}/days/${day}`;
  const deadlinesSchema = z.looseObject({
    upload_by: z.string(),
    curves_expected_at: z.string(),
    confirm_by: z.string(),
  });
  const tradingDaySchema = z.looseObject({
    delivery_day: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    last_error: z.string().nullable().optional(),
    deadlines: deadlinesSchema,
    delta_wh: z.number().nullable(),
    expected_saving_eur: z.number().nullable(),
    curves: z
      .array(z.looseObject({ delta_wh: z.number() }))
      .nullable()
      .optional(),
  });
  type TradingDayView = z.infer<typeof tradingDaySchema>;
  const trading = {
    confirmDay: '',
    missDay: '',
    confirmed: undefined as TradingDayView | undefined,
    csvLines: 0,
  };
  const adminJson = async <T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown) => {
    const res = await adminCall(method, path, body);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${method} ${path} answered ${res.status} (${describeBody(res.text)})`);
    return parseJson(schema, res.text, `${method} ${path}`);
  };
  const setClock = async (atMs: number) => {
    const answer = z
      .looseObject({ now: z.string() })
      .parse(await simulatorCall('POST', '/__sim/clock', { set: new Date(atMs).toISOString() }));
    return answer.now;
  };
  const runWorkflow = async () => {
    const run = await runSchedule('trading-workflow');
    return z.looseObject({ steps: z.number(), missed: z.number() }).parse(run.result);
  };
  const readDay = (day: string) => adminJson(tradingDaySchema, 'GET', tradingDayPath(day));
  const dayEvents = (day: string) => () =>
    received.filter((event) => event.deliveryDay === day && event.type.startsWith('trading.'));
  const expectState = (day: TradingDayView, wanted: string) => {
    if (day.state !== wanted) {
      const why = [day.reason, day.last_error].filter((part) => part != null).join('; ');
      throw new Error(`${day.delivery_day} is ${day.state}, not ${wanted}${why ? ` (${why})` : ''}`);
    }
  };
  /** A forecast of every quarter-hour of the Berlin day: a cheap night, an expensive evening. */
  const forecastOf = (day: string) => ({
    prices: marketDay(day).quarterHours.map((start, i, all) => ({
      start,
      price_eur_mwh: Math.round(60 + 40 * Math.sin((2 * Math.PI * i) / all.length - Math.PI / 2)),
    })),
  });
  const putForecast = async (day: string) => {
    const res = await adminCall('PUT', `${tradingDayPath(day)}/prices`, forecastOf(day));
    if (res.status !== 201)
      throw new Error(`PUT ${tradingDayPath(day)}/prices answered ${res.status} (${describeBody(res.text)})`);
    return parseJson(tradingDaySchema, res.text, 'PUT prices');
  };

  step(
    "Simulated clock set to 07:00 Berlin on the delivery day's eve (before the upload deadline)",
    async () => {
      const info = await expectJson(z.looseObject({ bridge_clock: z.string() }), 'GET', '/__local/info');
      if (info.bridge_clock !== 'simulator')
        throw new Error(`the stack's functions read the ${info.bridge_clock} clock, not the simulator's`);
      const { now } = z.looseObject({ now: z.string() }).parse(await simulatorCall('GET', '/__sim/clock'));
      const nowMs = Date.parse(now);
      // The next 07:00 in Berlin (D−1) that has not passed: the clock only moves forward.
      let eve = dayInZone(nowMs);
      if (zonedTimeToUtcMs(eve, 7, 0) <= nowMs) eve = addDays(eve, 1);
      const at = await setClock(zonedTimeToUtcMs(eve, 7, 0));
      await simulatorCall('POST', '/__sim/seed', {
        users: 2,
        heat_pumps_per_user: 1,
        external_id_prefix: `trading-fleet-${randomBytes(3).toString('hex')}`,
      });
      note(`the partner's fleet at Podero: 2 heat pumps in ${zone} (simulator seed)`);
      trading.confirmDay = addDays(eve, 1);
      trading.missDay = addDays(eve, 2);
      return `simulator and bridge at ${at}; delivery day ${trading.confirmDay} (${zone})`;
    },
  );

  step(
    'Forecast put in (PUT .../prices), uploaded by the trading workflow → trading.prices_uploaded',
    async () => {
      const day = trading.confirmDay;
      const put = await putForecast(day);
      note(
        `${put.state}: upload by ${put.deadlines.upload_by}, curves expected ${put.deadlines.curves_expected_at}`,
      );
      await runWorkflow();
      const uploaded = await readDay(day);
      expectState(uploaded, 'uploaded');
      await awaitEvents(dayEvents(day), ['trading.prices_uploaded']);
      return `${day}: ${forecastOf(day).prices.length} quarter-hours, state ${uploaded.state}`;
    },
  );

  step(
    'Clock past the curve calculation; the workflow stores the curves → trading.curves_ready',
    async () => {
      const day = trading.confirmDay;
      const before = await readDay(day);
      const at = await setClock(Date.parse(before.deadlines.curves_expected_at) + 60_000);
      await runWorkflow();
      const ready = await readDay(day);
      expectState(ready, 'curves_ready');
      await awaitEvents(dayEvents(day), ['trading.curves_ready', 'trading.confirmation_due']);
      return `at ${at}: ${day} ${ready.state}, confirm by ${ready.deadlines.confirm_by}`;
    },
  );

  step('Curves and delta read (GET the day, .../curves.csv)', async () => {
    const day = trading.confirmDay;
    const read = await readDay(day);
    const points = read.curves ?? [];
    if (points.length === 0 || read.delta_wh === null) throw new Error(`${day} has no curves`);
    const csv = await adminCall('GET', `${tradingDayPath(day)}/curves.csv`);
    const lines = csv.text.trim().split('\r\n');
    if (csv.status !== 200 || lines.length !== points.length + 1)
      throw new Error(`curves.csv answered ${csv.status} with ${lines.length} lines`);
    note(lines[0] ?? '');
    note(lines[1] ?? '');
    trading.csvLines = lines.length;
    trading.confirmed = read;
    const saving = read.expected_saving_eur === null ? '?' : read.expected_saving_eur.toFixed(2);
    return `${points.length} quarter-hours, delta ${read.delta_wh} Wh, expected saving ${saving} EUR`;
  });

  step(
    'Day confirmed by the desk (POST .../confirmation), sent by the workflow → trading.confirmed',
    async () => {
      const day = trading.confirmDay;
      await adminJson(tradingDaySchema, 'POST', `${tradingDayPath(day)}/confirmation`, { accepted: true });
      await runWorkflow();
      const confirmed = await readDay(day);
      expectState(confirmed, 'confirmed');
      await awaitEvents(dayEvents(day), ['trading.confirmed']);
      trading.confirmed = confirmed;
      for (const event of dayEvents(day)()) note(`${event.type.padEnd(36)} ${event.id}`);
      return `${day} ${confirmed.state}; ${dayEvents(day)().length} trading events, each signed`;
    },
  );

  step('A second day left unconfirmed: forecast in, uploaded, curves stored', async () => {
    const day = trading.missDay;
    await putForecast(day);
    await runWorkflow();
    const uploaded = await readDay(day);
    await setClock(Date.parse(uploaded.deadlines.curves_expected_at) + 60_000);
    await runWorkflow();
    const ready = await readDay(day);
    expectState(ready, 'curves_ready');
    await awaitEvents(dayEvents(day), ['trading.prices_uploaded', 'trading.curves_ready']);
    return `${day} ${ready.state}, nobody decides before ${ready.deadlines.confirm_by}`;
  });

  step('Clock past its confirmation deadline: the day ends missed → trading.missed', async () => {
    const day = trading.missDay;
    const before = await readDay(day);
    const at = await setClock(Date.parse(before.deadlines.confirm_by) + 60_000);
    const run = await runWorkflow();
    const missed = await readDay(day);
    expectState(missed, 'missed');
    await awaitEvents(dayEvents(day), ['trading.missed']);
    for (const event of dayEvents(day)()) note(`${event.type.padEnd(36)} ${event.id}`);
    const confirmed = trading.confirmed;
    state.trading = {
      zone,
      confirmed: {
        deliveryDay: trading.confirmDay,
        state: confirmed?.state ?? '',
        events: dayEvents(trading.confirmDay)().map((event) => event.type),
      },
      missed: { deliveryDay: day, state: missed.state, events: dayEvents(day)().map((event) => event.type) },
      curves: {
        points: confirmed?.curves?.length ?? 0,
        deltaWh: confirmed?.delta_wh ?? 0,
        csvLines: trading.csvLines,
      },
    };
    return `at ${at}: ${day} ${missed.state} (${missed.reason ?? ''}); the run counted ${run.missed} missed`;
  });

  try {
    await runSteps();
  } finally {
    // The receiver goes with the demo: so does its webhook, or later events would be retried at a closed port.
    if (webhook.id !== '') await adminCall('DELETE', `/webhooks/${webhook.id}`).catch(() => undefined);
    await closeReceiver?.();
  }
  return state as DemoResult;

  async function runSteps(): Promise<void> {
    for (const [i, { title, run }] of steps.entries()) {
      const index = i + 1;
      reporter.start(index, steps.length, title);
      const started = Date.now();
      try {
        const detail = await run();
        reporter.succeed(index, steps.length, title, detail, Date.now() - started);
        for (const line of notes.splice(0)) reporter.info(line);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        reporter.fail(index, steps.length, title, message);
        notes.length = 0;
        throw new DemoStepError(title, message);
      }
    }
  }
}
