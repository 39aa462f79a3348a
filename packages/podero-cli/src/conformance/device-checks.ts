/**
 * The paths of the other device kinds that rest on inference (contract §3.7–§3.9): the EV update (E4), the
 * charge-policy write (E9), the wallbox list and register (W7), and the sign of the home battery's power.
 *
 * Writes touch only devices the probe registered itself, on a user of its own (`<prefix>-devices`, deleted
 * by the cleanup with everything else it created): never a customer's vehicle, policy or box. The battery
 * check cannot register a battery with readings (only a manufacturer connection brings them), so it reads:
 * the first connected inverter with a battery among the organisation's first users, nothing written. The
 * inverter-savings check reads too: the first connected inverter's last week of savings (Appendix B).
 */
import type { Check, ProbeContext, ProbeUser } from './checks';
import { describeAnswer, field } from './http';

const ok = (status: number) => status >= 200 && status < 300;
const holds = (observed: string) => ({ verdict: 'holds' as const, observed });
const diverges = (observed: string) => ({ verdict: 'diverges' as const, observed });
const skipped = (observed: string) => ({ verdict: 'skipped' as const, observed });

/** How many of the organisation's users the battery check reads before it gives up (reads only). */
export const BATTERY_SCAN_USERS = 25;
/** Readings are rounded to whole watts, and may be read a moment apart on a real Podero. */
const BALANCE_TOLERANCE_W = 10;
const BALANCE_TOLERANCE_SHARE = 0.02;

/** The probe's own user for device writes, created once per run and cleaned up with the rest. */
async function deviceUser(ctx: ProbeContext): Promise<ProbeUser | string> {
  if (ctx.deviceUser) return ctx.deviceUser;
  const externalId = `${ctx.prefix}-devices`;
  const email = `${ctx.prefix}-devices@example.com`;
  const answer = await ctx.http.request('POST', ctx.http.org('/users'), {
    body: { role: 'user', email, external_user_id: externalId },
  });
  const id = field(answer.json, 'id');
  if (!ok(answer.status) || typeof id !== 'string') return `create a user: ${describeAnswer(answer)}`;
  ctx.deviceUser = { id, externalId, email };
  ctx.created.set(id, { externalId, heatPumpIds: [], devicePaths: [], deleted: false });
  ctx.say(`created user ${id} (external_user_id ${externalId}) for the device checks`);
  return ctx.deviceUser;
}

/** Registers an empty device of `collection` for the probe's user; its path, or why it could not. */
async function registerDevice(
  ctx: ProbeContext,
  collection: 'electric-vehicles' | 'wallboxes',
): Promise<{ user: ProbeUser; path: string; id: string } | string> {
  const user = await deviceUser(ctx);
  if (typeof user === 'string') return user;
  const base = ctx.http.org(`/users/${user.id}/${collection}`);
  const created = await ctx.http.request('POST', base, { body: {} });
  const id = field(created.json, 'id');
  if (!ok(created.status) || typeof id !== 'string')
    return `register an empty one: POST ${describeAnswer(created)}`;
  const path = `${base}/${id}`;
  ctx.created.get(user.id)?.devicePaths?.push(path);
  return { user, path, id };
}

/** The probe's vehicle, registered at the first check that needs one. */
async function probeVehicle(ctx: ProbeContext): Promise<{ path: string } | string> {
  if (ctx.vehiclePath) return { path: ctx.vehiclePath };
  const vehicle = await registerDevice(ctx, 'electric-vehicles');
  if (typeof vehicle === 'string') return vehicle;
  ctx.vehiclePath = vehicle.path;
  return vehicle;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A policy unlike `read` on every day (so that a write that is ignored cannot pass for one applied). */
function differentPolicy(read: unknown): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  WEEKDAYS.forEach((day, index) => {
    const before = field(field(read, day), 'charge_percentage');
    const percentage = 61 + index === before ? 71 + index : 61 + index;
    policy[day] = { charge_percentage: percentage, charge_deadline: `06:${String(10 + index)}` };
  });
  const timezone = field(read, 'timezone');
  policy.timezone = typeof timezone === 'string' && timezone !== '' ? timezone : 'UTC';
  return policy;
}

/** The days of a policy as `mon 61@06:10 ...`, for comparing and for the observation. */
function daysOf(data: unknown): string {
  return WEEKDAYS.map((day) => {
    const entry = field(data, day);
    return `${day} ${String(field(entry, 'charge_percentage'))}@${String(field(entry, 'charge_deadline'))}`;
  }).join(', ');
}

const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

interface BatteryReading {
  production: number;
  consumption: number;
  grid: number;
  battery: number;
}

function batteryReadingOf(inverter: unknown): BatteryReading | undefined {
  if (field(inverter, 'is_battery_connected') !== true) return undefined;
  const reading = {
    production: asNumber(field(inverter, 'current_solar_production_w')),
    consumption: asNumber(field(inverter, 'household_consumption_w')),
    grid: asNumber(field(inverter, 'current_power_to_grid_w')),
    battery: asNumber(field(inverter, 'battery_charge_discharge_power_w')),
  };
  // A battery at rest cannot tell the two signs apart.
  if (reading.battery === undefined || reading.battery === 0) return undefined;
  if (reading.production === undefined || reading.consumption === undefined || reading.grid === undefined)
    return undefined;
  return reading as BatteryReading;
}

const DAY_MS = 86_400_000;

/** The first connected inverter among the organisation's first users (reads only), with its owner. */
async function firstConnectedInverter(
  ctx: ProbeContext,
): Promise<{ userId: string; id: string } | { scanned: number } | string> {
  const users = await ctx.http.request('GET', ctx.http.org('/users'));
  if (!ok(users.status) || !Array.isArray(users.json)) return `U1: ${describeAnswer(users)}`;
  const ids = users.json
    .map((user) => field(user, 'id'))
    .filter((id): id is string => typeof id === 'string')
    .slice(0, BATTERY_SCAN_USERS);
  for (const userId of ids) {
    const list = await ctx.http.request('GET', ctx.http.org(`/users/${userId}/inverters`));
    if (!ok(list.status) || !Array.isArray(list.json)) continue;
    const inverter = list.json.find((candidate) => field(candidate, 'is_authenticated') === true);
    const id = field(inverter, 'id');
    if (typeof id === 'string') return { userId, id };
  }
  return { scanned: ids.length };
}

/**
 * One savings bucket's inverter part: production and export as the contract names them (numbers), and the
 * self-consumption the bridge passes on when Podero sends it ([INFERRED] `self_consumption_wh`, production not
 * exported); what is wrong with it, or null.
 */
function inverterPartProblem(bucket: unknown): string | null {
  const part = field(bucket, 'inverter');
  const production = asNumber(field(part, 'solar_production_wh'));
  const exported = asNumber(field(part, 'grid_export_wh'));
  if (production === undefined || exported === undefined)
    return `a bucket's inverter part is ${JSON.stringify(part ?? null)}: no solar_production_wh and grid_export_wh numbers`;
  const selfConsumption = field(part, 'self_consumption_wh');
  if (selfConsumption === undefined || selfConsumption === null) return null;
  const expected = production - exported;
  if (
    typeof selfConsumption !== 'number' ||
    Math.abs(selfConsumption - expected) > 1 + Math.abs(expected) * 0.01
  )
    return `self_consumption_wh ${String(selfConsumption)} is not production ${production} - export ${exported}`;
  return null;
}

/** Production plus what the battery gives, less what goes to the grid, is what the household used. */
function balances(r: BatteryReading, batterySign: 1 | -1): boolean {
  const gap = Math.abs(r.production + batterySign * r.battery - r.grid - r.consumption);
  const scale = Math.max(Math.abs(r.production), Math.abs(r.consumption), Math.abs(r.battery));
  return gap <= Math.max(BALANCE_TOLERANCE_W, scale * BALANCE_TOLERANCE_SHARE);
}

export const DEVICE_CHECKS: readonly Check[] = [
  {
    id: 'electric-vehicles.update.put',
    expected:
      "PUT .../electric-vehicles/{id} (E4) is a partial update: the charge settings written are read back (on the probe's own vehicle)",
    async run(ctx) {
      const vehicle = await probeVehicle(ctx);
      if (typeof vehicle === 'string') return diverges(vehicle);
      const wanted = {
        is_charge_policy_enabled: true,
        minimum_charge_limit: 65,
        charge_deadline_at: '06:45',
      };
      const put = await ctx.http.request('PUT', vehicle.path, { body: wanted });
      const read = await ctx.http.request('GET', vehicle.path);
      const seen = Object.fromEntries(Object.keys(wanted).map((name) => [name, field(read.json, name)]));
      const applied = Object.entries(wanted).every(([name, value]) => seen[name] === value);
      const observed = `PUT ${put.status}; read ${read.status} ${JSON.stringify(seen)}`;
      return ok(put.status) && applied ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'electric-vehicles.charge-policy.put',
    expected:
      "PUT .../charge-policy (E9) takes E8's data (seven days and the timezone) and E8 reads it back; on the probe's own vehicle, then restored",
    async run(ctx) {
      const vehicle = await probeVehicle(ctx);
      if (typeof vehicle === 'string') return diverges(vehicle);
      const path = `${vehicle.path}/charge-policy`;
      const before = await ctx.http.request('GET', path);
      const original = field(before.json, 'data');
      if (!ok(before.status) || original === undefined || original === null)
        return diverges(`E8 read: ${describeAnswer(before)}`);
      const wanted = differentPolicy(original);
      const put = await ctx.http.request('PUT', path, { body: wanted });
      const after = await ctx.http.request('GET', path);
      const applied = daysOf(field(after.json, 'data')) === daysOf(wanted);
      // The vehicle is the probe's own, but leave it as it was found all the same.
      const restore = WEEKDAYS.every((day) => field(original, day))
        ? await ctx.http.request('PUT', path, { body: original })
        : undefined;
      const observed = `PUT ${put.status}; read back ${applied ? 'as written' : daysOf(field(after.json, 'data'))}${
        restore ? `; restored ${restore.status}` : ''
      }`;
      return ok(put.status) && applied ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'wallboxes.list-register',
    expected:
      "POST .../wallboxes registers a wallbox and GET .../wallboxes (W7) lists it, a plain array (on the probe's own user)",
    async run(ctx) {
      const wallbox = await registerDevice(ctx, 'wallboxes');
      if (typeof wallbox === 'string') return diverges(wallbox);
      const list = await ctx.http.request('GET', ctx.http.org(`/users/${wallbox.user.id}/wallboxes`));
      const listed = Array.isArray(list.json) && list.json.some((box) => field(box, 'id') === wallbox.id);
      const observed = `registered ${wallbox.id}; list ${describeAnswer(list)}, listed ${listed}`;
      return ok(list.status) && listed ? holds(observed) : diverges(observed);
    },
  },
  {
    id: 'inverters.battery-power.sign',
    expected:
      'a connected inverter with a battery balances production + battery - grid = consumption: battery power positive when discharging, grid positive when exporting (reads only)',
    async run(ctx) {
      const users = await ctx.http.request('GET', ctx.http.org('/users'));
      if (!ok(users.status) || !Array.isArray(users.json)) return diverges(`U1: ${describeAnswer(users)}`);
      const ids = users.json
        .map((user) => field(user, 'id'))
        .filter((id): id is string => typeof id === 'string')
        .slice(0, BATTERY_SCAN_USERS);
      for (const id of ids) {
        const list = await ctx.http.request('GET', ctx.http.org(`/users/${id}/inverters`));
        if (!ok(list.status) || !Array.isArray(list.json)) continue;
        for (const inverter of list.json) {
          const reading = batteryReadingOf(inverter);
          if (!reading) continue;
          const observed = `inverter ${String(field(inverter, 'id'))}: production ${reading.production} W, battery ${reading.battery} W, grid ${reading.grid} W, consumption ${reading.consumption} W`;
          if (balances(reading, 1)) return holds(observed);
          return balances(reading, -1)
            ? diverges(`${observed}: balances only with the old guide's sign (+ charging)`)
            : diverges(`${observed}: balances with neither sign`);
        }
      }
      return skipped(
        `no connected inverter with a battery in use among the first ${ids.length} users: rerun when one is`,
      );
    },
  },
  {
    id: 'inverters.savings.shape',
    expected:
      "a connected inverter's savings (Appendix B) carry per bucket `inverter.solar_production_wh` and `grid_export_wh` as numbers; `self_consumption_wh` [INFERRED], when sent, is production minus export (reads only)",
    async run(ctx) {
      const found = await firstConnectedInverter(ctx);
      if (typeof found === 'string') return diverges(found);
      if ('scanned' in found)
        return skipped(`no connected inverter among the first ${found.scanned} users: rerun when one is`);
      const to = new Date(Date.now() - (Date.now() % DAY_MS));
      const from = new Date(to.getTime() - 7 * DAY_MS);
      const query = `from=${from.toISOString()}&to=${to.toISOString()}&resolution=1DAY`;
      const answer = await ctx.http.request(
        'GET',
        ctx.http.org(`/users/${found.userId}/inverters/${found.id}/savings?${query}`),
      );
      const data = field(answer.json, 'data');
      if (!ok(answer.status) || !Array.isArray(data)) return diverges(`savings: ${describeAnswer(answer)}`);
      if (data.length === 0) return skipped(`inverter ${found.id}: no buckets in the last 7 days`);
      const problem = data.map(inverterPartProblem).find((text) => text !== null);
      const sent = data.some(
        (bucket) => typeof field(field(bucket, 'inverter'), 'self_consumption_wh') === 'number',
      );
      const observed = `inverter ${found.id}: ${data.length} buckets; self_consumption_wh ${
        sent ? 'sent' : 'not sent (the bridge derives it: production - export)'
      }`;
      return problem === undefined ? holds(observed) : diverges(`${observed}; ${problem}`);
    },
  },
];
