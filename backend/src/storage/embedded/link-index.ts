// An in-memory, read-only copy of the embedded store's links table, for neighbourhood and subgraph reads.
//
// Why: a 2-hop expansion returns ~500 entities and the ~4,000 links among them; SQLite spends most of the
// time materialising those link rows (9 columns each), whatever the indexes. Here the links are kept as
// columns of typed arrays and packed text, with both directions of adjacency in CSR form (per entity, a
// range of positions), so a ring or the links among a set cost array walks.
//
// Entities are numbered densely in SQLite's `ORDER BY id` order (BINARY collation), so "sorted by id" is
// sorting integers and a ring comes out in exactly the order the SQL path gives. Links are numbered by
// source, then target. Entity rows themselves (label, props) stay in SQLite: a view reads a few hundred of
// them by row, which is cheap.
//
// The owner (EmbeddedGraphStore) rebuilds the index whenever the store's links generation changes: every
// import bumps it in its transaction.
import type Database from 'better-sqlite3';
import { ENTITY_TYPES, LINK_TYPES, type EntityType, type LinkType, type LinkView, type Props } from '../../model/index.ts';

/**
 * Links per chunk of packed text: every chunk is one string, well below V8's string length limit, and the
 * strings it is joined from die young (a build keeping 65k rows' strings alive until a join spent a
 * quarter of its time in the garbage collector).
 */
const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/** Per-link flags: which nullable columns are NULL, and whether the last time is the first (not stored twice). */
const COUNT_NULL = 1;
const DURATION_NULL = 2;
const FIRST_NULL = 4;
const LAST_NULL = 8;
/** most call links hold one event (70% in the synthetic network): one string in the view for both times */
const LAST_IS_FIRST = 16;

/**
 * The text of every link (id, first and last time, props) packed into one string per 2^CHUNK_BITS links,
 * a link's four values side by side, with the chunk-relative end of each value: half or less of the memory
 * of four strings per link, and no per-link object for the garbage collector to trace. A value read is a
 * slice of its chunk (V8 keeps slices of 13+ characters as views, no copy). Side by side because a view
 * reads thousands of links scattered over the store, and each then costs one trip to memory, not four.
 */
class LinkTexts {
  private readonly chunks: string[] = [];
  private pending: string[] = [];
  /** ends[4i + p]: where part p (0 id, 1 first time, 2 last time, 3 props) of link i ends in its chunk */
  private readonly ends: Int32Array;
  private length = 0;
  private offset = 0;
  private chars = 0;

  constructor(capacity: number) {
    this.ends = new Int32Array(capacity * 4);
  }

  push(id: string, first: string, last: string, props: string): void {
    if (this.length > 0 && (this.length & CHUNK_MASK) === 0) this.seal();
    const k = this.length++ * 4;
    this.ends[k] = this.offset += id.length;
    this.ends[k + 1] = this.offset += first.length;
    this.ends[k + 2] = this.offset += last.length;
    this.ends[k + 3] = this.offset += props.length;
    this.pending.push(id, first, last, props);
  }

  /** Called once after the last push. */
  finish(): void {
    this.seal();
  }

  private seal(): void {
    const chunk = this.pending.join('');
    this.chunks.push(chunk);
    this.chars += chunk.length;
    this.pending = [];
    this.offset = 0;
  }

  /** Part p of link i ('' when empty). */
  get(i: number, p: number): string {
    const k = i * 4 + p;
    const start = p === 0 && (i & CHUNK_MASK) === 0 ? 0 : this.ends[k - 1];
    return start === this.ends[k] ? '' : this.chunks[i >>> CHUNK_BITS].slice(start, this.ends[k]);
  }

  bytes(): number {
    return this.ends.byteLength + this.chars; // one byte per character for ASCII text
  }
}

const ID = 0;
const FIRST_AT = 1;
const LAST_AT = 2;
const PROPS = 3;

/** Position of each name in a list that starts with the ontology's enum order; unexpected names are appended. */
class Names {
  readonly list: string[];
  private readonly index = new Map<string, number>();
  constructor(known: readonly string[]) {
    this.list = [...known];
    this.list.forEach((n, i) => this.index.set(n, i));
  }
  code(name: string): number {
    let c = this.index.get(name);
    if (c === undefined) {
      if (this.list.length >= 255) throw new Error(`more than 255 distinct types in the store (${name})`);
      this.index.set(name, (c = this.list.length));
      this.list.push(name);
    }
    return c;
  }
  /** A 0/1 mask over the codes, or null for "no filter" (absent or empty list, as the SQL path reads it). */
  mask(names: readonly string[] | undefined): Uint8Array | null {
    if (!names?.length) return null;
    const m = new Uint8Array(256);
    for (const n of names) {
      const c = this.index.get(n);
      if (c !== undefined) m[c] = 1;
    }
    return m;
  }
}

export interface ExpandQuery {
  depth: number;
  limit: number;
  offset?: number;
  entityTypes?: readonly EntityType[];
  linkTypes?: readonly LinkType[];
}

export interface Expansion {
  /** new entities (beyond the seeds), ring by ring */
  found: string[];
  capped: boolean;
  total?: number;
}

export interface LinkIndexStats {
  entities: number;
  links: number;
  /** bytes held by the index's typed arrays and packed strings (entity ids and the Map from id to number not included) */
  bytes: number;
  /** wall time from the start of the build to the index (with a sliced build, the pauses between slices too) */
  buildMs: number;
}

/** The meta row that every import bumps (in its transaction): an index built from an older value is stale. */
export const LINKS_GENERATION = 'links_generation';

/** The links generation `db` sees now (0 for a store no import has written since this row exists). */
export function readLinksGeneration(db: Database.Database): number {
  return Number(db.prepare(`SELECT value FROM meta WHERE key = '${LINKS_GENERATION}'`).pluck().get() ?? 0);
}

/** Rows read between two pauses of a build that runs in slices (~25 ms of work on the machine we measured). */
const SLICE_ROWS = 4096;

/** What a build produced: the index, or null when the store has more links than the bound. */
export interface BuiltLinks {
  generation: number;
  links: number;
  index: LinkIndex | null;
}

/** The columns a build fills, handed to the LinkIndex. */
interface Columns {
  ids: string[];
  numberOf: Map<string, number>;
  rowid: Float64Array;
  entityType: Uint8Array;
  entityTypes: Names;
  linkTypes: Names;
  m: number;
  src: Int32Array;
  dst: Int32Array;
  type: Uint8Array;
  flags: Uint8Array;
  count: Float64Array;
  duration: Float64Array;
  texts: LinkTexts;
  /** out-link CSR offsets (the links are numbered by source, then target) */
  outStart: Int32Array;
}

/**
 * Builds the index of the links `db` sees, by one scan of the entities (id, type, row) and one of the links.
 * The caller runs it inside one read transaction on `db`, so the generation, the count and both scans see
 * the same commit. It yields every SLICE_ROWS rows: a caller building in the background lets other work run
 * between slices (on a connection of its own, the scan staying open meanwhile); one that needs the index
 * now runs it to the end.
 */
export function* buildLinkIndex(db: Database.Database, maxLinks: number): Generator<void, BuiltLinks, void> {
  const t0 = performance.now();
  const generation = readLinksGeneration(db);
  const links = db.prepare('SELECT count(*) FROM links').pluck().get() as number;
  if (links > maxLinks) return { generation, links, index: null };
  const c: Columns = {
    ids: [], numberOf: new Map(), rowid: new Float64Array(0), entityType: new Uint8Array(0), entityTypes: new Names(ENTITY_TYPES), linkTypes: new Names(LINK_TYPES), m: 0,
    src: new Int32Array(links), dst: new Int32Array(links), type: new Uint8Array(links), flags: new Uint8Array(links),
    count: new Float64Array(links), duration: new Float64Array(links),
    texts: new LinkTexts(links), outStart: new Int32Array(0),
  };
  const types: number[] = [];
  const rowids: number[] = [];
  for (const [id, type, rid] of db.prepare('SELECT id, type, rid FROM entities ORDER BY id').raw().iterate() as IterableIterator<[string, string, number]>) {
    c.numberOf.set(id, c.ids.length);
    c.ids.push(id);
    types.push(c.entityTypes.code(type));
    rowids.push(rid);
    if (c.ids.length % SLICE_ROWS === 0) yield;
  }
  c.entityType = Uint8Array.from(types);
  c.rowid = Float64Array.from(rowids);
  let m = 0;
  let read = 0;
  // the rows come by source: most sources are the one before (a string comparison, no map lookup)
  let lastSrc = '';
  let s: number | undefined;
  // in the order of the links_src index (by source, then target), which numbers the links so that an
  // entity's out-links are consecutive in every column: a view then reads memory in runs, not one scattered
  // place per link and column (a second more of scanning for 750k links; a view ~1 ms less)
  for (const row of db.prepare('SELECT id, type, src, dst, props, count, duration, first_at, last_at FROM links ORDER BY src, dst').raw().iterate() as IterableIterator<
    [string, string, string, string, string, number | null, number | null, string | null, string | null]
  >) {
    if (++read % SLICE_ROWS === 0) yield;
    if (row[2] !== lastSrc) {
      lastSrc = row[2];
      s = c.numberOf.get(lastSrc);
    }
    const d = c.numberOf.get(row[3]);
    // a link to a missing entity is not reachable through the SQL path's join either
    if (s === undefined || d === undefined) continue;
    c.src[m] = s;
    c.dst[m] = d;
    c.type[m] = c.linkTypes.code(row[1]);
    let f = 0;
    if (row[5] === null) f |= COUNT_NULL;
    else c.count[m] = row[5];
    if (row[6] === null) f |= DURATION_NULL;
    else c.duration[m] = row[6];
    if (row[7] === null) f |= FIRST_NULL;
    if (row[8] === null) f |= LAST_NULL;
    else if (row[8] === row[7]) f |= LAST_IS_FIRST;
    // '{}' (nearly every link) is kept as '' and read back as a fresh {}
    c.texts.push(row[0], row[7] ?? '', (f & LAST_IS_FIRST) !== 0 ? '' : row[8] ?? '', row[4] === '{}' ? '' : row[4]);
    c.flags[m] = f;
    m++;
  }
  c.m = m;
  c.texts.finish();
  c.outStart = new Int32Array(c.ids.length + 1);
  for (let k = 0; k < m; k++) c.outStart[c.src[k] + 1]++;
  for (let e = 0; e < c.ids.length; e++) c.outStart[e + 1] += c.outStart[e];
  return { generation, links: m, index: new LinkIndex(c, performance.now() - t0) };
}

export class LinkIndex {
  /** entity ids by number, in SQLite's ORDER BY id order */
  private readonly ids: string[];
  private readonly numberOf: Map<string, number>;
  /** each entity's row (entities.rid): its props are read by row, a step less than by id */
  private readonly rowid: Float64Array;
  private readonly entityType: Uint8Array;
  private readonly entityTypes: Names;
  private readonly linkTypes: Names;

  private readonly src: Int32Array;
  private readonly dst: Int32Array;
  private readonly type: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly count: Float64Array;
  private readonly duration: Float64Array;
  private readonly texts: LinkTexts;

  /**
   * CSR: links are numbered by source, then target, so the links leaving entity e are the numbers
   * outStart[e] .. outStart[e + 1] - 1, their targets (in order) dst at those positions
   */
  private readonly outStart: Int32Array;
  /**
   * the links reaching entity e are inLinks[inStart[e] .. inStart[e + 1]), ordered by source; inEnds holds
   * those sources at the same positions, so walking or searching them reads memory in order
   */
  private readonly inStart: Int32Array;
  private readonly inLinks: Int32Array;
  private readonly inEnds: Int32Array;

  /** scratch marks for set membership: mark[e] === epoch means "in the set of the current operation" */
  private readonly mark: Int32Array;
  private epoch = 0;
  readonly stats: LinkIndexStats;

  /** `scanMs`: the time the build spent reading (pauses of a sliced build included). */
  constructor(c: Columns, scanMs: number) {
    const t0 = performance.now();
    ({ ids: this.ids, numberOf: this.numberOf, rowid: this.rowid, entityType: this.entityType, entityTypes: this.entityTypes, linkTypes: this.linkTypes } = c);
    ({ src: this.src, dst: this.dst, type: this.type, flags: this.flags, count: this.count, duration: this.duration } = c);
    this.texts = c.texts;
    const n = this.ids.length;
    const m = c.m;
    this.outStart = c.outStart;
    // in-links grouped by target and ordered by source (the order of the links_dst index): a stable counting
    // sort by target of links already ordered by source
    this.inStart = new Int32Array(n + 1);
    this.inLinks = groupBy(this.dst, this.inStart, m);
    this.inEnds = this.inLinks.map((l) => this.src[l]);
    this.mark = new Int32Array(n);
    const arrays = [
      this.rowid, this.entityType, this.src, this.dst, this.type, this.flags, this.count, this.duration,
      this.outStart, this.inStart, this.inLinks, this.inEnds, this.mark,
    ];
    this.stats = {
      entities: n,
      links: m,
      bytes: arrays.reduce((a, x) => a + x.byteLength, 0) + this.texts.bytes(),
      buildMs: scanMs + performance.now() - t0,
    };
  }

  /** The rows (entities.rid) of the entities among `ids`, each once, in id order; ids not in the store are left out. */
  rowsOf(ids: readonly string[]): number[] {
    const numbers: number[] = [];
    for (const id of ids) {
      const e = this.numberOf.get(id);
      if (e !== undefined) numbers.push(e);
    }
    const sorted = Int32Array.from(numbers).sort();
    const rows: number[] = [];
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) rows.push(this.rowid[sorted[i]]);
    return rows;
  }

  private nextEpoch(): number {
    if (this.epoch === 0x7fffffff) {
      this.mark.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  /**
   * The breadth-first neighbourhood of `seeds`, with the SQL path's semantics: ring 1 complete, in id order,
   * paged by offset/limit and counted; every further ring only as many as still fit (one more to detect the
   * cut), read as SQLite reads them: the frontier in id order, first the targets of its out-links, then the
   * sources of its in-links. Entity ids not in the store have no neighbours.
   */
  expand(seeds: readonly string[], q: ExpandQuery): Expansion {
    const epoch = this.nextEpoch();
    const mark = this.mark;
    const linkMask = this.linkTypes.mask(q.linkTypes);
    const typeMask = this.entityTypes.mask(q.entityTypes);
    const seedNumbers: number[] = [];
    for (const id of seeds) {
      const e = this.numberOf.get(id);
      if (e !== undefined && mark[e] !== epoch) {
        mark[e] = epoch;
        seedNumbers.push(e);
      }
    }
    const ring: number[] = [];
    // out-links: links null (position k is link k), ends the targets; in-links: their numbers and sources
    const visit = (starts: Int32Array, links: Int32Array | null, ends: Int32Array, e: number, want: number): boolean => {
      for (let k = starts[e], end = starts[e + 1]; k < end; k++) {
        if (linkMask !== null && linkMask[this.type[links === null ? k : links[k]]] === 0) continue;
        const nb = ends[k];
        if (mark[nb] === epoch || (typeMask !== null && typeMask[this.entityType[nb]] === 0)) continue;
        mark[nb] = epoch;
        ring.push(nb);
        if (ring.length >= want) return true;
      }
      return false;
    };
    for (const e of seedNumbers) {
      visit(this.outStart, null, this.dst, e, Infinity);
      visit(this.inStart, this.inLinks, this.inEnds, e, Infinity);
    }
    const first = Int32Array.from(ring).sort();
    const offset = q.offset ?? 0;
    const page = first.subarray(offset, offset + q.limit);
    const found: number[] = Array.from(page);
    let capped = offset > 0 || first.length > offset + q.limit;
    let total: number | undefined = first.length;
    let frontier: Int32Array = page;
    for (let d = 1; d < q.depth && frontier.length > 0; d++) {
      const room = q.limit - found.length;
      if (room <= 0) {
        capped = true;
        total = undefined;
        break;
      }
      ring.length = 0;
      const sorted = Int32Array.from(frontier).sort();
      let full = false;
      for (let i = 0; i < sorted.length && !full; i++) full = visit(this.outStart, null, this.dst, sorted[i], room + 1);
      for (let i = 0; i < sorted.length && !full; i++) full = visit(this.inStart, this.inLinks, this.inEnds, sorted[i], room + 1);
      if (ring.length > room) {
        capped = true;
        total = undefined; // more exist; counting them all is what the cap avoids
        ring.length = room;
      } else if (total !== undefined) total += ring.length;
      for (const e of ring) found.push(e);
      frontier = Int32Array.from(ring);
    }
    return { found: found.map((e) => this.ids[e]), capped, ...(total !== undefined ? { total } : {}) };
  }

  /**
   * Every link among the entities `ids` (optionally only of some types), each once. A link u→v is found
   * from u's out-links, or, when u is "heavy" (a call centre has a huge out-degree and a modest in-degree),
   * from v's in-links; a list much longer than the set is searched (binary search, it is sorted) instead
   * of walked. Which members count as heavy is chosen per call to read the fewest entries.
   */
  linksAmong(ids: readonly string[], linkTypes?: readonly LinkType[]): LinkView[] {
    const light = this.nextEpoch();
    const heavy = this.nextEpoch();
    const mark = this.mark;
    const linkMask = this.linkTypes.mask(linkTypes);
    const found: number[] = [];
    for (const id of ids) {
      const e = this.numberOf.get(id);
      if (e !== undefined && mark[e] !== light) {
        mark[e] = light;
        found.push(e);
      }
    }
    // in id order, as SQLite walks the set: the links come out ordered by source, then target
    const members = Int32Array.from(found).sort();
    const { outStart, dst, inStart, inLinks, inEnds, type } = this;
    const threshold = this.heavyOut(members);
    const out: LinkView[] = [];
    const heavyOnes: number[] = [];
    for (const u of members) {
      const start = outStart[u];
      const end = outStart[u + 1];
      if (end - start > threshold) {
        mark[u] = heavy;
        heavyOnes.push(u);
        continue;
      }
      if (end - start <= members.length * searchCost(end - start)) {
        for (let k = start; k < end; k++) {
          const m = mark[dst[k]];
          if ((m === light || m === heavy) && (linkMask === null || linkMask[type[k]] === 1)) out.push(this.view(k));
        }
      } else {
        for (const v of members) {
          for (let k = lowerBound(dst, start, end, v); k < end && dst[k] === v; k++) {
            if (linkMask === null || linkMask[type[k]] === 1) out.push(this.view(k));
          }
        }
      }
    }
    if (heavyOnes.length === 0) return out;
    for (const v of members) {
      const start = inStart[v];
      const end = inStart[v + 1];
      if (end - start <= heavyOnes.length * searchCost(end - start)) {
        for (let k = start; k < end; k++) {
          if (mark[inEnds[k]] === heavy && (linkMask === null || linkMask[type[inLinks[k]]] === 1)) out.push(this.view(inLinks[k]));
        }
      } else {
        for (const u of heavyOnes) {
          for (let k = lowerBound(inEnds, start, end, u); k < end && inEnds[k] === u; k++) {
            if (linkMask === null || linkMask[type[inLinks[k]]] === 1) out.push(this.view(inLinks[k]));
          }
        }
      }
    }
    return out;
  }

  /**
   * The out-degree above which a member's out-links are not walked (its links into the set are found from
   * the other ends), chosen to minimise the entries read: the light members' out-lists plus, once any
   * member is heavy, every member's in-list (or a search in it per heavy member).
   */
  private heavyOut(members: Int32Array): number {
    const { outStart, inStart } = this;
    const outDegrees = Array.from(members, (u) => outStart[u + 1] - outStart[u]).sort((a, b) => b - a);
    const inCost = (heavyCount: number) => {
      let c = 0;
      for (const v of members) c += Math.min(inStart[v + 1] - inStart[v], heavyCount * searchCost(inStart[v + 1] - inStart[v]));
      return c;
    };
    let lightSum = outDegrees.reduce((a, d) => a + Math.min(d, members.length * searchCost(d)), 0);
    let best = { threshold: Infinity, cost: lightSum };
    // try making the h heaviest members heavy, for h at powers of two (each try costs a pass over the members)
    for (let h = 1, i = 0; h <= outDegrees.length; h *= 2) {
      for (; i < h; i++) lightSum -= Math.min(outDegrees[i], members.length * searchCost(outDegrees[i]));
      const threshold = h < outDegrees.length ? outDegrees[h] : -1;
      if (h < outDegrees.length && outDegrees[h] === outDegrees[h - 1]) continue; // not a clean cut
      const cost = lightSum + inCost(h);
      if (cost < best.cost) best = { threshold, cost };
    }
    return best.threshold;
  }

  /** The link as the SQL path's row mapping builds it (same keys, same order, props parsed afresh). */
  private view(l: number): LinkView {
    const f = this.flags[l];
    const id = this.texts.get(l, ID);
    const type = this.linkTypes.list[this.type[l]] as LinkType;
    const from = this.ids[this.src[l]];
    const to = this.ids[this.dst[l]];
    const text = this.texts.get(l, PROPS);
    const props = text === '' ? {} : (JSON.parse(text) as Props);
    // one literal per shape: objects built in one go cost less than keys added one by one
    if ((f & COUNT_NULL) !== 0) return { id, type, from, to, props };
    const firstAt = (f & FIRST_NULL) === 0 ? this.texts.get(l, FIRST_AT) : undefined;
    return {
      id, type, from, to, props,
      count: this.count[l],
      durationS: (f & DURATION_NULL) === 0 ? this.duration[l] : 0,
      firstAt,
      lastAt: (f & LAST_NULL) !== 0 ? undefined : (f & LAST_IS_FIRST) !== 0 ? firstAt : this.texts.get(l, LAST_AT),
    };
  }
}

/** Entries read by a binary search in a sorted list of this length (a few, for the cache misses). */
function searchCost(length: number): number {
  return 2 * Math.ceil(Math.log2(length + 1));
}

/** The first position in sorted[start, end) holding a value ≥ v. */
function lowerBound(sorted: Int32Array, start: number, end: number, v: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Stable counting sort of the link numbers 0..m-1 by `key` (an entity number per link): fills `starts`
 * (entity → first position) and returns the links grouped by key, in link order within a group.
 */
function groupBy(key: Int32Array, starts: Int32Array, m: number): Int32Array {
  const n = starts.length - 1;
  for (let i = 0; i < m; i++) starts[key[i] + 1]++;
  for (let e = 0; e < n; e++) starts[e + 1] += starts[e];
  const next = starts.slice(0, n);
  const out = new Int32Array(m);
  for (let l = 0; l < m; l++) out[next[key[l]]++] = l;
  return out;
}
