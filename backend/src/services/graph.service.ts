// Graph views for the API and CLI: search, entity details, neighbourhoods, paths, case overviews,
// with analysts' merges applied on read and notes attached. Validates that referenced entities exist
// so clients get a 404 rather than an empty view.
import { allSimplePaths, commonNeighbours, shortestPath, type AdjacencyFn, type PathResult } from '../analysis/paths.ts';
import { AppError } from '../errors.ts';
import type { Annotation, EntityDetail, GraphView, LinkType, SearchHit } from '../model/index.ts';
import type { GraphStore, NeighbourQuery, SearchQuery } from '../storage/port.ts';
import { Resolution } from './resolution.ts';

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

  /** Applies merges to a view, fetching canonical entities it lacks. */
  private async present(view: GraphView): Promise<GraphView> {
    const res = await this.resolve();
    const { view: mapped, missing } = res.mapView(view);
    if (missing.length) mapped.entities.push(...(await this.store.subgraph(missing)).entities);
    return mapped;
  }

  async search(q: SearchQuery): Promise<SearchHit[]> {
    const res = await this.resolve();
    const hits = await this.store.search(q);
    if (res.empty) return hits;
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
    return out;
  }

  async entity(id: string): Promise<EntityDetail> {
    const res = await this.resolve();
    const canon = res.canon(id);
    const base = await this.store.getEntity(canon);
    if (!base) throw new AppError('not_found', `no entity with id ${id}`);
    const notes = (await this.store.listAnnotations({ entityId: canon })).filter((a) => a.kind === 'note' && a.entityId === canon);
    if (res.empty) return { ...base, notes };
    const merges = res.mergesInto(canon);
    const detail: EntityDetail = { ...base, notes, merged: [] };
    for (const m of merges) {
      const other = await this.store.getEntity(m.merged);
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

  async neighbours(id: string, q: NeighbourQuery): Promise<GraphView> {
    const res = await this.resolve();
    await this.entity(id);
    return this.present(await this.store.neighbours(res.expand([res.canon(id)]), q));
  }

  private async adjacencyFn(linkTypes: LinkType[] | undefined, perNode: number): Promise<AdjacencyFn> {
    const res = await this.resolve();
    return async (ids) => {
      const r = await this.store.adjacency(res.expand(ids), { linkTypes, perNode });
      return { edges: res.mapEdges(r.edges), hubs: r.hubs.map((h) => res.canon(h)) };
    };
  }

  /** Shortest path or all simple paths up to k hops, with the subgraph that draws them. */
  async paths(q: { from: string; to: string; k: number; mode: 'shortest' | 'all'; linkTypes?: LinkType[]; maxPaths: number }): Promise<PathResult & { view: GraphView; message: string }> {
    const res = await this.resolve();
    const [from, to] = [res.canon(q.from), res.canon(q.to)];
    await Promise.all([this.entity(from), this.entity(to)]);
    const adj = await this.adjacencyFn(q.linkTypes, q.mode === 'shortest' ? 2000 : 500);
    const r = q.mode === 'shortest' ? await shortestPath(adj, from, to, q.k) : await allSimplePaths(adj, from, to, q.k, { maxPaths: q.maxPaths });
    const ids = [...new Set([from, to, ...r.paths.flatMap((p) => p.entities)])];
    const linkIds = new Set(r.paths.flatMap((p) => p.links));
    const view = await this.present(await this.store.subgraph(res.expand(ids), q.linkTypes));
    view.links = view.links.filter((l) => linkIds.has(l.id));
    const cut = r.hubs.length ? ` ${r.hubs.length} hub(s) had more links than were followed.` : '';
    const message = r.paths.length === 0
      ? `No path within ${q.k} hop${q.k === 1 ? '' : 's'}${q.linkTypes?.length ? ` using ${q.linkTypes.join(', ')}` : ''}.${cut}`
      : `${r.paths.length}${r.truncated ? '+' : ''} path${r.paths.length === 1 ? '' : 's'}, shortest ${r.paths[0].links.length} hop${r.paths[0].links.length === 1 ? '' : 's'}.${cut}`;
    return { ...r, view, message };
  }

  async commonNeighbours(ids: string[], linkTypes?: LinkType[]): Promise<{ common: string[]; hubs: string[]; view: GraphView }> {
    const res = await this.resolve();
    const canon = [...new Set(ids.map((i) => res.canon(i)))];
    await Promise.all(canon.map((id) => this.entity(id)));
    const r = await commonNeighbours(await this.adjacencyFn(linkTypes, 5000), canon);
    const view = await this.present(await this.store.subgraph(res.expand([...canon, ...r.common]), linkTypes));
    return { ...r, view };
  }

  /** The given entities (merges applied) and the links among them: restores a saved view. */
  async subgraph(ids: string[], linkTypes?: LinkType[]): Promise<GraphView> {
    const res = await this.resolve();
    return this.present(await this.store.subgraph(res.expand([...new Set(ids.map((i) => res.canon(i)))]), linkTypes));
  }

  async caseOverview(name: string, limit: number): Promise<GraphView> {
    const cases = await this.store.listCases();
    if (!cases.some((c) => c.name === name)) throw new AppError('not_found', `no case named "${name}"`);
    return this.present(await this.store.caseOverview(name, limit));
  }

  async addNote(id: string, text: string, by: string): Promise<Annotation> {
    const e = await this.entity(id);
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
