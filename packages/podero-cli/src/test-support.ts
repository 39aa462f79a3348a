/** The CLI tests' harness: runCli in-process against a fake Podero (token endpoint included). */
import {
  createFakeFetch,
  type Handler,
  json,
  ORG_ID,
  tokenExample,
} from '@podero-bridge/podero-client/testing';
import { runCli } from './run-cli';

export const ENV = {
  PODERO_BASE_URL: 'https://podero.test',
  PODERO_CLIENT_ID: 'cli-client',
  PODERO_CLIENT_SECRET: 'cli-secret-value',
  PODERO_ORG_ID: ORG_ID,
};

/** Answers the token endpoint itself and hands every API request to `api`. */
export function podero(api: Handler): Handler {
  return (request) => (request.path === '/oauth2/token/' ? json(200, tokenExample) : api(request));
}

export async function run(
  argv: string[],
  options: { env?: Record<string, string>; handler?: Handler; tty?: boolean } = {},
) {
  const fake = createFakeFetch(options.handler ?? podero(() => json(200, {})));
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: options.env ?? ENV,
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
      },
      isTTY: options.tty ?? false,
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
      },
    },
    fetch: fake.fetch,
  });
  const apiRequests = fake.requests.filter((request) => request.path !== '/oauth2/token/');
  return { code, stdout, stderr, requests: fake.requests, apiRequests };
}
