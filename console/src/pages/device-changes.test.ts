// @vitest-environment happy-dom
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { Api, Schemas } from '../api/client';
import { Console, type ConsoleContext } from '../context';
import { DeviceChangesPage } from './device-changes';

type Change = Schemas['DeviceChange'];

const change = (id: string, status: Change['status'], reason: string | null = null): Change => ({
  id,
  control: 'settings',
  fields: { optimization_level: 'Max', is_smart_optimization_active: true },
  status,
  requested_at: '2026-06-01T08:00:00.000Z',
  settled_at: status === 'pending' ? null : '2026-06-01T08:35:00.000Z',
  deadline_at: '2026-06-01T08:30:00.000Z',
  by: 'local-support',
  reason,
});

/** A fake API answering the change list route from pages keyed by cursor, recording what was asked. */
function fakeApi(pages: Record<string, Schemas['DeviceChangeList']>) {
  const asked: { path: string; params: unknown }[] = [];
  const api = {
    GET: async (path: string, init: { params: { query: { cursor?: string } } }) => {
      asked.push({ path, params: init.params });
      const page = pages[init.params.query.cursor ?? ''];
      return page
        ? { data: page, response: new Response(null, { status: 200 }) }
        : {
            error: { error: { code: 'not_found', message: 'no such device' } },
            response: new Response(null, { status: 404 }),
          };
    },
  };
  return { api: api as unknown as Api, asked };
}

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

async function mount(api: Api, kind: 'wallbox' | 'heat_pump') {
  root = document.createElement('div');
  document.body.append(root);
  const context = { api, now: () => new Date('2026-06-01T09:00:00Z') } as unknown as ConsoleContext;
  await act(async () => {
    render(
      h(
        Console.Provider,
        { value: context },
        h(DeviceChangesPage, { externalUserId: 'u-1', kind, deviceId: 'd-1' }),
      ),
      root,
    );
  });
  // Let the fake answer and the re-render settle.
  await act(async () => new Promise((r) => setTimeout(r, 0)));
}

const statuses = () => [...root.querySelectorAll('li.change')].map((li) => li.getAttribute('data-status'));

describe('a device change list', () => {
  it("asks the kind's own route, shows each change's status, fields and reason, and appends the next page", async () => {
    // Prepare
    const { api, asked } = fakeApi({
      '': {
        items: [change('chg_3', 'pending'), change('chg_2', 'superseded', 'chg_3')],
        next_cursor: 'chg_2',
      },
      chg_2: { items: [change('chg_1', 'failed', 'timeout')], next_cursor: null },
    });

    // Act
    await mount(api, 'wallbox');

    // Assess
    expect(asked[0]?.path).toBe('/users/{external_user_id}/wallboxes/{wallbox_id}/changes');
    expect(asked[0]?.params).toMatchObject({
      path: { external_user_id: 'u-1', wallbox_id: 'd-1' },
      query: { limit: 25 },
    });
    expect(statuses()).toEqual(['pending', 'superseded']);
    const first = root.querySelector('li.change')?.textContent ?? '';
    expect(first).toContain('Pending');
    expect(first).toContain('Optimisation level: Max');
    expect(first).toContain('Smart optimisation: yes');
    expect(first).toContain('2026-06-01 08:00 UTC');
    expect(first).toContain('local-support');
    expect(first).toContain('not yet');

    const more = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Load more');
    await act(async () => more?.click());
    await act(async () => new Promise((r) => setTimeout(r, 0)));
    expect(asked[1]?.params).toMatchObject({ query: { limit: 25, cursor: 'chg_2' } });
    expect(statuses()).toEqual(['pending', 'superseded', 'failed']);
    const failed = root.querySelector('li[data-change="chg_1"] [data-change-why]')?.textContent;
    expect(failed).toBe('The device did not show it by its deadline, 2026-06-01 08:30 UTC.');
    expect([...root.querySelectorAll('button')].some((b) => b.textContent === 'Load more')).toBe(false);
  });

  it('says when the device has no change, and shows what the API answered when the list fails', async () => {
    await mount(fakeApi({ '': { items: [], next_cursor: null } }).api, 'heat_pump');
    expect(root.textContent).toContain('No change requested for this device yet.');
    render(null, root);
    root.remove();

    await mount(fakeApi({}).api, 'heat_pump');
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('404 no such device');
  });
});
