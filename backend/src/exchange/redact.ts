// Victim-aware redaction, applied to a scope before any writer sees it (one place, every format).
// Victims are entities whose `props.role` is "victim" (or who PARTICIPATED_IN something as a victim).
// They, and what they use or own (USES_PHONE, USES_ACCOUNT, OWNS — followed transitively, so the
// account running on a victim's number is masked too), are replaced by pseudonyms:
//   - a label like "Victim 3 (redacted)" / "Phone of Victim 3 (redacted)";
//   - a pseudonymous id (HMAC of the id under a per-export random salt: stable within one export, so links
//     still connect, but not linkable across exports and not computable from a guessed name or number);
//   - props reduced to an allowlist (role, count) plus `redacted: true`; search terms dropped.
// Links and events touching them get pseudonymous ids too (link ids are hashes of their endpoints). Then
// every other string of the export (labels, props, locators, source names, event texts, the view state)
// is scrubbed of the masked entities' names, aliases and identifiers, so a victim's name or number never
// appears anywhere in the bytes, even inside a suspect's note.
import { createHmac, randomBytes } from 'node:crypto';
import { ENTITY_SPECS, type EntityType, type Props } from '../model/index.ts';
import type { Prov, Scope, ScopeEntity, ScopeEvent, ScopeLink } from './scope.ts';

export const REDACTED_MARK = '[redacted]';
/** props a masked entity keeps: they say what it is, never who */
const KEEP_PROPS = ['role', 'count'] as const;
/** sensitive strings shorter than this are not scrubbed elsewhere (two-letter country codes would mask half the file) */
const MIN_SENSITIVE = 3;
const FOLLOW = new Set(['USES_PHONE', 'USES_ACCOUNT', 'OWNS']);

export interface RedactionOptions {
  /** key of the pseudonyms; random per export unless given (tests) */
  salt?: string;
}

export interface Redaction {
  scope: Scope;
  victims: number;
  masked: number;
  /** original id → pseudonymous id, for entities, links and events that were masked */
  idMap: ReadonlyMap<string, string>;
  /** scrubs masked names and identifiers out of free text */
  scrub(s: string): string;
  /** maps a JSON value (e.g. the UI view state): ids to pseudonyms (keys too), other strings scrubbed */
  mapJson(v: unknown): unknown;
}

function hasVictimRole(v: unknown): boolean {
  if (typeof v === 'string') return v.trim().toLowerCase() === 'victim';
  return Array.isArray(v) && v.some((x) => typeof x === 'string' && x.trim().toLowerCase() === 'victim');
}

const NOUN: Partial<Record<EntityType, string>> = {
  Phone: 'Phone', Account: 'Account', Email: 'E-mail', BankAccount: 'Bank account', BankCard: 'Card', Device: 'Device',
  Vehicle: 'Vehicle', Address: 'Address', Asset: 'Asset', Document: 'Document', Place: 'Place', Event: 'Event',
};

/** Entities that must be masked, and the victim each hangs from. Exported for tests and the UI preview. */
export function findMasked(scope: Scope): { victims: string[]; owner: Map<string, string> } {
  const victims: string[] = [];
  const owner = new Map<string, string>();
  const victimParticipants = new Set<string>();
  for (const l of scope.links.values()) {
    if (l.type === 'PARTICIPATED_IN' && (hasVictimRole(l.props.role) || hasVictimRole(l.props.as))) victimParticipants.add(l.from);
  }
  for (const e of scope.entities.values()) {
    if (hasVictimRole(e.props.role) || (victimParticipants.has(e.id) && ['Person', 'Group', 'Organization'].includes(e.type))) {
      victims.push(e.id);
      owner.set(e.id, e.id);
    }
  }
  if (victims.length === 0) return { victims, owner };
  const out = new Map<string, ScopeLink[]>();
  for (const l of scope.links.values()) {
    if (!FOLLOW.has(l.type)) continue;
    const list = out.get(l.from);
    if (list) list.push(l);
    else out.set(l.from, [l]);
  }
  const queue = [...victims];
  while (queue.length) {
    const id = queue.shift()!;
    for (const l of out.get(id) ?? []) {
      if (owner.has(l.to) || !scope.entities.has(l.to)) continue;
      owner.set(l.to, owner.get(id)!);
      queue.push(l.to);
    }
  }
  return { victims, owner };
}

/** Redacts `scope` in place (it is collected for one export) and returns it with the id map. */
export function redactScope(scope: Scope, opts: RedactionOptions = {}): Redaction {
  const { victims, owner } = findMasked(scope);
  if (victims.length === 0) {
    return { scope, victims: 0, masked: 0, idMap: new Map(), scrub: (s) => s, mapJson: (v) => v };
  }
  const salt = opts.salt ?? randomBytes(32).toString('hex');
  const pseudo = (prefix: string, id: string) => `${prefix}${createHmac('sha256', salt).update(id).digest('hex').slice(0, 24)}`;
  const idMap = new Map<string, string>();
  const labels = new Map<string, string>();
  const victimNo = new Map<string, number>();
  victims.forEach((v, i) => victimNo.set(v, i + 1));
  const perVictimCount = new Map<string, number>();
  const sensitive = new Set<string>();
  const addSensitive = (v: unknown) => {
    if (typeof v === 'string') {
      const t = v.trim();
      // numbers (and a phone's digit-suffix aliases) count from 7 digits: shorter runs occur everywhere
      if (/^[\d\s()+\-./]+$/.test(t)) {
        const digits = t.replace(/\D/g, '');
        if (digits.length >= 7) sensitive.add(t).add(digits);
      } else if (t.length >= MIN_SENSITIVE) sensitive.add(t);
    } else if (typeof v === 'number' && Number.isFinite(v) && String(v).length >= 7) sensitive.add(String(v));
    else if (Array.isArray(v)) v.forEach(addSensitive);
  };
  for (const [id, v] of owner) {
    const e = scope.entities.get(id)!;
    idMap.set(id, pseudo('red_', id));
    const n = victimNo.get(v)!;
    if (id === v) labels.set(id, `Victim ${n} (redacted)`);
    else {
      const key = `${v}\u001f${e.type}`;
      const k = (perVictimCount.get(key) ?? 0) + 1;
      perVictimCount.set(key, k);
      labels.set(id, `${NOUN[e.type] ?? e.type}${k > 1 ? ` ${k}` : ''} of Victim ${n} (redacted)`);
    }
    addSensitive(e.label);
    const spec = ENTITY_SPECS[e.type];
    for (const p of new Set([...spec.identity, ...spec.identifiers, 'aliases', 'original', 'number', 'handle', 'address', 'name', 'firstName', 'lastName', 'imei', 'iban', 'accountNumber', 'masked'])) addSensitive(e.props[p]);
    // search terms are the aliases and identifiers above plus digit suffixes of numbers: the full numbers
    // (as written, E.164 and bare digits) are enough, and thousands of suffixes would slow every scan
    for (const s of e.search) if (!/^\d+$/.test(s)) addSensitive(s);
  }
  const scrubber = new Scrubber([...sensitive]);
  const scrub = (s: string) => scrubber.scrub(s);
  const scrubProps = (p: Props) => scrubPropsWith(scrubber, p);
  const scrubList = (list: string[]) => scrubListWith(scrubber, list);
  const scrubProv = (prov: Prov[]) => scrubProvWith(scrubber, prov);
  for (const l of scope.links.values()) if (owner.has(l.from) || owner.has(l.to)) idMap.set(l.id, pseudo('lnk_r', l.id));
  for (const ev of scope.events.values()) if (owner.has(ev.from) || owner.has(ev.to) || idMap.has(ev.linkId)) idMap.set(ev.id, pseudo('ev_r', ev.id));
  const map = (id: string) => idMap.get(id) ?? id;

  // in place: the scope was collected for this export alone, and copying 100k records costs more than writing them
  const moved: [Map<string, unknown>, string, { id: string }][] = [];
  for (const e of scope.entities.values()) {
    if (owner.has(e.id)) {
      const props: Props = {};
      for (const k of KEEP_PROPS) if (e.props[k] !== undefined && typeof e.props[k] !== 'string') props[k] = e.props[k];
      if (owner.get(e.id) === e.id) props.role = 'victim';
      props.redacted = true;
      const rec: ScopeEntity = { id: map(e.id), type: e.type, label: labels.get(e.id)!, props, search: [], prov: scrubProv(e.prov) };
      moved.push([scope.entities as Map<string, unknown>, e.id, rec]);
      continue;
    }
    // assign only what changed: most records are untouched and stay as they are
    const label = scrub(e.label);
    if (label !== e.label) e.label = label;
    const props = scrubProps(e.props);
    if (props !== e.props) e.props = props;
    const search = scrubList(e.search);
    if (search !== e.search) e.search = search;
    const prov = scrubProv(e.prov);
    if (prov !== e.prov) e.prov = prov;
  }
  for (const l of scope.links.values()) {
    const props = scrubProps(l.props);
    if (props !== l.props) l.props = props;
    const prov = scrubProv(l.prov);
    if (prov !== l.prov) l.prov = prov;
    if (idMap.has(l.id)) {
      const rec: ScopeLink = { ...l, id: map(l.id), from: map(l.from), to: map(l.to) };
      moved.push([scope.links as Map<string, unknown>, l.id, rec]);
    }
  }
  for (const ev of scope.events.values()) {
    const original = scrub(ev.original);
    if (original !== ev.original) ev.original = original;
    const props = scrubProps(ev.props);
    if (props !== ev.props) ev.props = props;
    const prov = scrubProv(ev.prov);
    if (prov !== ev.prov) ev.prov = prov;
    if (idMap.has(ev.id)) {
      const rec: ScopeEvent = { ...ev, id: map(ev.id), linkId: map(ev.linkId), from: map(ev.from), to: map(ev.to) };
      moved.push([scope.events as Map<string, unknown>, ev.id, rec]);
    }
  }
  for (const [m, old, rec] of moved) {
    m.delete(old);
    m.set(rec.id, rec);
  }
  const entities = scope.entities;
  const links = scope.links;
  const events = scope.events;
  for (const b of scope.bySource) for (const list of [b.entities, b.links, b.events]) for (let i = 0; i < list.length; i++) list[i] = map(list[i]);
  const mapJson = (v: unknown, depth = 0): unknown => {
    if (depth > 64) return null;
    if (typeof v === 'string') return idMap.get(v) ?? scrub(v);
    if (Array.isArray(v)) return v.map((x) => mapJson(x, depth + 1));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[idMap.get(k) ?? scrub(k)] = mapJson(x, depth + 1);
      return out;
    }
    return v;
  };
  const redacted: Scope = {
    ...scope,
    ids: scope.ids?.map(map),
    sources: scope.sources.map((s) => ({ ...s, name: scrub(s.name), ...(s.title ? { title: scrub(s.title) } : {}), ...(s.documentId ? { documentId: map(s.documentId) } : {}) })),
    entities, links, events,
    merges: scope.merges.map((m) => ({ ...m, keep: map(m.keep), merge: map(m.merge), ...(m.text ? { text: scrub(m.text) } : {}) })),
  };
  return { scope: redacted, victims: victims.length, masked: owner.size, idMap, scrub, mapJson: (v) => mapJson(v) };
}

/** props with masked text replaced; the same object when nothing changed (no copy for 99% of records) */
function scrubPropsWith(sc: Scrubber, p: Props): Props {
  let out: Props | null = null;
  for (const k in p) {
    const v = p[k];
    if (typeof v === 'string') {
      const w = sc.scrub(v);
      if (w !== v) (out ??= { ...p })[k] = w;
    } else if (Array.isArray(v)) {
      let arr: (string | number | boolean)[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x !== 'string') continue;
        const y = sc.scrub(x);
        if (y !== x) (arr ??= [...v])[i] = y;
      }
      if (arr) (out ??= { ...p })[k] = arr;
    }
  }
  return out ?? p;
}

function scrubListWith(sc: Scrubber, list: string[]): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < list.length; i++) {
    const y = sc.scrub(list[i]);
    if (y !== list[i]) (out ??= [...list])[i] = y;
  }
  return out ?? list;
}

function scrubProvWith(sc: Scrubber, prov: Prov[]): Prov[] {
  let out: Prov[] | null = null;
  for (let i = 0; i < prov.length; i++) {
    const l = scrubListWith(sc, prov[i].l);
    if (l !== prov[i].l) (out ??= [...prov])[i] = { s: prov[i].s, l };
  }
  return out ?? prov;
}

/**
 * Case-insensitive multi-string replacement in linear time: an Aho–Corasick automaton compiled to a dense
 * table over the characters the patterns use (any other character sends the scan back to the start), so
 * every string of an export is scanned once at a few nanoseconds a character, whatever the number of
 * names and numbers to mask. Overlapping matches are merged and the whole run masked.
 */
export class Scrubber {
  private readonly symbols = new Uint16Array(65536);
  private readonly width: number;
  private readonly delta: Int32Array;
  /** length of the longest pattern ending in this state, 0 if none */
  private readonly best: Int32Array;
  private readonly minLen: number;

  constructor(strings: string[]) {
    const patterns = [...new Set(strings.map(lowerString).filter((s) => s.length >= 3))];
    this.minLen = patterns.length ? Math.min(...patterns.map((p) => p.length)) : Infinity;
    let width = 1;
    for (const p of patterns) for (let i = 0; i < p.length; i++) if (!this.symbols[p.charCodeAt(i)]) this.symbols[p.charCodeAt(i)] = width++;
    this.width = width;
    // fold case into the symbol table, so the scan reads raw characters
    if (width > 1) for (let x = 0; x < 65536; x++) if (!this.symbols[x]) this.symbols[x] = this.symbols[lowerCode(x)];
    // the trie
    const children: Map<number, number>[] = [new Map()];
    const own: number[] = [0];
    for (const p of patterns) {
      let n = 0;
      for (let i = 0; i < p.length; i++) {
        const a = this.symbols[p.charCodeAt(i)];
        let m = children[n].get(a);
        if (m === undefined) {
          m = children.length;
          children.push(new Map());
          own.push(0);
          children[n].set(a, m);
        }
        n = m;
      }
      own[n] = Math.max(own[n], p.length);
    }
    // breadth first: failure links folded into a full transition table
    const size = children.length;
    this.delta = new Int32Array(size * width);
    this.best = new Int32Array(size);
    const fail = new Int32Array(size);
    const queue: number[] = [];
    for (const [a, child] of children[0]) {
      this.delta[a] = child;
      this.best[child] = own[child];
      queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const n = queue[q];
      for (let a = 1; a < width; a++) {
        const child = children[n].get(a);
        if (child === undefined) this.delta[n * width + a] = this.delta[fail[n] * width + a];
        else {
          fail[child] = this.delta[fail[n] * width + a];
          this.best[child] = Math.max(own[child], this.best[fail[child]]);
          this.delta[n * width + a] = child;
          queue.push(child);
        }
      }
    }
  }

  scrub(s: string): string {
    if (s.length < this.minLen) return s;
    const { symbols, delta, best, width } = this;
    let n = 0;
    let runs: number[] | null = null;
    for (let i = 0; i < s.length; i++) {
      const a = symbols[s.charCodeAt(i)];
      n = a === 0 ? 0 : delta[n * width + a];
      const len = best[n];
      if (len) (runs ??= []).push(i + 1 - len, i + 1);
    }
    if (!runs) return s;
    const order: [number, number][] = [];
    for (let k = 0; k < runs.length; k += 2) order.push([runs[k], runs[k + 1]]);
    order.sort((x, y) => x[0] - y[0]);
    let out = '';
    let last = 0;
    let [start, end] = order[0];
    for (let k = 1; k <= order.length; k++) {
      if (k < order.length && order[k][0] <= end) {
        end = Math.max(end, order[k][1]);
        continue;
      }
      out += s.slice(last, start) + REDACTED_MARK;
      last = end;
      if (k < order.length) [start, end] = order[k];
    }
    return out + s.slice(last);
  }
}

let LOWER: Uint16Array | null = null;
/** Lower case of one UTF-16 unit, keeping positions (a mapping that would change the length is not applied). */
function lowerCode(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  if (!LOWER) {
    LOWER = new Uint16Array(65536);
    for (let x = 0; x < 65536; x++) {
      const t = x >= 0xd800 && x <= 0xdfff ? '' : String.fromCharCode(x).toLowerCase();
      LOWER[x] = t.length === 1 ? t.charCodeAt(0) : x;
    }
  }
  return LOWER[c];
}

function lowerString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(lowerCode(s.charCodeAt(i)));
  return out;
}
