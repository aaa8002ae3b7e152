// The view encoded so a reload (or a shared link) restores it: entity ids, rounded positions, camera,
// filters, hidden and pinned, as compact JSON, deflated with the built-in CompressionStream and written
// base64url into the URL fragment (`#v=…`). A view too long for a comfortable URL goes to localStorage
// under a short key and the fragment carries the key (`#s=…`).

export interface ViewState {
  case: string;
  nodes: string[];
  /** rounded x, y of nodes[i] at 2i, 2i + 1 */
  xy: number[];
  zoom: number;
  pan: { x: number; y: number };
  hiddenTypes: string[];
  hiddenLinkTypes: string[];
  /** elements (entities or links) hidden one by one */
  hidden: string[];
  pinned: string[];
  layout?: string;
}

/** Longest fragment written into the URL; longer views go to localStorage. */
export const MAX_FRAGMENT = 4000;
const STORE_PREFIX = 'casegraph.view.';
const STORE_INDEX = 'casegraph.views';
/** Views kept in localStorage; the least recently written fall off. */
const STORE_KEEP = 30;

/** The compact wire form: short keys, pinned and hidden nodes as indices into `n`. */
interface Compact {
  v: 1;
  c: string;
  n: string[];
  p: number[];
  z: number;
  q: [number, number];
  t?: string[];
  l?: string[];
  h?: (number | string)[];
  k?: number[];
  y?: string;
}

export function toCompact(s: ViewState): Compact {
  const index = new Map(s.nodes.map((id, i) => [id, i]));
  const c: Compact = {
    v: 1,
    c: s.case,
    n: s.nodes,
    p: s.xy.map((v) => Math.round(v)),
    z: Math.round(s.zoom * 1e4) / 1e4,
    q: [Math.round(s.pan.x), Math.round(s.pan.y)],
  };
  if (s.hiddenTypes.length) c.t = s.hiddenTypes;
  if (s.hiddenLinkTypes.length) c.l = s.hiddenLinkTypes;
  if (s.hidden.length) c.h = s.hidden.map((id) => index.get(id) ?? id);
  if (s.pinned.length) c.k = s.pinned.map((id) => index.get(id)).filter((i): i is number => i !== undefined);
  if (s.layout) c.y = s.layout;
  return c;
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const strArray = (x: unknown): string[] | null => (Array.isArray(x) && x.every(isStr) ? x : null);

/** Checks and expands the compact form; null when it is not one (a hand-edited or truncated URL). */
export function fromCompact(raw: unknown): ViewState | null {
  if (!raw || typeof raw !== 'object') return null;
  const c = raw as Partial<Compact>;
  const nodes = strArray(c.n);
  if (c.v !== 1 || !isStr(c.c) || !nodes || !Array.isArray(c.p) || c.p.length !== nodes.length * 2 || !c.p.every(isNum)) return null;
  if (!isNum(c.z) || c.z <= 0 || !Array.isArray(c.q) || c.q.length !== 2 || !c.q.every(isNum)) return null;
  const byIndex = (x: number | string) => (typeof x === 'number' ? nodes[x] : x);
  const hidden = Array.isArray(c.h) ? c.h.filter((x) => isStr(x) || (Number.isInteger(x) && nodes[x as number] !== undefined)).map(byIndex) : [];
  const pinned = Array.isArray(c.k) ? c.k.filter((i) => Number.isInteger(i) && nodes[i] !== undefined).map((i) => nodes[i]) : [];
  return {
    case: c.c,
    nodes,
    xy: c.p,
    zoom: c.z,
    pan: { x: c.q[0], y: c.q[1] },
    hiddenTypes: strArray(c.t) ?? [],
    hiddenLinkTypes: strArray(c.l) ?? [],
    hidden,
    pinned,
    layout: isStr(c.y) ? c.y : undefined,
  };
}

async function pipeThrough(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** ViewState → deflated base64url. */
export async function encodeViewState(s: ViewState): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(toCompact(s)));
  return toBase64Url(await pipeThrough(json, new CompressionStream('deflate-raw')));
}

/** Deflated base64url → ViewState; null for anything that does not decode to a valid view. */
export async function decodeViewState(text: string): Promise<ViewState | null> {
  try {
    const bytes = await pipeThrough(fromBase64Url(text), new DecompressionStream('deflate-raw'));
    return fromCompact(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return null;
  }
}

export type Fragment = { kind: 'inline'; data: string } | { kind: 'stored'; key: string };

/** Reads `#v=…` or `#s=…` (other fragments are not ours and are ignored). */
export function parseFragment(hash: string): Fragment | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const v = params.get('v');
  if (v && /^[A-Za-z0-9_-]+$/.test(v)) return { kind: 'inline', data: v };
  const key = params.get('s');
  if (key && /^[A-Za-z0-9_-]{4,40}$/.test(key)) return { kind: 'stored', key };
  return null;
}

/** Minimal storage interface (localStorage in the browser, a Map in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A short random key for a stored view. */
export function newStoreKey(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return toBase64Url(bytes);
}

/**
 * The fragment for an encoded view: inline when short enough, otherwise the view is written to `store`
 * under `key` and the fragment names the key.
 */
export function fragmentFor(encoded: string, store: KeyValueStore | null, key: string, max = MAX_FRAGMENT): string {
  if (encoded.length + 3 <= max || !store) return `#v=${encoded}`;
  try {
    store.setItem(STORE_PREFIX + key, encoded);
    const index = (store.getItem(STORE_INDEX) ?? '').split(',').filter((k) => k && k !== key);
    index.push(key);
    for (const old of index.splice(0, Math.max(0, index.length - STORE_KEEP))) store.removeItem(STORE_PREFIX + old);
    store.setItem(STORE_INDEX, index.join(','));
    return `#s=${key}`;
  } catch {
    // storage full or refused: a long URL still restores
    return `#v=${encoded}`;
  }
}

/** The encoded view a fragment points at, or null. */
export function encodedFromFragment(fragment: Fragment, store: KeyValueStore | null): string | null {
  if (fragment.kind === 'inline') return fragment.data;
  try {
    return store?.getItem(STORE_PREFIX + fragment.key) ?? null;
  } catch {
    return null;
  }
}
