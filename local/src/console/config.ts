import { CONSOLE_SESSION_PATH } from './session';

/**
 * The console's `config.json` on the local stack (the shape is console/src/config.ts's schema; CDK writes the
 * AWS one). Same origin as the API, the local sign-in, and the stack's own landing pages as the customer's.
 */
export function localConsoleConfig(gatewayUrl: string) {
  return {
    stage: 'local',
    api_url: '',
    auth: { mode: 'dev', session_url: CONSOLE_SESSION_PATH },
    customer_links: {
      onboarding_success_url: `${gatewayUrl}/__local/onboarding/success`,
      onboarding_cancel_url: `${gatewayUrl}/__local/onboarding/cancel`,
      reauthentication_success_url: `${gatewayUrl}/__local/reauthentication/success`,
      reauthentication_cancel_url: `${gatewayUrl}/__local/reauthentication/cancel`,
    },
  } as const;
}
