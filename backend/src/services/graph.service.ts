// Graph views for the API and CLI: search, entity details, neighbourhoods, paths, case overviews,
// with analysts' merges applied on read and notes attached. Validates that referenced entities exist
// so clients get a 404 rather than an empty view.
//
// Per-case access: every read takes the user's `CaseAccess`. An admin ('all') takes exactly the paths it
// always took and costs nothing more. Anyone else sees only entities and links that a source of one of
// their cases asserts (GraphStore.visibleIn): the rest answers as if it did not exist (same 404s, same
// "no path"), is never walked through, and is counted nowhere.
import { allSimplePaths, commonNeighbours, shortestPath, type AdjacencyFn, type PathResult } from '../analysis/paths.ts';
import type { CaseAccess } from '../auth/access.ts';
import { AppError } from '../errors.ts';
import { makeLinkId, type Annotation, type CaseSummary, type CrossDeviceHit, type EntityDetail, type GraphView, type LinkType, type SearchHit } from '../model/index.ts';
import type { GraphStore, NeighbourQuery, SearchQuery } from '../storage/port.ts';
import { requireVisibleCase } from './case-access.ts';
import { Resolution } from './resolution.ts';

/** The cases of a user who does not see everything. */
type Granted = ReadonlySet<string>;

/** A restricted search asks the store for this many times the page (at most SEARCH_SCAN) so hidden hits do not empty it. */
const SEARCH_OVERFETCH = 5;
const SEARCH_SCAN = 500;
/** A restricted neighbourhood reads a ring from the store this many entities at a time, and at most RING_SCAN of them. */
const RING_CHUNK = 2000;
const RING_SCAN = 20_000;
/** A restricted entity's degree and first/last seen are computed over at most this many of its links. */
const STATS_LINKS = 10_000;
/** Cross-device hits for a restricted user: hidden devices lower counts, so more candidates are read. */
const HITS_OVERFETCH = 5;
const HITS_SCAN = 5000;

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const notFound = (id: string) => new AppError('not_found', `no entity with id ${id}`);

export class GraphService {
  private resolution?: Promise<Resolution>;

  constructor(
    private readonly store: GraphStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private resolve(): Promise<Resolution> {
    this.resolution ??= this.store.listAnnotations({}).then((a) => Resolution.fromAnnotations(a.filter((x) => x.kind !== 'note')));
    return this.resolution;
  }

  /** The merges a user sees: all of them for an admin; otherwise only those between two entities they may see. */
  private async resolveFor(access: CaseAccess): Promise<Resolution> {
    const res = await this.resolve();
    if (access === 'all' || res.empty) return res;
    const merges = res.merges();
    const seen = await this.visible(access, merges.flatMap((m) => [m.keep, m.merged]));
    return res.only((m) => seen.has(m.keep) && seen.has(m.merged));
  }

  /** Of `ids`, those a source of one of the user's cases asserts (entities or links). */
  private visible(cases: Granted, ids: Iterable<string>): Promise<Set<string>> {
    const list = [...new Set(ids)];
    if (!list.length || !cases.size) return Promise.resolve(new Set());
    return this.store.visibleIn(list, [...cases]);
  }

  /** A view without the links the user may not see (its entities are already visible ones). */
  private async withoutHiddenLinks(view: GraphView, access: CaseAccess): Promise<GraphView> {
    if (access === 'all') return view;
    const seen = await this.visible(access, view.links.map((l) => l.id));
    return { ...view, links: view.links.filter((l) => seen.has(l.id)) };
  }

  /** Applies merges to a view, fetching canonical entities it lacks. */
  private async present(view: GraphView, res: Resolution): Promise<GraphView> {
    const { view: mapped, missing } = res.mapView(view);
    if (missing.length) mapped.entities.push(...(await this.store.subgraph(missing)).entities);
    return mapped;
  }

  /**
   * The canonical id of an entity the user may see, or the 404 a missing entity gets. An admin's check is
   * the full detail read it always was.
   */
  private async requireEntity(id: string, res: Resolution, access: CaseAccess): Promise<string> {
    if (access === 'all') return (await this.entity(id, access)).id;
    const canon = res.canon(id);
    // visibleIn answers only for what exists: a missing and a hidden entity fail alike
    if (!(await this.visible(access, [canon])).has(canon)) throw notFound(id);
    return canon;
  }

  async search(q: SearchQuery, access: CaseAccess): Promise<SearchHit[]> {
    const res = await this.resolveFor(access);
    let hits: SearchHit[];
    if (access === 'all') hits = await this.store.search(q);
    else {
      // hidden hits are left out without a word; asking for more keeps them from emptying the page
      const found = await this.store.search({ ...q, limit: Math.max(q.limit, Math.min(q.limit * SEARCH_OVERFETCH, SEARCH_SCAN)) });
      const seen = await this.visible(access, found.map((h) => h.id));
      hits = found.filter((h) => seen.has(h.id));
    }
    if (res.empty) return access === 'all' ? hits : hits.slice(0, q.limit);
    const seen = new Set<string>();
    const out: SearchHit[] = [];
    const canonViews = new Map((await this.store.subgraph(hits.map((h) => res.canon(h.id)))).entities.map((e) => [e.id, e]));
    for (const h of hits) {
      const c = res.canon(h.id);
      if (seen.has(c)) continue;
      seen.add(c);
      const e = canonViews.get(c);
      out.push(c === h.id || !e ? h : { ...h, id: c, type: e.type, label: e.label, snippet: `merged: ${h.label}` });
    }
    return access === 'all' ? out : out.slice(0, q.limit);
  }

  async entity(id: string, access: CaseAccess): Promise<EntityDetail> {
    const res = await this.resolveFor(access);
    const canon = res.canon(id);
    const found = await this.store.getEntity(canon);
    if (!found) throw notFound(id);
    const base = access === 'all' ? found : await this.restrictDetail(found, access);
    if (!base) throw notFound(id);
    const notes = (await this.store.listAnnotations({ entityId: canon })).filter((a) => a.kind === 'note' && a.entityId === canon);
    if (res.empty) return { ...base, notes };
    const merges = res.mergesInto(canon);
    const detail: EntityDetail = { ...base, notes, merged: [] };
    for (const m of merges) {
      const stored = await this.store.getEntity(m.merged);
      const other = stored && access !== 'all' ? await this.restrictDetail(stored, access) : stored;
      if (!other) continue;
      detail.merged!.push({ id: other.id, label: other.label, type: other.type, annotationId: m.annotationId, by: m.by, at: m.at });
      detail.props = { ...other.props, ...detail.props };
      detail.sources.push(...other.sources);
      detail.cases = [...new Set([...detail.cases, ...other.cases])];
      detail.degree += other.degree;
      if (other.firstSeen && (!detail.firstSeen || other.firstSeen < detail.firstSeen)) detail.firstSeen = other.firstSeen;
      if (other.lastSeen && (!detail.lastSeen || other.lastSeen > detail.lastSeen)) detail.lastSeen = other.lastSeen;
      detail.notes!.push(...(await this.store.listAnnotations({ entityId: other.id })).filter((a) => a.kind === 'note' && a.entityId === other.id));
    }
    return detail;
  }

  /**
   * An entity's detail as a restricted user sees it, or null when no source of theirs asserts it: only the
   * sources and cases they are granted, and degree and first/last seen over the links they may see (at most
   * STATS_LINKS of them), so other cases' sources and links are not even counted.
   */
  private async restrictDetail(e: EntityDetail, cases: Granted): Promise<EntityDetail | null> {
    const sources = e.sources.filter((s) => cases.has(s.case));
    if (!sources.length) return null;
    const { firstSeen: _f, lastSeen: _l, ...rest } = e;
    const { edges } = await this.store.adjacency([e.id], { perNode: STATS_LINKS });
    const seen = await this.visible(cases, edges.map((l) => l.id));
    const links = new Map(edges.filter((l) => seen.has(l.id)).map((l) => [l.id, l]));
    let firstSeen: string | undefined;
    let lastSeen: string | undefined;
    // only links with events have a first/last time; without any (firstSeen absent) there is nothing to read
    if (e.firstSeen !== undefined && links.size) {
      const ends = [...new Set([...links.values()].map((l) => (l.from === e.id ? l.to : l.from)))];
      for (const l of (await this.store.subgraph([e.id, ...ends], [...new Set([...links.values()].map((x) => x.type))])).links) {
        if (!links.has(l.id)) continue;
        if (l.firstAt && (!firstSeen || l.firstAt < firstSeen)) firstSeen = l.firstAt;
        if (l.lastAt && (!lastSeen || l.lastAt > lastSeen)) lastSeen = l.lastAt;
      }
    }
    return {
      ...rest, sources, cases: e.cases.filter((c) => cases.has(c)), degree: links.size,
      ...(firstSeen ? { firstSeen } : {}), ...(lastSeen ? { lastSeen } : {}),
    };
  }

  async neighbours(id: string, q: NeighbourQuery, access: CaseAccess): Promise<GraphView> {
    const res = await this.resolveFor(access);
    const canon = await this.requireEntity(id, res, access);
    const seeds = res.expand([canon]);
    if (access === 'all') return this.present(await this.store.neighbours(seeds, q), res);
    return this.present(await this.visibleNeighbours(seeds, q, access), res);
  }

  /**
   * The store's breadth-first neighbourhood (cap, paging and totals alike), walked only along links and
   * through entities the user may see. Each ring is read from the store in id order, RING_CHUNK entities at a
   * time; a neighbour counts when it is visible and a visible link joins it to the ring before. The first
   * ring is counted exactly up to RING_SCAN read entities; past that the view is capped and `total` counts
   * the visible neighbours among those read (a lower bound, never a count of hidden ones).
   */
  private async visibleNeighbours(seeds: string[], q: NeighbourQuery, cases: Granted): Promise<GraphView> {
    const known = new Set(seeds);
    const offset = q.offset ?? 0;
    const first = await this.visibleRing(seeds, known, q, cases, Number.POSITIVE_INFINITY);
    first.ids.forEach((id) => known.add(id));
    const page = first.ids.slice(offset, offset + q.limit);
    const found = [...page];
    let capped = offset > 0 || first.ids.length > offset + q.limit || !first.complete;
    let total: number | undefined = first.ids.length;
    let frontier = page;
    for (let d = 1; d < q.depth && frontier.length > 0; d++) {
      const room = q.limit - found.length;
      if (room <= 0) {
        capped = true;
        total = undefined;
        break;
      }
      const next = await this.visibleRing(frontier, known, q, cases, room + 1);
      if (next.ids.length > room || !next.complete) {
        capped = true;
        total = undefined;
      } else if (total !== undefined) total += next.ids.length;
      const take = next.ids.slice(0, room);
      take.forEach((id) => known.add(id));
      found.push(...take);
      frontier = take;
    }
    const view = await this.withoutHiddenLinks(await this.store.subgraph([...seeds, ...found], q.linkTypes), cases);
    return { ...view, capped, ...(total !== undefined ? { total } : {}), cap: q.limit };
  }

  /** The visible, not yet known neighbours of `frontier` in id order: until `want` are found, the ring ends, or RING_SCAN were read. */
  private async visibleRing(frontier: string[], known: Set<string>, q: NeighbourQuery, cases: Granted, want: number): Promise<{ ids: string[]; complete: boolean }> {
    const front = new Set(frontier);
    const ids: string[] = [];
    for (let read = 0; read < RING_SCAN; read += RING_CHUNK) {
      const chunk = await this.store.neighbours(frontier, { depth: 1, entityTypes: q.entityTypes, linkTypes: q.linkTypes, limit: RING_CHUNK, offset: read });
      const ring = chunk.entities.map((e) => e.id).filter((id) => !front.has(id) && !known.has(id)).sort(byId);
      const via = chunk.links.filter((l) => front.has(l.from) !== front.has(l.to));
      const seen = await this.visible(cases, [...ring, ...via.map((l) => l.id)]);
      const reached = new Set(via.filter((l) => seen.has(l.id)).map((l) => (front.has(l.from) ? l.to : l.from)));
      ids.push(...ring.filter((id) => seen.has(id) && reached.has(id)));
      if (read + RING_CHUNK >= (chunk.total ?? 0)) return { ids, complete: true };
      if (ids.length >= want) return { ids, complete: false };
    }
    return { ids, complete: false };
  }

  private async adjacencyFn(linkTypes: LinkType[] | undefined, perNode: number, res: Resolution, access: CaseAccess): Promise<AdjacencyFn> {
    return async (ids) => {
      const r = await this.store.adjacency(res.expand(ids), { linkTypes, perNode });
      let edges = r.edges;
      if (access !== 'all') {
        // a path goes only along visible links, between visible entities
        const seen = await this.visible(access, edges.flatMap((e) => [e.id, e.from, e.to]));
        edges = edges.filter((e) => seen.has(e.id) && seen.has(e.from) && seen.has(e.to));
      }
      return { edges: res.mapEdges(edges), hubs: r.hubs.map((h) => res.canon(h)) };
    };
  }

  /** Shortest path or all simple paths up to k hops, with the subgraph that draws them. */
  async paths(q: { from: string; to: string; k: number; mode: 'shortest' | 'all'; linkTypes?: LinkType[]; maxPaths: number }, access: CaseAccess): Promise<PathResult & { view: GraphView; message: string }> {
    const res = await this.resolveFor(access);
    const [from, to] = await Promise.all([this.requireEntity(q.from, res, access), this.requireEntity(q.to, res, access)]);
    const adj = await this.adjacencyFn(q.linkTypes, q.mode === 'shortest' ? 2000 : 500, res, access);
    const r = q.mode === 'shortest' ? await shortestPath(adj, from, to, q.k) : await allSimplePaths(adj, from, to, q.k, { maxPaths: q.maxPaths });
    const ids = [...new Set([from, to, ...r.paths.flatMap((p) => p.entities)])];
    const linkIds = new Set(r.paths.flatMap((p) => p.links));
    const view = await this.present(await this.store.subgraph(res.expand(ids), q.linkTypes), res);
    view.links = view.links.filter((l) => linkIds.has(l.id));
    const cut = r.hubs.length ? ` ${r.hubs.length} hub(s) had more links than were followed.` : '';
    const message = r.paths.length === 0
      ? `No path within ${q.k} hop${q.k === 1 ? '' : 's'}${q.linkTypes?.length ? ` using ${q.linkTypes.join(', ')}` : ''}.${cut}`
      : `${r.paths.length}${r.truncated ? '+' : ''} path${r.paths.length === 1 ? '' : 's'}, shortest ${r.paths[0].links.length} hop${r.paths[0].links.length === 1 ? '' : 's'}.${cut}`;
    return { ...r, view, message };
  }

  async commonNeighbours(ids: string[], linkTypes: LinkType[] | undefined, access: CaseAccess): Promise<{ common: string[]; hubs: string[]; view: GraphView }> {
    const res = await this.resolveFor(access);
    const canon = [...new Set(await Promise.all(ids.map((id) => this.requireEntity(id, res, access))))];
    const r = await commonNeighbours(await this.adjacencyFn(linkTypes, 5000, res, access), canon);
    const view = await this.present(await this.withoutHiddenLinks(await this.store.subgraph(res.expand([...canon, ...r.common]), linkTypes), access), res);
    return { ...r, view };
  }

  /** The given entities (merges applied) and the links among them: restores a saved view. Ids the user may not see are left out, as missing ones are. */
  async subgraph(ids: string[], linkTypes: LinkType[] | undefined, access: CaseAccess): Promise<GraphView> {
    const res = await this.resolveFor(access);
    let wanted = res.expand([...new Set(ids.map((i) => res.canon(i)))]);
    if (access !== 'all') {
      const seen = await this.visible(access, wanted);
      wanted = wanted.filter((id) => seen.has(id));
    }
    return this.present(await this.withoutHiddenLinks(await this.store.subgraph(wanted, linkTypes), access), res);
  }

  /** The cases the user may see. */
  async cases(access: CaseAccess): Promise<CaseSummary[]> {
    const all = await this.store.listCases();
    return access === 'all' ? all : all.filter((c) => access.has(c.name));
  }

  async caseOverview(name: string, limit: number, access: CaseAccess): Promise<GraphView> {
    // an ungranted case answers as one that does not exist, before the store is asked anything
    requireVisibleCase(access, name);
    const res = await this.resolveFor(access);
    const cases = await this.store.listCases();
    if (!cases.some((c) => c.name === name)) throw new AppError('not_found', `no case named "${name}"`);
    // the case's entities are the user's by definition; links among them may come from other cases only
    return this.present(await this.withoutHiddenLinks(await this.store.caseOverview(name, limit), access), res);
  }

  /**
   * Numbers, accounts and e-mails in the data of two or more devices. A restricted user's hits count only
   * devices they may see, and a device only through links they may see (its contact, its own line, or a
   * call or message of its own line); a hit they may not see is left out. Other cases' devices lower a
   * hit's count, so more candidates are read (HITS_OVERFETCH) before the limit applies.
   */
  async crossDeviceHits(q: { case?: string; limit: number; minDevices?: number }, access: CaseAccess): Promise<CrossDeviceHit[]> {
    if (access === 'all') return this.store.crossDeviceHits(q);
    if (q.case !== undefined && !access.has(q.case)) return [];
    const minDevices = q.minDevices ?? 2;
    const found = await this.store.crossDeviceHits({ case: q.case, minDevices, limit: Math.max(q.limit, Math.min(q.limit * HITS_OVERFETCH, HITS_SCAN)) });
    if (!found.length) return [];
    const devices = [...new Set(found.flatMap((h) => h.devices.map((d) => d.id)))];
    // each device's own lines, for the calls and messages they made
    const own = (await this.store.adjacency(devices, { linkTypes: ['USES_PHONE'], perNode: 1000 })).edges.filter((e) => devices.includes(e.from));
    const lines = new Map<string, { line: string; via: string }[]>();
    for (const e of own) lines.set(e.from, [...(lines.get(e.from) ?? []), { line: e.to, via: e.id }]);
    // the links each way of seeing a hit stands for (ids derive from type and ends)
    const ways = (x: string, d: string, how: CrossDeviceHit['devices'][number]['as'][number]): string[][] => {
      if (how === 'contact') return [[makeLinkId('HAS_CONTACT', d, x)]];
      if (how === 'owner') return [[makeLinkId('USES_PHONE', d, x)]];
      const type = how === 'call' ? 'CALLED' : 'MESSAGED';
      return (lines.get(d) ?? []).flatMap(({ line, via }) => [[via, line, makeLinkId(type, line, x)], [via, line, makeLinkId(type, x, line)]]);
    };
    const asked = found.flatMap((h) => [h.id, ...h.devices.flatMap((d) => [d.id, ...d.as.flatMap((how) => ways(h.id, d.id, how).flat())])]);
    const seen = await this.visible(access, asked);
    const out: CrossDeviceHit[] = [];
    for (const h of found) {
      if (!seen.has(h.id)) continue;
      const kept = h.devices.flatMap((d) => {
        if (!seen.has(d.id)) return [];
        const as = d.as.filter((how) => ways(h.id, d.id, how).some((w) => w.every((id) => seen.has(id))));
        return as.length ? [{ ...d, as }] : [];
      });
      if (kept.length >= minDevices) out.push({ ...h, deviceCount: kept.length, devices: kept });
    }
    return out.sort((a, b) => b.deviceCount - a.deviceCount || byId(a.id, b.id)).slice(0, q.limit);
  }

  /**
   * The annotation log as the user may see it: notes about entities they see, merges between two of them
   * (and the unmerges of those), exports of their cases. Everything for an admin.
   */
  async annotations(q: { entityId?: string; kind?: Annotation['kind'] }, access: CaseAccess): Promise<Annotation[]> {
    const all = await this.store.listAnnotations(q);
    if (access === 'all') return all;
    const merges = new Map((all.some((a) => a.kind === 'unmerge') ? await this.store.listAnnotations({ kind: 'merge' }) : all.filter((a) => a.kind === 'merge')).map((m) => [m.id, m]));
    const about = (a: Annotation): string[] | null => {
      if (a.kind === 'note') return [a.entityId];
      if (a.kind === 'merge') return a.targetId ? [a.entityId, a.targetId] : null;
      if (a.kind === 'unmerge') {
        const m = a.targetId ? merges.get(a.targetId) : undefined;
        return m?.targetId ? [m.entityId, m.targetId] : null;
      }
      return null; // exports and unredactions name a case (or a view), not an entity
    };
    const seen = await this.visible(access, all.flatMap((a) => about(a) ?? []));
    return all.filter((a) => {
      const ids = about(a);
      if (ids) return ids.every((id) => seen.has(id));
      return (a.kind === 'export' || a.kind === 'unredaction') && access.has(a.entityId);
    });
  }

  async addNote(id: string, text: string, by: string): Promise<Annotation> {
    const e = await this.entity(id, 'all'); // whether the user may see it is the route's check
    return this.store.appendAnnotation({ kind: 'note', entityId: e.id, text, by, at: this.clock().toISOString() });
  }

  /** Records that `merge` is the same as `keep`; reads then show one entity. */
  async merge(keep: string, merge: string, by: string, reason?: string): Promise<Annotation> {
    const res = await this.resolve();
    const [k, m] = [res.canon(keep), res.canon(merge)];
    const [ke, me] = await Promise.all([this.store.getEntity(k), this.store.getEntity(m)]);
    if (!ke || !me) throw new AppError('not_found', `no entity with id ${!ke ? keep : merge}`);
    if (k === m) throw new AppError('conflict', `${ke.label} and ${me.label} are already one entity`);
    if (ke.type !== me.type) throw new AppError('bad_request', `cannot merge a ${me.type} into a ${ke.type}`);
    const a = await this.store.appendAnnotation({ kind: 'merge', entityId: k, targetId: m, text: reason, by, at: this.clock().toISOString() });
    this.resolution = undefined;
    return a;
  }

  async unmerge(mergeAnnotationId: string, by: string): Promise<Annotation> {
    const res = await this.resolve();
    const m = res.merges().find((x) => x.annotationId === mergeAnnotationId);
    if (!m) throw new AppError('not_found', `no active merge ${mergeAnnotationId}`);
    const a = await this.store.appendAnnotation({ kind: 'unmerge', entityId: m.keep, targetId: mergeAnnotationId, by, at: this.clock().toISOString() });
    this.resolution = undefined;
    return a;
  }
}
