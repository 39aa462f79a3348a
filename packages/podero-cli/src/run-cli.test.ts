import {
  HEAT_PUMP_ID,
  json,
  ORG_ID,
  referenceHeatPump,
  referenceUser,
  statisticsExample,
  tokenExample,
  USER_ID,
} from '@podero-bridge/podero-client/testing';
import { describe, expect, it } from 'vitest';
import { ENV, podero, run } from './test-support';

describe('podero CLI', () => {
  it('prints the token response for `podero token` (no org id needed)', async () => {
    const { PODERO_ORG_ID: _omit, ...env } = ENV;
    const result = await run(['token'], { env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(tokenExample);
    expect(result.requests[0]?.url.href).toBe('https://podero.test/oauth2/token/');
  });

  it('lists users as compact JSON when stdout is not a terminal', async () => {
    const result = await run(['users', 'list'], { handler: podero(() => json(200, [referenceUser])) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([referenceUser]);
    expect(result.stdout.trimEnd()).not.toContain('\n');
    expect(result.apiRequests[0]?.headers.get('authorization')).toBe(`Bearer ${tokenExample.access_token}`);
  });

  it('pretty-prints when stdout is a terminal', async () => {
    const result = await run(['users', 'get', USER_ID], {
      handler: podero(() => json(200, referenceUser)),
      tty: true,
    });
    expect(JSON.parse(result.stdout)).toEqual(referenceUser);
    expect(result.stdout).toContain(`{\n  "id": "${USER_ID}",\n`);
    expect(result.apiRequests[0]?.path).toBe(`/api/partners/v2.0/org/${ORG_ID}/users/${USER_ID}`);
  });

  it('lets flags override the environment', async () => {
    const otherOrg = '11111111-2222-4333-8444-555555555555';
    const result = await run(
      ['--base-url', 'http://127.0.0.1:4999/', 'users', 'list', '--org-id', otherOrg],
      {
        handler: podero(() => json(200, [])),
      },
    );
    expect(result.code).toBe(0);
    expect(result.apiRequests[0]?.url.href).toBe(
      `http://127.0.0.1:4999/api/partners/v2.0/org/${otherOrg}/users`,
    );
  });

  it('builds a create body from --data with flags on top, defaulting role to user', async () => {
    const result = await run(
      [
        'users',
        'create',
        '--data',
        '{"email":"old@example.com","first_name":"Ada"}',
        '--email',
        'new@example.com',
      ],
      { handler: podero(() => json(200, referenceUser)) },
    );
    expect(result.code).toBe(0);
    expect(result.apiRequests[0]?.method).toBe('POST');
    expect(result.apiRequests[0]?.body).toEqual({
      email: 'new@example.com',
      first_name: 'Ada',
      role: 'user',
    });
  });

  it('passes --external-user-id and --include-deleted through', async () => {
    const created = await run(['users', 'update', USER_ID, '--external-user-id', '12345abc'], {
      handler: podero(() => json(200, referenceUser)),
    });
    expect(created.apiRequests[0]?.body).toEqual({ external_user_id: '12345abc' });
    const found = await run(['users', 'get-by-external-id', 'crm-42', '--include-deleted'], {
      handler: podero(() => json(200, referenceUser)),
    });
    expect(found.apiRequests[0]?.path).toBe(`/api/partners/v2.0/org/${ORG_ID}/users/by-ext-id/crm-42`);
    expect(found.apiRequests[0]?.rawQuery).toBe('include_deleted=true');
  });

  it('lists users with --include-deleted and deletes a heat pump the documented way (PUT deleted_at)', async () => {
    const listed = await run(['users', 'list', '--include-deleted'], {
      handler: podero(() => json(200, [])),
    });
    expect(listed.apiRequests[0]?.rawQuery).toBe('include_deleted=true');
    const deleted = await run(['heat-pumps', 'delete', USER_ID, HEAT_PUMP_ID], {
      handler: podero(() => json(200, referenceHeatPump)),
    });
    expect(deleted.code).toBe(0);
    expect(deleted.apiRequests[0]?.method).toBe('PUT');
    const body = deleted.apiRequests[0]?.body as { deleted_at?: string };
    expect(Number.isNaN(Date.parse(body.deleted_at ?? ''))).toBe(false);
  });

  it('resolves a cue, reports its state without a token, and reads information, from the resolution link', async () => {
    const cueId = '0d4b1e52-1c7b-4f3e-9d2a-5b8c6d7e8f90';
    const link = `https://podero.test/api/partners/v2.0/cues/${cueId}/resolve?secret=s3cr3t`;
    const resolved = await run(
      [
        'cues',
        'resolve',
        link,
        '--success-url',
        'https://p.example/ok',
        '--cancel-url',
        'https://p.example/no',
      ],
      { handler: podero(() => json(200, { redirect_url: 'https://connect.podero.test/x' })) },
    );
    expect(resolved.code).toBe(0);
    expect(resolved.apiRequests[0]?.path).toBe(`/api/partners/v2.0/cues/${cueId}/resolve`);
    expect(resolved.apiRequests[0]?.rawQuery).toBe('secret=s3cr3t');
    expect(resolved.apiRequests[0]?.headers.get('authorization')).toMatch(/^Bearer /);
    expect(resolved.apiRequests[0]?.body).toEqual({
      successUrl: 'https://p.example/ok',
      cancelUrl: 'https://p.example/no',
    });
    expect(JSON.parse(resolved.stdout)).toEqual({ redirect_url: 'https://connect.podero.test/x' });

    const reported = await run(['cues', 'report-state', link, '--state', 'success'], {
      handler: podero(() => json(200, { action_id: 'a1' })),
    });
    expect(reported.code).toBe(0);
    expect(reported.requests.some((r) => r.path === '/oauth2/token/')).toBe(false);
    expect(reported.apiRequests[0]?.headers.get('authorization')).toBeNull();
    expect(reported.apiRequests[0]?.body).toEqual({ state: 'success' });

    const read = await run(['cues', 'read-information', link.replace('/resolve', '/information/resolve')], {
      handler: podero(() => json(200, { action_id: 'a2' })),
    });
    expect(read.apiRequests[0]?.path).toBe(`/api/partners/v2.0/cues/${cueId}/information/resolve`);

    const notALink = await run(['cues', 'report-state', 'https://x.example/', '--state', 'fail']);
    expect(notALink.code).toBe(2);
    expect(notALink.stderr).toContain('resolution link');
  });

  it('prints nothing and exits 0 for a delete', async () => {
    const result = await run(['users', 'delete', USER_ID], {
      handler: podero(() => new Response(null, { status: 204 })),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.apiRequests[0]?.method).toBe('DELETE');
  });

  it('creates a building and an onboarding session from flags', async () => {
    const building = await run(['buildings', 'create', USER_ID, '--name', 'Main House'], {
      handler: podero(() => json(200, { id: HEAT_PUMP_ID, name: 'Main House' })),
    });
    expect(building.apiRequests[0]?.body).toEqual({ name: 'Main House' });
    const session = await run(
      [
        'onboarding',
        'create',
        '--user-id',
        USER_ID,
        '--language',
        'de',
        '--price-zone',
        'DE_LU',
        '--success-url',
        'https://ok.example',
        '--cancel-url',
        'https://cancel.example',
        '--no-smart-optimization',
      ],
      { handler: podero(() => json(200, { id: USER_ID, authentication_url: 'https://connect.example' })) },
    );
    expect(session.code).toBe(0);
    expect(session.apiRequests[0]?.path).toBe('/api/partners/v2.0/device-onboarding');
    expect(session.apiRequests[0]?.body).toEqual({
      user_id: USER_ID,
      language: 'de',
      price_zone_default: 'DE_LU',
      success_url: 'https://ok.example',
      cancel_url: 'https://cancel.example',
      is_smart_optimization_active_default: false,
    });
  });

  it('updates a heat pump and asks for statistics and savings', async () => {
    const update = await run(['heat-pumps', 'update', USER_ID, HEAT_PUMP_ID, '--optimization-level', 'Max'], {
      handler: podero(() => json(200, referenceHeatPump)),
    });
    expect(update.apiRequests[0]?.body).toEqual({ optimization_level: 'Max' });
    const stats = await run(
      [
        'heat-pumps',
        'statistics',
        USER_ID,
        HEAT_PUMP_ID,
        '--resolution',
        '1DAY,1WEEK',
        '--keywords',
        'savings',
      ],
      { handler: podero(() => json(200, statisticsExample)) },
    );
    expect(stats.apiRequests[0]?.rawQuery).toBe('resolution=1DAY,1WEEK&keywords=savings');
    const savings = await run(
      [
        'heat-pumps',
        'savings',
        USER_ID,
        HEAT_PUMP_ID,
        '--from',
        '2024-01-01T00:00:00Z',
        '--to',
        '2024-02-01',
      ],
      { handler: podero(() => json(200, statisticsExample)) },
    );
    expect(savings.code).toBe(0);
    expect(savings.apiRequests[0]?.query).toEqual({ from: '2024-01-01T00:00:00Z', to: '2024-02-01' });
  });

  it('exits 1 with one stderr line naming the HTTP status and problem on an API error', async () => {
    const result = await run(['heat-pumps', 'get', USER_ID, HEAT_PUMP_ID], {
      handler: podero(() => json(404, { detail: 'Not Found' })),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('HTTP 404');
    expect(result.stderr).toContain('Not Found');
  });

  it('exits 1 on a bad client secret without printing the secret', async () => {
    const result = await run(['users', 'list'], { handler: () => json(401, { error: 'invalid_client' }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 401');
    expect(result.stderr).toContain('invalid_client');
    expect(result.stderr).not.toContain(ENV.PODERO_CLIENT_SECRET);
  });

  it('exits 2 naming the missing configuration', async () => {
    const result = await run(['users', 'list'], { env: { PODERO_CLIENT_ID: 'x' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PODERO_CLIENT_SECRET');
    expect(result.stderr).toContain('PODERO_ORG_ID');
    expect(result.requests).toHaveLength(0);
  });

  it('exits 2 on a malformed org id, an unknown command, a bad choice or bad --data', async () => {
    const badOrg = await run(['users', 'list'], { env: { ...ENV, PODERO_ORG_ID: 'acme' } });
    expect(badOrg.code).toBe(2);
    expect(badOrg.stderr).toContain('PODERO_ORG_ID');
    expect((await run(['users', 'frobnicate'])).code).toBe(2);
    expect((await run(['onboarding', 'create', '--language', 'fr'])).code).toBe(2);
    const badJson = await run(['users', 'create', '--data', '{nope']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--data');
  });

  it('exits 2 on an update with nothing to change', async () => {
    const user = await run(['users', 'update', USER_ID]);
    expect(user.code).toBe(2);
    expect(user.stderr).toContain('nothing to update');
    const heatPump = await run(['heat-pumps', 'update', USER_ID, HEAT_PUMP_ID]);
    expect(heatPump.code).toBe(2);
    expect(heatPump.apiRequests).toHaveLength(0);
  });

  it('exits 2 when the client refuses the request locally (nothing sent to the API)', async () => {
    const result = await run(['users', 'create', '--email', 'not-an-email']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('body.email');
    expect(result.apiRequests).toHaveLength(0);
  });

  it.each([
    [['--help']],
    [['users', '--help']],
    [['heat-pumps', 'savings', '--help']],
    [['token', '--help']],
  ])('prints help for %j and exits 0', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: podero');
  });

  it.each(['users', 'buildings', 'onboarding', 'heat-pumps', 'cues'])(
    'registers the %s module with the program’s settings on every command in it',
    async (group) => {
      // Each group is its own module added with addCommand: the program's output and exit override must reach
      // every command below it (commander would otherwise print to the process and exit it).
      const groupHelp = await run([group, '--help']);
      const commands = [...groupHelp.stdout.matchAll(/^ {2}([a-z-]+) /gm)]
        .map((match) => match[1] ?? '')
        .filter((name) => name !== 'help');
      expect(commands.length).toBeGreaterThan(1);
      for (const command of commands) {
        const help = await run([group, command, '--help']);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain(`Usage: podero ${group} ${command}`);
        const wrong = await run([group, command, '--no-such-flag']);
        expect(wrong.code).toBe(2);
        expect(wrong.stderr).toContain('(add --help for usage)');
      }
    },
  );
});
