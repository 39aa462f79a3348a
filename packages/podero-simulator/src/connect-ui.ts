/**
 * The simulated Connect UI (Podero's connect.podero.com): a plain HTML form, usable from a browser and
 * from plain HTTP in tests. Any non-empty credentials sign in, except the password `fail`. It connects any
 * kind: the session's `device_type` (`hp`/`ev`/`wb`/`iv`) preselects one, else the form offers all four.
 */

import { sessionExpiresAtMs } from './api/onboarding';
import { type Handler, iso, type SimCore, type SimResponse } from './core';
import {
  type CatalogEntry,
  type DeviceKind,
  KIND_BY_ONBOARDING_TYPE,
  KIND_CATALOG,
  kindDeviceModel,
  newElectricVehicleRecord,
  newInverterRecord,
  newWallboxRecord,
} from './device-kinds';
import {
  catalogDeviceModel,
  DEVICE_CATALOG,
  markOnboarded,
  type NewDeviceOptions,
  newHeatPumpRecord,
} from './domain';
import type { OnboardingRecord } from './store';
import { uuidSchema } from './wire';

/** The password that makes the simulated manufacturer sign-in fail (303 to cancel_url). */
export const FAILING_PASSWORD = 'fail';

type SessionLookup = { session: OnboardingRecord } | { error: SimResponse };

export const showConnectPage: Handler = (core, request) => {
  const lookup = usableSession(core, request.query.get('onboarding_session_id'));
  if ('error' in lookup) return lookup.error;
  return { status: 200, html: formPage(lookup.session, {}) };
};

export const submitConnectForm: Handler = (core, request) => {
  const form = new URLSearchParams(request.rawBody.toString('utf8'));
  const lookup = usableSession(core, form.get('onboarding_session_id'));
  if ('error' in lookup) return lookup.error;
  const { session } = lookup;
  const action = form.get('action') ?? 'connect';
  if (action === 'cancel') return redirect(session.cancel_url);
  if (action !== 'connect') return { status: 400, html: formPage(session, { error: 'Unknown action.' }) };

  // The session's preselected type wins; else the form's choice; a form without one connects a heat pump.
  const type = session.device_type ?? form.get('device_type') ?? 'hp';
  const kind = isOnboardingType(type) ? KIND_BY_ONBOARDING_TYPE[type] : null;
  const entered = {
    manufacturer: form.get('manufacturer') ?? '',
    model: form.get('model') ?? '',
    username: form.get('username') ?? '',
  };
  const password = form.get('password') ?? '';
  const device =
    kind === null
      ? undefined
      : catalogOf(kind).find(
          (entry) => entry.manufacturer === entered.manufacturer && entry.model === entered.model,
        );
  if (kind === null || !device) {
    return {
      status: 400,
      html: formPage(session, { ...entered, error: 'Choose a manufacturer and one of its models.' }),
    };
  }
  if (entered.username.trim() === '' || password === '') {
    return {
      status: 400,
      html: formPage(session, { ...entered, error: 'Enter your username and password.' }),
    };
  }
  if (password === FAILING_PASSWORD) return redirect(session.cancel_url);

  const deviceId = connectDevice(core, kind, device, {
    orgId: session.org_id,
    ownerId: session.user_id,
    buildingId:
      session.building_id !== null && core.store.buildings.has(session.building_id)
        ? session.building_id
        : null,
    priceZone: session.price_zone_default,
    smartOptimizationActive: session.is_smart_optimization_active_default,
  });
  if (core.modes.onboardingObjectId === 'filled') session.object_id = deviceId;
  session.used_at = iso(core.clock.nowMs());
  const user = core.store.users.get(session.user_id);
  if (user) markOnboarded(user);
  core.changed();
  return redirect(session.success_url);
};

function isOnboardingType(value: string): value is keyof typeof KIND_BY_ONBOARDING_TYPE {
  return Object.hasOwn(KIND_BY_ONBOARDING_TYPE, value);
}

export function catalogOf(kind: DeviceKind): readonly CatalogEntry[] {
  return kind === 'heat_pump' ? DEVICE_CATALOG : KIND_CATALOG[kind];
}

/** Creates an authenticated, living device of `kind` for the owner; returns its id. */
export function connectDevice(
  core: SimCore,
  kind: DeviceKind,
  entry: CatalogEntry,
  options: Omit<NewDeviceOptions, 'deviceModel' | 'authenticated'>,
): string {
  const common = { ...options, authenticated: true };
  switch (kind) {
    case 'heat_pump': {
      const heatPump = newHeatPumpRecord(core, { ...common, deviceModel: catalogDeviceModel(entry) });
      core.store.addHeatPump(heatPump);
      return heatPump.id;
    }
    case 'electric_vehicle': {
      const vehicle = newElectricVehicleRecord(core, {
        ...common,
        deviceModel: kindDeviceModel(kind, entry),
      });
      core.store.electricVehicles.set(vehicle.id, vehicle);
      return vehicle.id;
    }
    case 'wallbox': {
      const wallbox = newWallboxRecord(core, { ...common, deviceModel: kindDeviceModel(kind, entry) });
      core.store.wallboxes.set(wallbox.id, wallbox);
      return wallbox.id;
    }
    case 'inverter': {
      const inverter = newInverterRecord(core, { ...common, deviceModel: kindDeviceModel(kind, entry) });
      core.store.inverters.set(inverter.id, inverter);
      return inverter.id;
    }
  }
}

function usableSession(core: SimCore, id: string | null): SessionLookup {
  if (id === null || !uuidSchema.safeParse(id).success) {
    return {
      error: errorPage(400, 'This link is incomplete', 'The onboarding session id is missing or malformed.'),
    };
  }
  const session = core.store.onboardingSessions.get(id);
  if (!session) return { error: errorPage(404, 'Unknown session', 'This onboarding link does not exist.') };
  if (session.used_at !== null) {
    return { error: errorPage(410, 'Already connected', 'This onboarding link has already been used.') };
  }
  if (core.clock.nowMs() >= sessionExpiresAtMs(session)) {
    return { error: errorPage(410, 'Link expired', 'This onboarding link has expired. Ask for a new one.') };
  }
  const user = core.store.users.get(session.user_id);
  if (!user || user.deleted_at !== null) {
    return {
      error: errorPage(410, 'Account removed', 'The account this link was made for no longer exists.'),
    };
  }
  return { session };
}

export function redirect(location: string): SimResponse {
  return { status: 303, empty: true, headers: { location } };
}

interface FormState {
  manufacturer?: string;
  model?: string;
  username?: string;
  error?: string;
}

const KIND_NAMES: Record<DeviceKind, string> = {
  heat_pump: 'heat pump',
  electric_vehicle: 'electric vehicle',
  wallbox: 'wallbox',
  inverter: 'solar inverter',
};

function formPage(session: OnboardingRecord, state: FormState): string {
  // A session that names its device type offers that kind only; otherwise every kind, heat pumps first.
  const preselected =
    session.device_type !== null && isOnboardingType(session.device_type) ? session.device_type : null;
  const types =
    preselected === null
      ? (Object.keys(KIND_BY_ONBOARDING_TYPE) as (keyof typeof KIND_BY_ONBOARDING_TYPE)[])
      : [preselected];
  const catalog = types.flatMap((type) => catalogOf(KIND_BY_ONBOARDING_TYPE[type]));
  const manufacturers = [...new Set(catalog.map((entry) => entry.manufacturer))];
  const manufacturerOptions = manufacturers
    .map(
      (name) =>
        `<option value="${escapeHtml(name)}"${name === state.manufacturer ? ' selected' : ''}>${escapeHtml(name)}</option>`,
    )
    .join('');
  const modelGroups = manufacturers
    .map((name) => {
      const options = catalog
        .filter((entry) => entry.manufacturer === name)
        .map(
          (entry) =>
            `<option value="${escapeHtml(entry.model)}"${entry.model === state.model ? ' selected' : ''}>${escapeHtml(entry.model)} (${entry.year})</option>`,
        )
        .join('');
      return `<optgroup label="${escapeHtml(name)}">${options}</optgroup>`;
    })
    .join('');
  const typeField =
    preselected === null
      ? `<label>Device type <select name="device_type">${types
          .map(
            (type) =>
              `<option value="${type}">${escapeHtml(KIND_NAMES[KIND_BY_ONBOARDING_TYPE[type]])}</option>`,
          )
          .join('')}</select></label>`
      : `<input type="hidden" name="device_type" value="${preselected}">`;
  const what = preselected === null ? 'device' : KIND_NAMES[KIND_BY_ONBOARDING_TYPE[preselected]];
  const error = state.error ? `<p class="error" role="alert">${escapeHtml(state.error)}</p>` : '';
  return page(
    `Connect your ${what}`,
    `<h1>Connect your ${what}</h1>
<p>Sign in with your manufacturer account so your energy provider can optimise your ${what}.</p>
${error}
<form method="post" action="/connect">
  <input type="hidden" name="onboarding_session_id" value="${escapeHtml(session.id)}">
  ${typeField}
  <label>Manufacturer <select name="manufacturer">${manufacturerOptions}</select></label>
  <label>Model <select name="model">${modelGroups}</select></label>
  <label>Username <input name="username" autocomplete="username" value="${escapeHtml(state.username ?? '')}"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit" name="action" value="connect">Connect</button>
  <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
<p class="hint">Simulator: any non-empty credentials work; the password <code>${FAILING_PASSWORD}</code> fails.</p>`,
  );
}

export function errorPage(status: number, title: string, message: string): SimResponse {
  return { status, html: page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`) };
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Podero Connect (simulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0}select,input{display:block;width:100%;padding:.4rem}
button{margin:1rem .5rem 0 0;padding:.5rem 1rem}.error{color:#b00020}.hint{color:#666;font-size:.85rem}</style>
</head><body>
${body}
</body></html>`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
