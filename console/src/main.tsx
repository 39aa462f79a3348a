import { render } from 'preact';
import { createApi } from './api/client';
import { App } from './app';
import { roleOfToken } from './auth/role';
import { startSession } from './auth/session';
import { loadConfig } from './config';
import { Console } from './context';
import { loadZoneSetting } from './dates';
import './styles.css';

/** Boot: the stage's config.json, the operator's session (completing an OIDC redirect), then the app. */
async function boot(root: HTMLElement) {
  loadZoneSetting(localStorage);
  const config = await loadConfig(fetch, new URL('config.json', location.href).toString());
  const session = await startSession(config, {
    fetch: (input, init) => fetch(input, init),
    storage: sessionStorage,
    now: Date.now,
    location,
    navigate: (url) => {
      location.assign(url);
      return new Promise<never>(() => {});
    },
    replaceUrl: (url) => history.replaceState(null, '', url),
  });
  // Sign in before the first page asks for data (OIDC: this leaves for the issuer when no token is kept).
  const role = roleOfToken(await session.accessToken());
  const api = createApi(config.api_url === '' ? location.origin : config.api_url.replace(/\/$/, ''), session);
  render(
    <Console.Provider value={{ api, config, session, role, now: () => new Date() }}>
      <App />
    </Console.Provider>,
    root,
  );
}

const root = document.getElementById('app');
if (root !== null) {
  boot(root).catch((error: unknown) => {
    root.innerHTML = '';
    const message = document.createElement('p');
    message.className = 'error';
    message.setAttribute('role', 'alert');
    message.textContent = `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
    root.append(message);
  });
}
