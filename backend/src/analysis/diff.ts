// What changed between two periods: links and entities that appeared, disappeared, rose or fell, numbers
// that took over the contacts of a number that went silent, and the same facts as plain sentences.
import { LINK_SPECS, type EntityType, type LinkType } from '../model/ontology.ts';
import type { DiffResult, DiffStatus, LinkActivity } from './analysis.schema.ts';

export interface DiffOptions {
  /** a count changed strongly when it grew or shrank by at least this factor… */
  factor: number;
  /** …and by at least this many events */
  minDelta: number;
  /** type and label of the entities at the links' ends (ids missing here fall back to the id itself) */
  labels: Map<string, { type: EntityType; label: string }>;
}

/** Output bounds: the most significant items are kept and `capped` says that some were dropped. */
export const DIFF_LIMITS = { links: 2000, entities: 2000, takeovers: 500, lines: 500 } as const;

/** a takeover needs at least this many shared counterparts, and this share of the gone entity's counterparts */
const MIN_SHARED = 2;
const MIN_OVERLAP = 0.5;
/** a counterpart that more new entities than this talk to in B is a hub: not used to find candidates */
const HUB_LIMIT = 100;
/** set operations allowed for the takeover search; beyond it the result says `capped` */
const TAKEOVER_WORK = 20_000_000;
const LABEL_MAX = 80;

interface Totals {
  count: number;
  durationS: number;
}

interface Agg {
  a: Totals;
  b: Totals;
}

interface LinkAgg extends Agg {
  id: string;
  type: LinkType;
  from: string;
  to: string;
}

interface EntityAgg extends Agg {
  id: string;
  /** link types seen, to name the unit ("calls", "messages" or "events") */
  types: Set<LinkType>;
}

const zero = (): Totals => ({ count: 0, durationS: 0 });

function status(a: number, b: number, factor: number, minDelta: number): DiffStatus | null {
  if (a <= 0 && b <= 0) return null;
  if (a <= 0) return 'appeared';
  if (b <= 0) return 'disappeared';
  if (Math.abs(b - a) < minDelta) return null;
  if (b >= a * factor) return 'rose';
  if (a >= b * factor) return 'fell';
  return null;
}

function unit(types: Iterable<LinkType>, n: number): string {
  const set = new Set(types);
  const word = set.size === 1 && set.has('CALLED') ? 'call' : set.size === 1 && set.has('MESSAGED') ? 'message' : 'event';
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function plural(types: Iterable<LinkType>): string {
  return unit(types, 2).slice(2);
}

/** Sentence for a status change, e.g. "X stopped: 42 calls in A, none in B". */
function sentence(name: string, st: DiffStatus, agg: Agg, types: Iterable<LinkType>): string {
  if (st === 'disappeared') return `${name} stopped: ${unit(types, agg.a.count)} in A, none in B`;
  if (st === 'appeared') return `${name} started: none in A, ${unit(types, agg.b.count)} in B`;
  return `${name} ${st} from ${agg.a.count} to ${agg.b.count} ${plural(types)}`;
}

function add(t: Totals, l: LinkActivity): void {
  t.count += Number.isFinite(l.count) && l.count > 0 ? l.count : 0;
  t.durationS += Number.isFinite(l.durationS) && l.durationS > 0 ? l.durationS : 0;
}

interface Changed {
  id: string;
  status: DiffStatus;
  /** |B − A|, the size of the change */
  delta: number;
}

/** Bigger change first; among equals appeared/disappeared before rose/fell; then by id so the order is stable. */
function bySignificance(x: Changed, y: Changed): number {
  if (x.delta !== y.delta) return y.delta - x.delta;
  const rx = x.status === 'appeared' || x.status === 'disappeared' ? 0 : 1;
  const ry = y.status === 'appeared' || y.status === 'disappeared' ? 0 : 1;
  return rx - ry || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

/**
 * Compares the link activity of period A with that of period B. A link only in B appeared, only in A
 * disappeared; in both, it rose or fell when the count changed by `factor` and by `minDelta` events.
 * Entities are judged the same way on the summed activity of their links. A takeover pairs an entity
 * active in A and silent in B with one silent in A and active in B (of the same type when both are known)
 * that talks in B to at least half — and at least two — of the counterparts the first had in A.
 */
export function diffPeriods(a: LinkActivity[], b: LinkActivity[], opts: DiffOptions): DiffResult {
  const { factor, minDelta, labels } = opts;
  const links = new Map<string, LinkAgg>();
  const entities = new Map<string, EntityAgg>();
  const counterparts = { a: new Map<string, Set<string>>(), b: new Map<string, Set<string>>() };
  const entity = (id: string): EntityAgg => {
    let e = entities.get(id);
    if (!e) entities.set(id, (e = { id, a: zero(), b: zero(), types: new Set() }));
    return e;
  };
  const link = (l: LinkActivity): LinkAgg => {
    let x = links.get(l.id);
    if (!x) links.set(l.id, (x = { id: l.id, type: l.type, from: l.from, to: l.to, a: zero(), b: zero() }));
    return x;
  };
  const meet = (m: Map<string, Set<string>>, x: string, y: string) => {
    const s = m.get(x);
    if (s) s.add(y);
    else m.set(x, new Set([y]));
  };
  for (const [period, list] of [['a', a], ['b', b]] as const) {
    for (const l of list) {
      if (!(l.count > 0)) continue;
      add(link(l)[period], l);
      for (const id of l.from === l.to ? [l.from] : [l.from, l.to]) {
        const e = entity(id);
        add(e[period], l);
        e.types.add(l.type);
      }
      if (l.from !== l.to) {
        meet(counterparts[period], l.from, l.to);
        meet(counterparts[period], l.to, l.from);
      }
    }
  }

  const name = (id: string) => {
    const label = labels.get(id)?.label || id;
    return label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label;
  };
  // the labels map normally covers every end; when it does not, take the first type the ontology allows there
  const typeOf = (id: string, via?: LinkAgg): EntityType => {
    const known = labels.get(id)?.type;
    if (known) return known;
    const spec = LINK_SPECS[via?.type ?? 'CALLED'];
    return via && via.to === id ? spec.to[0] : spec.from[0];
  };
  const firstLink = new Map<string, LinkAgg>();
  for (const l of links.values()) {
    if (!firstLink.has(l.from)) firstLink.set(l.from, l);
    if (!firstLink.has(l.to)) firstLink.set(l.to, l);
  }

  const changedLinks: (LinkAgg & Changed)[] = [];
  for (const l of links.values()) {
    const st = status(l.a.count, l.b.count, factor, minDelta);
    if (st) changedLinks.push({ ...l, status: st, delta: Math.abs(l.b.count - l.a.count) });
  }
  changedLinks.sort(bySignificance);
  const changedEntities: (EntityAgg & Changed)[] = [];
  for (const e of entities.values()) {
    const st = status(e.a.count, e.b.count, factor, minDelta);
    if (st) changedEntities.push({ ...e, status: st, delta: Math.abs(e.b.count - e.a.count) });
  }
  changedEntities.sort(bySignificance);

  // takeovers: index the B counterparts of every entity new in B, then count shared counterparts per pair
  const gone = changedEntities.filter((e) => e.status === 'disappeared');
  const fresh = new Set(changedEntities.filter((e) => e.status === 'appeared').map((e) => e.id));
  const newByCounterpart = new Map<string, string[]>();
  for (const id of fresh) {
    for (const c of counterparts.b.get(id) ?? []) {
      const list = newByCounterpart.get(c);
      if (list) list.push(id);
      else newByCounterpart.set(c, [id]);
    }
  }
  const takeovers: (DiffResult['takeovers'][number] & { total: number })[] = [];
  let work = 0;
  let outOfWork = false;
  for (let gi = 0; gi < gone.length; gi++) {
    const g = gone[gi];
    const before = counterparts.a.get(g.id);
    if (!before || before.size < MIN_SHARED) continue;
    // candidates come through the counterparts that only a few new entities talk to; a hub that every new
    // number calls says nothing about succession and would make this quadratic. Hubs still count below.
    const via = new Map<string, number>();
    let hubs = 0;
    for (const c of before) {
      const list = newByCounterpart.get(c);
      if (!list) continue;
      if (list.length > HUB_LIMIT) {
        hubs++;
        continue;
      }
      work += list.length;
      for (const n of list) via.set(n, (via.get(n) ?? 0) + 1);
    }
    const need = Math.max(MIN_SHARED, Math.ceil(MIN_OVERLAP * before.size));
    const gType = labels.get(g.id)?.type;
    let best: { successor: string; shared: string[] } | null = null;
    for (const [n, k] of via) {
      if (k + hubs < need) continue; // cannot reach the thresholds even if it shares every hub
      const nType = labels.get(n)?.type;
      if (gType && nType && gType !== nType) continue; // a phone is taken over by a phone, not by its owner
      const after = counterparts.b.get(n)!;
      const [small, large] = after.size < before.size ? [after, before] : [before, after];
      work += small.size;
      const cs = [...small].filter((c) => large.has(c));
      const nB = entities.get(n)!.b.count;
      const bestB = best ? entities.get(best.successor)!.b.count : 0;
      if (!best || cs.length > best.shared.length || (cs.length === best.shared.length && (nB > bestB || (nB === bestB && n < best.successor)))) {
        best = { successor: n, shared: cs };
      }
    }
    if (best && best.shared.length >= need) {
      takeovers.push({ gone: g.id, successor: best.successor, shared: best.shared.sort(), overlap: best.shared.length / before.size, total: before.size });
    }
    if (work > TAKEOVER_WORK) {
      outOfWork = gi < gone.length - 1; // the loudest gone entities were examined first
      break;
    }
  }
  takeovers.sort((x, y) => y.overlap - x.overlap || y.shared.length - x.shared.length || (x.gone < y.gone ? -1 : 1));

  // sentences: takeovers first (the finding investigators look for), then every change by its size
  const lines: string[] = takeovers.map((t) => `${name(t.successor)} took over ${t.shared.length} of ${t.total} contacts of ${name(t.gone)}`);
  // entities and links are each sorted already: merge them (an entity first on equal change)
  const changes: string[] = [];
  for (let i = 0, j = 0; i < changedEntities.length || j < changedLinks.length; ) {
    const e = changedEntities[i];
    const l = changedLinks[j];
    if (e && (!l || e.delta >= l.delta)) {
      changes.push(sentence(name(e.id), e.status, e, e.types));
      i++;
    } else {
      changes.push(sentence(`${name(l.from)} ↔ ${name(l.to)}`, l.status, l, [l.type]));
      j++;
    }
    if (takeovers.length + changes.length >= DIFF_LIMITS.lines + 1) break;
  }
  for (const c of changes) {
    if (lines.length >= DIFF_LIMITS.lines) break;
    lines.push(c);
  }

  const capped =
    outOfWork ||
    changedLinks.length > DIFF_LIMITS.links ||
    changedEntities.length > DIFF_LIMITS.entities ||
    takeovers.length > DIFF_LIMITS.takeovers ||
    takeovers.length + changes.length > DIFF_LIMITS.lines;
  const period = (t: Totals) => ({ count: t.count, durationS: t.durationS });
  return {
    entities: changedEntities.slice(0, DIFF_LIMITS.entities).map((e) => ({
      id: e.id, type: typeOf(e.id, firstLink.get(e.id)), label: labels.get(e.id)?.label || e.id, status: e.status, a: period(e.a), b: period(e.b),
    })),
    links: changedLinks.slice(0, DIFF_LIMITS.links).map((l) => ({ id: l.id, type: l.type, from: l.from, to: l.to, status: l.status, a: period(l.a), b: period(l.b) })),
    takeovers: takeovers.slice(0, DIFF_LIMITS.takeovers).map(({ gone: g, successor, shared, overlap }) => ({ gone: g, successor, shared, overlap })),
    lines: lines.slice(0, DIFF_LIMITS.lines),
    ...(capped ? { capped: true } : {}),
  };
}
