import { describe, expect, it } from 'vitest';
import { createBridgeApiClient } from './index';

/** A fetch that records each request and answers with `answer`. */
function recordingFetch(answer: () => Response) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    return answer();
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('createBridgeApiClient', () => {
  it('sends a typed operation with the bearer token, JSON accept, encoded path and query', async () => {
    // Prepare
    const { requests, fetch } = recordingFetch(() => json(200, { heat_pump: { id: 'hp-1' } }));
    const client = createBridgeApiClient({ baseUrl: 'https://api.test/stage//', token: 'jwt-1', fetch });

    // Act
    const { data, error } = await client.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}', {
      params: { path: { external_user_id: 'crm/42 a', heat_pump_id: 'hp-1' }, query: { max_age_seconds: 0 } },
    });

    // Assess
    expect(error).toBeUndefined();
    expect(data).toEqual({ heat_pump: { id: 'hp-1' } });
    const [request] = requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('https://api.test/stage/users/crm%2F42%20a/heat-pumps/hp-1?max_age_seconds=0');
    expect(request?.headers.get('authorization')).toBe('Bearer jwt-1');
    expect(request?.headers.get('accept')).toBe('application/json');
  });

  it('sends a JSON body and asks a token function before every request', async () => {
    // Prepare
    const { requests, fetch } = recordingFetch(() => json(200, {}));
    let issued = 0;
    const client = createBridgeApiClient({
      baseUrl: 'https://api.test',
      token: async () => `jwt-${++issued}`,
      fetch,
    });

    // Act
    await client.GET('/sync/status');
    await client.PATCH('/users/{external_user_id}/heat-pumps/{heat_pump_id}', {
      params: { path: { external_user_id: 'u', heat_pump_id: 'h' } },
      body: { optimization_level: 'Max' },
    });

    // Assess
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
    expect(requests[1]?.headers.get('content-type')).toBe('application/json');
    expect(await requests[1]?.text()).toBe('{"optimization_level":"Max"}');
  });

  it('sends no Authorization header when the token is null (the public routes)', async () => {
    // Prepare
    const { requests, fetch } = recordingFetch(() => json(200, { status: 'ok', version: '1' }));
    const client = createBridgeApiClient({ baseUrl: 'https://api.test', token: null, fetch });

    // Act
    const { data } = await client.GET('/health');

    // Assess
    expect(data).toEqual({ status: 'ok', version: '1' });
    expect(requests[0]?.headers.has('authorization')).toBe(false);
  });

  it('returns the API’s error body and the response on an answer other than 2xx', async () => {
    // Prepare
    const body = { error: { code: 'not_found', message: 'no such user' } };
    const { fetch } = recordingFetch(() => json(404, body));
    const client = createBridgeApiClient({ baseUrl: 'https://api.test', token: 't', fetch });

    // Act
    const { data, error, response } = await client.GET('/users/{external_user_id}', {
      params: { path: { external_user_id: 'nobody' } },
    });

    // Assess
    expect(data).toBeUndefined();
    expect(error).toEqual(body);
    expect(response.status).toBe(404);
  });

  it('rejects when the request cannot be sent', async () => {
    // Prepare
    const client = createBridgeApiClient({
      baseUrl: 'https://api.test',
      token: 't',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });

    // Act and assess
    await expect(client.GET('/health')).rejects.toThrow('fetch failed');
  });
});
