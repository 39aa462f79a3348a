/**
 * The Connect UI's re-authentication page, where a cue's `redirect_url` and a re-authentication session's
 * `authentication_url` lead (contract §3.12, §3.10, §5.5 step 6):
 * the owner signs in to the manufacturer again. A plain form like the onboarding page, drivable by a browser
 * and by plain HTTP. Success restores the connection and redirects (303) to the cue's `successUrl`; cancel or
 * a failed sign-in (password `fail`) redirects to its `cancelUrl`. The page token is single-use.
 */
import { errorPage, escapeHtml, FAILING_PASSWORD, page, redirect } from './connect-ui';
import type { Handler, SimCore, SimResponse } from './core';
import { restoreConnection } from './cues';
import { findDevice } from './device-kinds';
import type { AuthSessionRecord, CueRecord } from './store';

/** What a page token opens: a cue's page (Q1) or a re-authentication session's (§3.10). */
type PageOwner = { kind: 'cue'; record: CueRecord } | { kind: 'auth_session'; record: AuthSessionRecord };

export const showReauthenticationPage: Handler = (core, request) => {
  const owner = ownerOfPage(core, request.query.get('token'));
  if ('status' in owner) return owner;
  const device = findDevice(core, owner.record.device_id)?.record;
  const model = device
    ? `${device.device_model.manufacturer ?? ''} ${device.device_model.model ?? ''}`.trim()
    : '';
  return { status: 200, html: formPage(owner.record.page_token ?? '', model, null) };
};

export const submitReauthenticationForm: Handler = (core, request) => {
  const form = new URLSearchParams(request.rawBody.toString('utf8'));
  const owner = ownerOfPage(core, form.get('token'));
  if ('status' in owner) return owner;
  const { record } = owner;
  const action = form.get('action') ?? 'connect';
  if (action === 'cancel') return finish(core, record, record.cancel_url);
  if (action !== 'connect')
    return { status: 400, html: formPage(record.page_token ?? '', '', 'Unknown action.') };
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  if (username.trim() === '' || password === '') {
    return { status: 400, html: formPage(record.page_token ?? '', '', 'Enter your username and password.') };
  }
  if (password === FAILING_PASSWORD) return finish(core, record, record.cancel_url);
  const device = findDevice(core, record.device_id)?.record;
  // A cue's action stays in progress until its outcome is reported (Q2); a session ends every pending one.
  if (device) restoreConnection(core, device, owner.kind === 'auth_session');
  return finish(core, record, record.success_url);
};

/**
 * The page is used up either way. A session made with null URLs (§3.10 allows them) ends on a page of its
 * own instead of a redirect.
 */
function finish(core: SimCore, record: { page_token: string | null }, location: string | null) {
  record.page_token = null;
  core.changed();
  if (location === null || location === '') {
    return { status: 200, html: page('Done', '<h1>Done</h1><p>You can close this window.</p>') };
  }
  return redirect(location);
}

function ownerOfPage(core: SimCore, token: string | null): PageOwner | SimResponse {
  if (token === null || token === '') {
    return errorPage(400, 'This link is incomplete', 'The re-authentication link is missing its token.');
  }
  let owner: PageOwner | null = null;
  for (const cue of core.store.cues.values()) {
    if (cue.page_token === token && cue.state === 'in_progress') owner = { kind: 'cue', record: cue };
  }
  for (const session of core.store.authSessions.values()) {
    if (session.page_token === token) owner = { kind: 'auth_session', record: session };
  }
  if (owner !== null) {
    const device = findDevice(core, owner.record.device_id)?.record;
    if (!device || device.deleted_at !== null) {
      return errorPage(410, 'Device removed', 'The device this link was made for no longer exists.');
    }
    return owner;
  }
  return errorPage(
    410,
    'Link no longer valid',
    'This re-authentication link was used or replaced. Ask for a new one.',
  );
}

function formPage(token: string, model: string, error: string | null): string {
  const alert = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  const device = model ? ` (${escapeHtml(model)})` : '';
  return page(
    'Reconnect your device',
    `<h1>Reconnect your device</h1>
<p>The connection to your device${device} was lost. Sign in with your manufacturer account again so your energy provider can keep optimising it.</p>
${alert}
<form method="post" action="/connect/reauthenticate">
  <input type="hidden" name="token" value="${escapeHtml(token)}">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit" name="action" value="connect">Reconnect</button>
  <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
<p class="hint">Simulator: any non-empty credentials work; the password <code>${FAILING_PASSWORD}</code> fails.</p>`,
  );
}
