import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { listenLocally } from '@podero-bridge/local-aws';
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
  fetch?: typeof fetch;
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
}

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
  const step = (title: string, run: () => Promise<string | undefined>) => steps.push({ title, run });
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
  const received: { type: string; id: string; externalUserId: string | undefined }[] = [];
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
        }) as { type: string; data: { external_user_id?: string } };
        received.push({
          type: payload.type,
          id: String(req.headers['webhook-id']),
          externalUserId: payload.data.external_user_id,
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
  step('An electric vehicle and a solar inverter with a battery connected (Connect UI)', async () => {
    const others: { id: string; kind: string }[] = [];
    for (const [deviceType, manufacturer, model] of [
      ['ev', 'Tesla', 'Model 3'],
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
    return others.map((device) => device.kind).join(' and ');
  });

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
    for (const kind of ['heat_pump', 'electric_vehicle', 'inverter']) {
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
    return `${page.items.length} reading(s) for heat pump ${heatPump.id}`;
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

  const WANTED_EVENTS = [
    'user.onboarded',
    'onboarding_session.completed',
    'heat_pump.connected',
    'heat_pump.connection_lost',
    'heat_pump.connection_restored',
  ];
  step('Change events received by the webhook, signatures verified', async () => {
    const mine = () => received.filter((event) => event.externalUserId === externalUserId);
    // Bounded: the relay publishes within a second of each change.
    const deadline = Date.now() + 15_000;
    while (!WANTED_EVENTS.every((type) => mine().some((event) => event.type === type))) {
      if (rejected.length > 0) throw new Error(`a delivery failed verification: ${rejected[0]}`);
      if (Date.now() > deadline) {
        const got = mine().map((event) => `${event.type} ${event.id}`);
        throw new Error(
          `after 15 s the receiver has ${got.join(', ') || 'nothing'}; expected ${WANTED_EVENTS.join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    state.webhookEvents = mine().map(({ type, id }) => ({ type, id }));
    for (const event of mine()) note(`${event.type.padEnd(30)} ${event.id}`);
    return `${mine().length} events, each signed as Standard Webhooks says`;
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
