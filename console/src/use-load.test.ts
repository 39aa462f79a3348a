// @vitest-environment happy-dom
import { type ComponentChild, type FunctionComponent, h, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type Loaded, useLoad } from './use-load';

/** A load whose answer the test gives when it chooses. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

function mount(vnode: ComponentChild) {
  root = document.createElement('div');
  document.body.append(root);
  act(() => render(vnode, root));
}

const shownOf = <T>(loaded: Loaded<T> | undefined) =>
  loaded?.state === 'ready' ? loaded.value : loaded?.state;

describe('useLoad', () => {
  it('shows loading, not the value of the previous keys, from the first render under new keys', async () => {
    // Prepare
    const answers = new Map([
      ['a', deferred<string>()],
      ['b', deferred<string>()],
    ]);
    const shown: { id: string; loaded: Loaded<string> }[] = [];
    const Customer: FunctionComponent<{ id: string }> = ({ id }) => {
      const [loaded] = useLoad(() => answers.get(id)?.promise ?? Promise.reject(new Error(id)), [id]);
      shown.push({ id, loaded });
      return null;
    };
    mount(h(Customer, { id: 'a' }));
    await act(async () => answers.get('a')?.resolve('data of a'));
    expect(shownOf(shown.at(-1)?.loaded)).toBe('data of a');

    // Act
    act(() => render(h(Customer, { id: 'b' }), root));

    // Assess
    expect(shown.filter((s) => s.id === 'b').map((s) => shownOf(s.loaded))).toEqual(['loading']);
    await act(async () => answers.get('b')?.resolve('data of b'));
    expect(shownOf(shown.at(-1)?.loaded)).toBe('data of b');
    expect(shown.filter((s) => s.id === 'b').map((s) => shownOf(s.loaded))).not.toContain('data of a');
  });

  it('shows loading when any one of several keys changes, such as the range of the same heat pump', async () => {
    const answers = new Map([
      ['24h', deferred<string>()],
      ['7d', deferred<string>()],
    ]);
    let last: Loaded<string> | undefined;
    const Readings: FunctionComponent<{ range: string }> = ({ range }) => {
      [last] = useLoad(
        () => answers.get(range)?.promise ?? Promise.reject(new Error(range)),
        ['hp-1', range],
      );
      return null;
    };
    mount(h(Readings, { range: '24h' }));
    await act(async () => answers.get('24h')?.resolve('24 hours'));
    act(() => render(h(Readings, { range: '7d' }), root));
    expect(shownOf(last)).toBe('loading');
    await act(async () => answers.get('7d')?.resolve('7 days'));
    expect(shownOf(last)).toBe('7 days');
  });

  it('drops an answer for earlier keys that arrives after the answer for the new keys', async () => {
    const answers = new Map([
      ['a', deferred<string>()],
      ['b', deferred<string>()],
    ]);
    let last: Loaded<string> | undefined;
    const Customer: FunctionComponent<{ id: string }> = ({ id }) => {
      [last] = useLoad(() => answers.get(id)?.promise ?? Promise.reject(new Error(id)), [id]);
      return null;
    };
    mount(h(Customer, { id: 'a' }));
    act(() => render(h(Customer, { id: 'b' }), root));
    await act(async () => answers.get('b')?.resolve('data of b'));
    await act(async () => answers.get('a')?.resolve('data of a'));
    expect(shownOf(last)).toBe('data of b');
  });

  it('never sends a child request that combines the new customer with a heat pump of the previous one', async () => {
    // Prepare: a page loads a customer's heat pumps, and each heat pump loads its own detail.
    const heatPumpsOf: Record<string, string[]> = { a: ['hp-a1', 'hp-a2'], b: ['hp-b1'] };
    const customerAnswers = new Map([
      ['a', deferred<string[]>()],
      ['b', deferred<string[]>()],
    ]);
    const detailRequests: [string, string][] = [];
    const HeatPump: FunctionComponent<{ user: string; heatPump: string }> = ({ user, heatPump }) => {
      useLoad(async () => {
        detailRequests.push([user, heatPump]);
        return heatPump;
      }, [user, heatPump]);
      return null;
    };
    const Customer: FunctionComponent<{ id: string }> = ({ id }) => {
      const [heatPumps] = useLoad(
        () => customerAnswers.get(id)?.promise ?? Promise.reject(new Error(id)),
        [id],
      );
      return heatPumps.state === 'ready'
        ? h(
            'div',
            null,
            heatPumps.value.map((hp) => h(HeatPump, { key: hp, user: id, heatPump: hp })),
          )
        : null;
    };
    mount(h(Customer, { id: 'a' }));
    await act(async () => customerAnswers.get('a')?.resolve(heatPumpsOf.a ?? []));

    // Act: the operator opens customer b; its heat pumps arrive later.
    await act(async () => render(h(Customer, { id: 'b' }), root));
    await act(async () => customerAnswers.get('b')?.resolve(heatPumpsOf.b ?? []));

    // Assess: every detail request pairs a customer with one of its own heat pumps.
    expect(detailRequests).toEqual([
      ['a', 'hp-a1'],
      ['a', 'hp-a2'],
      ['b', 'hp-b1'],
    ]);
  });

  it('keeps the value on screen while each reload() asks again, then shows the new answer', async () => {
    let answer = 1;
    let pending = deferred<number>();
    let state: [Loaded<number>, () => void] | undefined;
    const Counter: FunctionComponent = () => {
      state = useLoad(() => pending.promise, ['same']);
      return null;
    };
    mount(h(Counter, {}));
    await act(async () => pending.resolve(answer));
    expect(shownOf(state?.[0])).toBe(1);

    pending = deferred<number>();
    answer = 2;
    act(() => state?.[1]());
    expect(shownOf(state?.[0])).toBe(1);
    await act(async () => pending.resolve(answer));
    expect(shownOf(state?.[0])).toBe(2);

    // Every reload asks again, not only the first.
    pending = deferred<number>();
    act(() => state?.[1]());
    await act(async () => pending.resolve(3));
    expect(shownOf(state?.[0])).toBe(3);
  });

  it('shows the interim values load reports before it settles, and the failure it ends with', async () => {
    const done = deferred<void>();
    let last: Loaded<string> | undefined;
    const Search: FunctionComponent = () => {
      [last] = useLoad<string>(
        async (show) => {
          show('first page');
          await done.promise;
          throw new Error('second page failed');
        },
        ['q'],
      );
      return null;
    };
    mount(h(Search, {}));
    await act(async () => {});
    expect(shownOf(last)).toBe('first page');
    await act(async () => {
      done.resolve();
      await new Promise((settled) => setTimeout(settled, 0));
    });
    expect(last?.state === 'failed' && last.error.message).toBe('second page failed');
  });
});
