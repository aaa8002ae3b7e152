// The explorer's view state without a browser: the undo stack, the URL encoding of a view (deflated
// base64url, or a localStorage key when too long), and the chunking of subgraph requests.
import { afterEach, describe, expect, it } from 'vitest';
import { UndoStack } from '../../frontend/src/view/history.ts';
import {
  decodeViewState,
  encodeViewState,
  encodedFromFragment,
  fragmentFor,
  fromBase64Url,
  fromCompact,
  parseFragment,
  toBase64Url,
  toCompact,
  type KeyValueStore,
  type ViewState,
} from '../../frontend/src/view/url-state.ts';
import { ApiError, createApi, createAuthClient, createTimelineClient, onSessionLost, type GraphView } from '../../frontend/src/api.ts';

function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

function view(n: number, over: Partial<ViewState> = {}): ViewState {
  const nodes = Array.from({ length: n }, (_, i) => `tel_${i.toString(16).padStart(24, '0')}`);
  return {
    case: 'lima-2023',
    nodes,
    xy: nodes.flatMap((_, i) => [i * 13.37 - 500, Math.sin(i) * 400]),
    zoom: 0.734567,
    pan: { x: 120.4, y: -33.6 },
    hiddenTypes: ['Account'],
    hiddenLinkTypes: ['HAS_CONTACT'],
    hidden: [nodes[1], 'lnk_edge'],
    pinned: [nodes[0], nodes[2]],
    layout: 'concentric',
    ...over,
  };
}

describe('UndoStack', () => {
  it('undoes to the state before an action and redoes to the state after it', () => {
    const s = new UndoStack<string>();
    s.reset('a');
    s.commit('to b', 'b');
    s.commit('to c', 'c', true);
    expect(s.undoLabel).toBe('to c');
    const u = s.undo()!;
    expect([u.before, u.viewport, s.current]).toEqual(['b', true, 'b']);
    expect(s.redoLabel).toBe('to c');
    expect(s.undo()!.before).toBe('a');
    expect(s.undo()).toBeUndefined();
    expect(s.redo()!.after).toBe('b');
    expect(s.depth).toEqual({ undo: 1, redo: 1 });
  });

  it('drops what could be redone when a new action is committed, and keeps at most `limit` steps', () => {
    const s = new UndoStack<number>(3);
    s.reset(0);
    for (let i = 1; i <= 5; i++) s.commit(`step ${i}`, i);
    expect(s.depth.undo).toBe(3);
    s.undo();
    s.commit('branch', 42);
    expect(s.redoLabel).toBeNull();
    expect([s.undo()!.before, s.undo()!.before, s.undo()!.before, s.undo()]).toEqual([4, 3, 2, undefined]);
  });

  it('a reset starts over', () => {
    const s = new UndoStack<string>();
    s.reset('x');
    s.commit('y', 'y');
    s.reset('z');
    expect([s.current, s.undoLabel, s.redoLabel]).toEqual(['z', null, null]);
  });
});

describe('view state in the URL', () => {
  it('round-trips through the compact form with rounded positions, pins and hidden by index', () => {
    const v = view(5);
    const c = toCompact(v);
    expect(c.p.every(Number.isInteger)).toBe(true);
    expect(c.k).toEqual([0, 2]);
    expect(c.h).toEqual([1, 'lnk_edge']);
    const back = fromCompact(JSON.parse(JSON.stringify(c)))!;
    expect(back.nodes).toEqual(v.nodes);
    back.xy.forEach((x, i) => expect(Math.abs(x - v.xy[i])).toBeLessThanOrEqual(0.5));
    expect(back).toMatchObject({ case: 'lima-2023', zoom: 0.7346, pan: { x: 120, y: -34 }, hidden: v.hidden, pinned: v.pinned, hiddenTypes: ['Account'], hiddenLinkTypes: ['HAS_CONTACT'], layout: 'concentric' });
  });

  it('deflates and base64url-encodes, and decodes back', async () => {
    const v = view(120);
    const text = await encodeViewState(v);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text.length).toBeLessThan(JSON.stringify(toCompact(v)).length);
    const back = await decodeViewState(text);
    expect(back?.nodes).toEqual(v.nodes);
    expect(back?.pinned).toEqual(v.pinned);
  });

  it('refuses what is not a view: garbage, truncation, wrong shapes', async () => {
    const good = await encodeViewState(view(10));
    expect(await decodeViewState('not-base64-deflate')).toBeNull();
    expect(await decodeViewState(good.slice(0, good.length / 2))).toBeNull();
    expect(fromCompact({ v: 2 })).toBeNull();
    expect(fromCompact({ v: 1, c: 'x', n: ['a'], p: [1], z: 1, q: [0, 0] })).toBeNull(); // one coordinate for one node
    expect(fromCompact({ v: 1, c: 'x', n: ['a'], p: [1, 2], z: 0, q: [0, 0] })).toBeNull(); // zoom 0
    // out-of-range pin and hidden indices are dropped, not trusted
    expect(fromCompact({ v: 1, c: 'x', n: ['a'], p: [1, 2], z: 1, q: [0, 0], k: [5], h: [9, 'e1'] })).toMatchObject({ pinned: [], hidden: ['e1'] });
  });

  it('base64url survives every byte value', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });

  it('keeps short views in the fragment and long ones in storage under a key in the fragment', async () => {
    const store = memoryStore();
    const short = await encodeViewState(view(3));
    expect(fragmentFor(short, store, 'k1')).toBe(`#v=${short}`);
    expect(store.map.size).toBe(0);

    const long = await encodeViewState(view(1500));
    expect(long.length).toBeGreaterThan(4000);
    const frag = fragmentFor(long, store, 'abcd1234');
    expect(frag).toBe('#s=abcd1234');
    const parsed = parseFragment(frag)!;
    expect(parsed).toEqual({ kind: 'stored', key: 'abcd1234' });
    const back = await decodeViewState(encodedFromFragment(parsed, store)!);
    expect(back?.nodes.length).toBe(1500);
    expect(encodedFromFragment(parseFragment(`#v=${short}`)!, null)).toBe(short);
  });

  it('keeps a bounded number of stored views, dropping the oldest', () => {
    const store = memoryStore();
    for (let i = 0; i < 40; i++) fragmentFor('x'.repeat(5000), store, `key${i}`);
    const views = [...store.map.keys()].filter((k) => k.startsWith('casegraph.view.'));
    expect(views.length).toBe(30);
    expect(store.map.has('casegraph.view.key39')).toBe(true);
    expect(store.map.has('casegraph.view.key0')).toBe(false);
  });

  it('ignores fragments that are not ours', () => {
    expect(parseFragment('')).toBeNull();
    expect(parseFragment('#section-2')).toBeNull();
    expect(parseFragment('#v=<script>')).toBeNull();
    expect(parseFragment('#s=..')).toBeNull();
  });
});

describe('API client', () => {
  it('restores a large view with one subgraph request carrying the ids in the body', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `tel_${i.toString(16).padStart(24, '0')}`);
    const calls: { url: string; init?: RequestInit }[] = [];
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      const body: GraphView = { entities: [], links: [], capped: false };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    await createApi('', fakeFetch).subgraph([...ids, ids[0]]);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/api/subgraph?shape=compact');
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body)).ids).toHaveLength(2000);
  });

  it('sends no user header: the session cookie says who acts', async () => {
    const seen: Headers[] = [];
    const fakeFetch = (async (_input: string | URL | Request, init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      return new Response(JSON.stringify({ id: 'a1' }), { status: 201 });
    }) as typeof fetch;
    const api = createApi('', fakeFetch);
    await api.addNote('per_1', 'seen at the house');
    await api.merge('per_1', 'per_2', 'same passport');
    expect(seen).toHaveLength(2);
    expect(seen.map((h) => h.get('x-casegraph-user'))).toEqual([null, null]);
    expect(seen[0].get('content-type')).toBe('application/json');
  });
});

/** A fetch answering 401 until `signedIn` is set, then 200 with `{ ok: url }`; records the URLs asked. */
function sessionFetch() {
  const calls: string[] = [];
  const state = { signedIn: false };
  const fakeFetch = (async (input: string | URL | Request) => {
    calls.push(String(input));
    if (!state.signedIn && !String(input).startsWith('/api/auth/login')) {
      return new Response(JSON.stringify({ code: 'unauthorized', message: 'sign in first' }), { status: 401 });
    }
    if (String(input).startsWith('/api/auth/login')) {
      state.signedIn = true;
      return new Response(JSON.stringify({ user: 'ana', role: 'analyst', cases: ['lima-2023'] }), { status: 200 });
    }
    return new Response(JSON.stringify({ cases: [{ name: String(input) }] }), { status: 200 });
  }) as typeof fetch;
  return { calls, state, fakeFetch };
}

describe('session lost (401)', () => {
  afterEach(() => onSessionLost(null));

  it('without a handler, a 401 is an ApiError carrying the server\'s code', async () => {
    const { fakeFetch } = sessionFetch();
    const err = await createApi('', fakeFetch).cases().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', message: 'sign in first' });
  });

  it('waits for the sign-in, then sends the same request again (each of several requests under way)', async () => {
    const { calls, state, fakeFetch } = sessionFetch();
    let asked = 0;
    let signedIn!: () => void;
    const signIn = new Promise<void>((r) => (signedIn = r));
    onSessionLost(() => {
      asked++;
      return signIn;
    });
    const api = createApi('', fakeFetch);
    const a = api.cases();
    const b = createTimelineClient('', fakeFetch).timeline({ scope: { case: 'lima-2023' } });
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual(['/api/cases', '/api/timeline']);
    expect(asked).toBe(2);
    state.signedIn = true;
    signedIn();
    expect(await a).toEqual([{ name: '/api/cases' }]);
    await b;
    expect(calls).toEqual(['/api/cases', '/api/timeline', '/api/cases', '/api/timeline']);
  });

  it('gives up when the handler rejects (the error is the handler\'s)', async () => {
    const { fakeFetch } = sessionFetch();
    onSessionLost(() => Promise.reject(new Error('no sign-in')));
    await expect(createApi('', fakeFetch).cases()).rejects.toThrow('no sign-in');
  });

  it('the sign-in calls never bring the form: their 401 is the answer', async () => {
    const { calls, fakeFetch } = sessionFetch();
    let asked = 0;
    onSessionLost(async () => void asked++);
    const auth = createAuthClient('', fakeFetch);
    await expect(auth.me()).rejects.toMatchObject({ status: 401 });
    expect(asked).toBe(0);
    expect(await auth.login('ana', 'correct horse battery')).toEqual({ user: 'ana', role: 'analyst', cases: ['lima-2023'] });
    expect(await auth.me()).toMatchObject({ cases: [{ name: '/api/auth/me' }] });
    expect(calls).toEqual(['/api/auth/me', '/api/auth/login', '/api/auth/me']);
  });

  it('builds the audit export link from the filters', () => {
    const auth = createAuthClient('');
    expect(auth.auditExportUrl({})).toBe('/api/audit/export');
    expect(auth.auditExportUrl({ action: 'auth.login', outcome: 'refused', from: '2024-05-01', to: '2024-05-04' })).toBe(
      '/api/audit/export?action=auth.login&outcome=refused&from=2024-05-01&to=2024-05-04',
    );
  });
});
