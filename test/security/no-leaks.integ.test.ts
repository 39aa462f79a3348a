import { createServer } from 'node:http';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  createRecordingReporter,
  type LocalStack,
  type PartLabel,
  runDemo,
  startLocalStack,
} from '@podero-bridge/local';
import { listenLocally } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { stageConfig, synthesize } from '../../infra/test/support';
import { apiCall, connectDevice, connectHeatPump, onboardUser } from '../support/flows';
import { captureProcessOutput, type OutputCapture } from '../support/output-capture';
import { rawRequest } from '../support/raw-http';
import { documentClient, dumpTables } from '../support/tables';

/**
 * Nothing leaks: a full local-stack flow (the getting-started demo, token revocations with forced
 * refreshes, Podero faults, bad input, syncs with failing users) runs with every log line of this process
 * captured at the process level (Powertools loggers at DEBUG, the stack's own lines), every response body
 * kept, and both tables dumped; the CDK template is synthesized. Neither the client secret (nor its Basic
 * header form) nor any access token the simulator issued may appear in any of them.
 *
 * Findings are reported by place and kind only, so a failure never prints the secret it found.
 */
const LIST_HEAT_PUMPS = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps';
const tokenSecretSchema = z.object({ access_token: z.string().min(1) });

let stack: LocalStack;
let capture: OutputCapture;
const tableDumps: string[] = [];
let issuances = 0;
let secrets: SecretsManagerClient;
const stackLines: string[] = [];
const responseBodies: { what: string; text: string }[] = [];
const issuedTokens = new Set<string>();

async function collectToken(): Promise<void> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: stack.secretIds.token }));
  const parsed = tokenSecretSchema.safeParse(JSON.parse(out.SecretString ?? '{}'));
  if (parsed.success) issuedTokens.add(parsed.data.access_token);
}

async function dumpTablesInto(dumps: string[]): Promise<void> {
  const db = documentClient(stack.dynamoEndpoint, stack.region);
  try {
    dumps.push(JSON.stringify(await dumpTables(db, stack.tableNames)));
  } finally {
    db.destroy();
  }
}

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await apiCall(stack.apiUrl, token, method, path, body);
  responseBodies.push({ what: `${method} ${path} -> ${res.status}`, text: res.text });
  return res;
}

/** The webhook signing secrets the API showed (once each). */
const webhookSecrets: string[] = [];
/** The auth-session URLs Podero answered an EV's re-authentication with: shown once to the partner, a secret. */
const authSessionUrls: string[] = [];
/** The wallbox claim tokens (and their WebSocket URLs) the API showed, once each. */
const claimSecrets: string[] = [];
let webhookCalls = 0;

/** Where each secret occurs, as `place: kind`; never the secret itself. */
function findLeaks(
  places: { what: string; text: string }[],
  needles: { kind: string; value: string }[],
): string[] {
  const found: string[] = [];
  for (const place of places) {
    for (const needle of needles) {
      if (needle.value.length >= 8 && place.text.includes(needle.value))
        found.push(`${place.what}: ${needle.kind}`);
    }
  }
  return found;
}

function needles(): { kind: string; value: string }[] {
  const { clientId, clientSecret } = stack.credentials;
  return [
    { kind: 'client secret', value: clientSecret },
    {
      kind: 'client secret (Basic header)',
      value: Buffer.from(`${clientId}:${clientSecret}`).toString('base64'),
    },
    { kind: 'client secret (url-encoded)', value: encodeURIComponent(clientSecret) },
    ...webhookSecrets.flatMap((secret, i) => [
      { kind: `webhook secret #${i + 1}`, value: secret },
      // The key itself (what signs), without the prefix.
      { kind: `webhook secret #${i + 1} (key)`, value: secret.slice('whsec_'.length) },
    ]),
    ...authSessionUrls.flatMap((url, i) => [
      { kind: `auth-session URL #${i + 1}`, value: url },
      // Its single-use token alone signs in whoever holds it.
      ...[...new URL(url).searchParams.values()]
        .filter((value) => value.length >= 16)
        .map((value) => ({ kind: `auth-session URL #${i + 1} (token)`, value })),
    ]),
    ...claimSecrets.map((secret, i) => ({ kind: `wallbox claim token or its URL #${i + 1}`, value: secret })),
    ...[...issuedTokens].flatMap((token, i) => [
      { kind: `access token #${i + 1}`, value: token },
      // A truncated token in a log line is still a leak of most of it.
      { kind: `access token #${i + 1} (prefix)`, value: token.slice(0, 16) },
    ]),
  ];
}

beforeAll(async () => {
  capture = captureProcessOutput();
  try {
    stack = await startLocalStack({
      functionLogLevel: 'DEBUG',
      scheduleTimers: false,
      log: (label: PartLabel, message: string) => stackLines.push(`[${label}] ${message}`),
    });
    secrets = new SecretsManagerClient({ endpoint: stack.secretsEndpoint, region: stack.region });
    await collectToken();
    const admin = await stack.mintToken({ admin: true });

    // 1. The getting-started flow end to end (users, building, onboarding, Connect UI, heat pumps, sync, readings).
    const demo = await runDemo({
      apiUrl: stack.apiUrl,
      mintToken: stack.mintToken,
      reporter: createRecordingReporter(),
    });
    const ext = demo.externalUserId;
    const userToken = await stack.mintToken({ sub: ext });
    await call(userToken, 'GET', `/users/${ext}`);
    await call(userToken, 'GET', `/users/${ext}/heat-pumps?max_age_seconds=0`);

    // 2. Podero revokes the token in use: the API's and the sync's 401 paths force one refresh between them.
    stack.simulator.control.revokeTokens([...issuedTokens].at(-1));
    await call(userToken, 'GET', `/users/${ext}/heat-pumps?max_age_seconds=0`);
    await stack.runSchedule('heat-pump-sync');
    await collectToken();

    // 3. Podero faults: rate limits, 5xx, dropped connections (each answered with an error body).
    stack.simulator.control.setFaults([{ route: LIST_HEAT_PUMPS, status: 429, retry_after_seconds: 60 }]);
    await call(userToken, 'GET', `/users/${ext}/heat-pumps?max_age_seconds=0`);
    stack.simulator.control.setFaults([{ route: LIST_HEAT_PUMPS, status: 500 }]);
    await call(userToken, 'GET', `/users/${ext}/heat-pumps?max_age_seconds=0`);
    stack.simulator.control.setFaults([{ route: LIST_HEAT_PUMPS, drop_connection: true, count: 1 }]);
    await call(userToken, 'GET', `/users/${ext}/heat-pumps?max_age_seconds=0`);
    stack.simulator.control.clearFaults();

    // 4. Bad input and refused access.
    await call(admin, 'POST', '/users', '{"external_user_id": "x",');
    await call(admin, 'POST', `/users/${ext}/onboarding-sessions`, {
      language: 'en',
      price_zone_default: 'AT',
      success_url: 'javascript:alert(document.cookie)',
      cancel_url: 'https://partner.example/cancel',
    });
    await call(admin, 'GET', '/users/nobody-here');
    await call(await stack.mintToken({ sub: 'someone-else' }), 'GET', `/users/${ext}`);
    const unauthorized = await rawRequest(stack.apiUrl, {
      method: 'GET',
      path: `/users/${ext}`,
      headers: { authorization: 'Bearer x.y.z' },
    });
    responseBodies.push({ what: 'GET with a bad token', text: unauthorized.text });

    // 5. Syncs: one with a failing user (its failure is recorded in DynamoDB), one after another revocation.
    await onboardUser(stack.apiUrl, admin, 'leak-check-2');
    await connectHeatPump(stack.apiUrl, admin, 'leak-check-2');
    stack.simulator.control.setFaults([{ route: LIST_HEAT_PUMPS, status: 503 }]);
    await stack.runSchedule('heat-pump-sync');
    await dumpTablesInto(tableDumps); // the failure records exist now; a later successful sync clears them
    stack.simulator.control.clearFaults();
    stack.simulator.control.revokeTokens([...issuedTokens].at(-1));
    stack.simulator.control.advanceClock(600);
    await stack.runSchedule('heat-pump-sync');
    await call(userToken, 'GET', `/users/${ext}/heat-pumps?max_age_seconds=0`);
    await collectToken();
    await stack.runSchedule('token-refresh');
    await collectToken();

    // 5b. Every kind: an EV connected through its own session, synced, its connection lapsed and repaired
    // through Podero's auth_session. The URL is the answer's (shown once, not scanned) and nowhere else.
    const vehicle = await connectDevice(stack.apiUrl, admin, 'leak-check-2', 'ev');
    await stack.runSchedule('heat-pump-sync');
    await call(admin, 'GET', `/users/leak-check-2/electric-vehicles?max_age_seconds=0`);
    stack.simulator.control.setDeviceConnection(vehicle.deviceId, {
      authenticated: false,
      reauthentication: true,
    });
    const reauthentication = await apiCall(
      stack.apiUrl,
      admin,
      'POST',
      `/users/leak-check-2/electric-vehicles/${vehicle.deviceId}/reauthentication`,
      // The local stage's return URLs: loopback.
      { success_url: 'http://127.0.0.1:3000/ok', cancel_url: 'http://127.0.0.1:3000/cancel' },
    );
    if (reauthentication.status !== 201) throw new Error(`reauthentication: ${reauthentication.status}`);
    authSessionUrls.push((reauthentication.json as { redirect_url: string }).redirect_url);
    await call(admin, 'GET', `/users/leak-check-2/electric-vehicles/${vehicle.deviceId}?max_age_seconds=0`);

    // 6. Webhooks: registered, a delivery that fails and is retried, the secret rotated, an endpoint
    // refused. The secrets are shown once (the answers to create and rotate, not scanned) and nowhere else.
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(webhookCalls++ === 0 ? 500 : 204).end());
    });
    const listening = await listenLocally(receiver, 0, '127.0.0.1');
    try {
      const created = await apiCall(stack.apiUrl, admin, 'POST', '/webhooks', {
        url: `http://127.0.0.1:${listening.port}/hooks`,
      });
      const hook = created.json as { id: string; secret: string };
      webhookSecrets.push(hook.secret);
      const rotated = await apiCall(stack.apiUrl, admin, 'POST', `/webhooks/${hook.id}/rotate-secret`);
      webhookSecrets.push((rotated.json as { secret: string }).secret);
      await call(admin, 'POST', `/webhooks/${hook.id}/test`);
      await call(admin, 'GET', '/webhooks');
      await call(admin, 'GET', `/webhooks/${hook.id}`);
      await call(admin, 'PATCH', `/webhooks/${hook.id}`, { description: 'leak check' });
      await call(admin, 'POST', '/webhooks', { url: 'https://169.254.169.254/' });
      // Bounded: the retry comes 5 s after the first attempt.
      for (let i = 0; i < 200 && webhookCalls < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const deliveries = await call(admin, 'GET', `/webhooks/${hook.id}/deliveries`);
      // The operations: each attempt's detail (the request's headers, its signature included, and body), a
      // resend of the event, a replay of the dead letters (none here), an unknown attempt.
      const attempts = (deliveries.json as { items: { delivery_id: string; event_id: string }[] }).items;
      for (const attempt of attempts) {
        await call(admin, 'GET', `/webhooks/${hook.id}/deliveries/${attempt.delivery_id}`);
      }
      await call(admin, 'POST', `/webhooks/${hook.id}/events/${attempts[0]?.event_id ?? 'none'}/resend`);
      await call(admin, 'POST', `/webhooks/${hook.id}/dead-letters/replay`);
      await call(admin, 'GET', `/webhooks/${hook.id}/deliveries/bm8tc3VjaC1hdHRlbXB0`);
      for (let i = 0; i < 200 && webhookCalls < 3; i++) await new Promise((r) => setTimeout(r, 50));
      await stack.drainOutbox();
    } finally {
      await listening.close();
    }

    // 7. The charging controls: an EV boosted, refused, its policy and sessions read; a wallbox claim token
    // shown once (the answer is not scanned, the token is searched for everywhere else, a replay included);
    // the charging configuration refused and changed.
    const poderoUserId = ((await call(admin, 'GET', `/users/${ext}`)).json as { podero_user_id: string })
      .podero_user_id;
    const boosted = stack.simulator.control.addDevice(poderoUserId, { kind: 'electric_vehicle' }).id;
    stack.simulator.control.driveElectricVehicle(boosted, {
      plugged_in: true,
      at_home: true,
      battery_level: 30,
    });
    const evPath = `/users/${ext}/electric-vehicles/${boosted}`;
    await call(userToken, 'POST', `${evPath}/boost`);
    await call(userToken, 'POST', `${evPath}/boost`);
    await call(userToken, 'DELETE', `${evPath}/boost`);
    await call(userToken, 'GET', `${evPath}/charge-policy`);
    await call(userToken, 'GET', `${evPath}/sessions?from=2026-01-01&to=2026-12-31&limit=2`);
    await call(userToken, 'GET', `${evPath}/sessions/current`);
    const claimKey = { 'idempotency-key': 'leak-check-claim' };
    const claimed = await rawRequest(stack.apiUrl, {
      method: 'POST',
      path: `/users/${ext}/wallboxes/claim-tokens`,
      headers: { authorization: `Bearer ${userToken}`, ...claimKey },
    });
    const claim = claimed.json as { token: string; wss_url: string };
    claimSecrets.push(claim.token, claim.wss_url);
    const replayed = await rawRequest(stack.apiUrl, {
      method: 'POST',
      path: `/users/${ext}/wallboxes/claim-tokens`,
      headers: { authorization: `Bearer ${userToken}`, ...claimKey },
    });
    responseBodies.push({ what: 'claim token replay', text: replayed.text });
    await call(userToken, 'PUT', `/users/${ext}/charging-config`, { mode: 'hems' });
    await call(userToken, 'PUT', `/users/${ext}/charging-config`, { mode: 'spot' });
    await call(userToken, 'GET', `/users/${ext}/devices?max_age_seconds=0`);

    await dumpTablesInto(tableDumps);
    issuances = stack.simulator.control.counters().token_issuances;
  } finally {
    // Closing is part of the run: its log lines are captured too.
    secrets?.destroy();
    await stack?.close();
    capture.stop();
  }
}, 120_000);

afterAll(() => {
  capture?.stop();
});

describe('nothing leaks', () => {
  it('captured the tokens the simulator issued and real log output (so the checks below can fail)', () => {
    expect(issuances).toBeGreaterThanOrEqual(3); // the first token + two forced refreshes
    expect(issuedTokens.size).toBe(issuances);
    const logs = capture.lines();
    const services = new Set(
      logs.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as { service?: unknown };
          return typeof parsed.service === 'string' ? [parsed.service] : [];
        } catch {
          return [];
        }
      }),
    );
    expect([...services].sort()).toEqual(expect.arrayContaining(['api', 'heat-pump-sync', 'token-refresh']));
    expect(responseBodies.filter((b) => /-> [45]\d\d$/.test(b.what)).length).toBeGreaterThanOrEqual(6);
  });

  it('no secret or token in any log line written while the stack ran, or in the stack log', () => {
    const logLines = capture.lines().map((text, i) => ({ what: `log line ${i + 1}`, text }));
    const own = stackLines.map((text, i) => ({ what: `stack line ${i + 1}`, text }));
    expect(findLeaks([...logLines, ...own], needles())).toEqual([]);
  });

  it('no secret or token in any response body', () => {
    expect(findLeaks(responseBodies, needles())).toEqual([]);
  });

  it('ran the auth-session step: one URL shown', () => {
    expect(authSessionUrls).toHaveLength(1);
    expect(authSessionUrls[0]).toMatch(/^https?:\/\//);
  });

  it('ran the charging steps: a claim token shown, and a boost refused with its reason', () => {
    expect(claimSecrets).toHaveLength(2);
    expect(claimSecrets.every((secret) => secret.length >= 8)).toBe(true);
    expect(
      responseBodies.some((b) => b.what.endsWith('/boost -> 409') && b.text.includes('already_charging')),
    ).toBe(true);
  });

  it('ran the webhook steps: two secrets shown, a delivery retried, its event resent', () => {
    expect(webhookSecrets).toHaveLength(2);
    expect(webhookCalls).toBeGreaterThanOrEqual(3);
    expect(responseBodies.filter((b) => /deliveries\/[A-Za-z0-9_-]+ -> 200$/.test(b.what))).not.toHaveLength(
      0,
    );
    expect(responseBodies.some((b) => /\/resend -> 202$/.test(b.what))).toBe(true);
  });

  it('no secret or token stored in the tables (failure records, snapshots, sessions)', () => {
    const dumps = tableDumps.map((text, i) => ({ what: `table dump ${i + 1}`, text }));
    expect(findLeaks(dumps, needles())).toEqual([]);
    // The dumps hold what the checks are about (asserted without printing them).
    expect(tableDumps[0]?.includes('FAILURE#')).toBe(true);
    expect(tableDumps.at(-1)?.includes('ONBOARDING#')).toBe(true);
  });

  it('no secret or token in the synthesized CDK template', () => {
    const { template } = synthesize(stageConfig('prod'));
    const json = template.toJSON() as {
      Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const text = JSON.stringify(json);
    expect(findLeaks([{ what: 'template', text }], needles())).toEqual([]);
    // The credentials secret is created with a placeholder, never a value.
    for (const resource of Object.values(json.Resources ?? {})) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      const secretString = resource.Properties?.SecretString;
      if (typeof secretString === 'string' && secretString.includes('client_secret')) {
        expect(JSON.parse(secretString)).toMatchObject({ client_secret: 'REPLACE_ME' });
      }
    }
  });
});
