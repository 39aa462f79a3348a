import { readConnectForm } from '@podero-bridge/local';
import { rawRequest } from './raw-http';

/**
 * The getting-started steps the security tests need as setup, done over HTTP exactly as a partner app and
 * an end user's browser would: onboard a user, then connect a heat pump through the Connect UI.
 */
export async function apiCall(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await rawRequest(apiUrl, {
    method,
    path,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: res.json, text: res.text };
}

function expectStatus(what: string, res: { status: number; text: string }, ...expected: number[]): void {
  if (!expected.includes(res.status)) {
    throw new Error(`${what}: expected ${expected.join('/')}, got ${res.status} ${res.text.slice(0, 200)}`);
  }
}

export async function onboardUser(apiUrl: string, token: string, externalUserId: string): Promise<void> {
  const res = await apiCall(apiUrl, token, 'POST', '/users', {
    external_user_id: externalUserId,
    email: `${externalUserId}@example.com`,
  });
  expectStatus('POST /users', res, 200, 201);
}

/** Opens an onboarding session and completes the Connect UI; returns the session and heat-pump ids. */
export async function connectHeatPump(
  apiUrl: string,
  token: string,
  externalUserId: string,
): Promise<{ sessionId: string; deviceId: string }> {
  return connectDevice(apiUrl, token, externalUserId, 'hp');
}

/** A model of each other kind in the simulator's catalogue (its README, "Every device kind"). */
const CATALOGUE_MODEL = {
  ev: { manufacturer: 'Tesla', model: 'Model 3' },
  wb: { manufacturer: 'Easee', model: 'Home' },
  iv: { manufacturer: 'Fronius', model: 'Symo GEN24 10.0 Plus' },
} as const;

/**
 * Connects a device of a kind through an onboarding session and the simulator's Connect UI (its device type
 * `hp`, `ev`, `wb` or `iv`); the session completes with the device and its kind.
 */
export async function connectDevice(
  apiUrl: string,
  token: string,
  externalUserId: string,
  deviceType: 'hp' | 'ev' | 'wb' | 'iv',
): Promise<{ sessionId: string; deviceId: string; deviceKind: string | null }> {
  const opened = await apiCall(apiUrl, token, 'POST', `/users/${externalUserId}/onboarding-sessions`, {
    language: 'en',
    price_zone_default: 'AT',
    success_url: 'https://partner.example/onboarding/done',
    cancel_url: 'https://partner.example/onboarding/cancel',
  });
  expectStatus('POST onboarding-sessions', opened, 201);
  const { id: sessionId, authentication_url: authenticationUrl } = opened.json as {
    id: string;
    authentication_url: string;
  };
  const page = await fetch(authenticationUrl);
  const form = readConnectForm(await page.text());
  const submit = await fetch(new URL(form.action, authenticationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...form.fields,
      ...(deviceType === 'hp' ? {} : { device_type: deviceType, ...CATALOGUE_MODEL[deviceType] }),
      username: 'user@example.com',
      password: 'pw',
      action: 'connect',
    }),
  });
  if (submit.status !== 303) throw new Error(`Connect UI: expected 303, got ${submit.status}`);
  const state = await apiCall(
    apiUrl,
    token,
    'GET',
    `/users/${externalUserId}/onboarding-sessions/${sessionId}`,
  );
  expectStatus('GET onboarding session', state, 200);
  const { device_id: deviceId, device_kind: deviceKind } = state.json as {
    device_id?: string | null;
    device_kind?: string | null;
  };
  if (!deviceId) throw new Error(`onboarding session did not complete: ${state.text.slice(0, 200)}`);
  return { sessionId, deviceId, deviceKind: deviceKind ?? null };
}
