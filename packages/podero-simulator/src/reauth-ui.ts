/**
 * The Connect UI's re-authentication page, where a cue's `redirect_url` leads (contract §3.12, §5.5 step 6):
 * the owner signs in to the manufacturer again. A plain form like the onboarding page, drivable by a browser
 * and by plain HTTP. Success restores the connection and redirects (303) to the cue's `successUrl`; cancel or
 * a failed sign-in (password `fail`) redirects to its `cancelUrl`. The page token is single-use.
 */
import { errorPage, escapeHtml, FAILING_PASSWORD, page, redirect } from './connect-ui';
import type { Handler, SimCore } from './core';
import { restoreConnection } from './cues';
import type { CueRecord } from './store';

export const showReauthenticationPage: Handler = (core, request) => {
  const cue = cueOfPage(core, request.query.get('token'));
  if ('status' in cue) return cue;
  const heatPump = core.store.heatPumps.get(cue.heat_pump_id);
  const model = heatPump
    ? `${heatPump.device_model.manufacturer ?? ''} ${heatPump.device_model.model ?? ''}`.trim()
    : '';
  return { status: 200, html: formPage(cue.page_token ?? '', model, null) };
};

export const submitReauthenticationForm: Handler = (core, request) => {
  const form = new URLSearchParams(request.rawBody.toString('utf8'));
  const cue = cueOfPage(core, form.get('token'));
  if ('status' in cue) return cue;
  const action = form.get('action') ?? 'connect';
  const cancelUrl = cue.cancel_url ?? '';
  const successUrl = cue.success_url ?? '';
  if (action === 'cancel') return finish(core, cue, cancelUrl);
  if (action !== 'connect')
    return { status: 400, html: formPage(cue.page_token ?? '', '', 'Unknown action.') };
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  if (username.trim() === '' || password === '') {
    return { status: 400, html: formPage(cue.page_token ?? '', '', 'Enter your username and password.') };
  }
  if (password === FAILING_PASSWORD) return finish(core, cue, cancelUrl);
  const heatPump = core.store.heatPumps.get(cue.heat_pump_id);
  if (heatPump) restoreConnection(core, heatPump);
  return finish(core, cue, successUrl);
};

/** The page is used up either way; the action stays in progress until its outcome is reported (Q2). */
function finish(core: SimCore, cue: CueRecord, location: string) {
  cue.page_token = null;
  core.changed();
  return redirect(location);
}

function cueOfPage(core: SimCore, token: string | null) {
  if (token === null || token === '') {
    return errorPage(400, 'This link is incomplete', 'The re-authentication link is missing its token.');
  }
  for (const cue of core.store.cues.values()) {
    if (cue.page_token === token && cue.state === 'in_progress') {
      const heatPump = core.store.heatPumps.get(cue.heat_pump_id);
      if (!heatPump || heatPump.deleted_at !== null) {
        return errorPage(410, 'Device removed', 'The device this link was made for no longer exists.');
      }
      return cue;
    }
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
    'Reconnect your heat pump',
    `<h1>Reconnect your heat pump</h1>
<p>The connection to your heat pump${device} was lost. Sign in with your manufacturer account again so your energy provider can keep optimising it.</p>
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
