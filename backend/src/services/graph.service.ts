// Graph views for the API and CLI: search, entity details, neighbourhoods, case overviews. Validates
// that referenced entities exist so clients get a 404 rather than an empty view.
import { allSimplePaths, commonNeighbours, shortestPath, type AdjacencyFn, type PathResult } from '../analysis/paths.ts';
import { AppError } from '../errors.ts';
import type { EntityDetail, GraphView, LinkType, SearchHit } from '../model/index.ts';
import type { GraphStore, NeighbourQuery, SearchQuery } from '../storage/port.ts';

export class GraphService {
  constructor(private readonly store: GraphStore) {}

  search(q: SearchQuery): Promise<SearchHit[]> {
    return this.store.search(q);
  }

  async entity(id: string): Promise<EntityDetail> {
    const e = await this.store.getEntity(id);
    if (!e) throw new AppError('not_found', `no entity with id ${id}`);
    return e;
  }

  async neighbours(id: string, q: NeighbourQuery): Promise<GraphView> {
    await this.entity(id);
    return this.store.neighbours([id], q);
  }

  private adjacencyFn(linkTypes: LinkType[] | undefined, perNode: number): AdjacencyFn {
    return (ids) => this.store.adjacency(ids, { linkTypes, perNode });
  }

  /** Shortest path or all simple paths up to k hops, with the subgraph that draws them. */
  async paths(q: { from: string; to: string; k: number; mode: 'shortest' | 'all'; linkTypes?: LinkType[]; maxPaths: number }): Promise<PathResult & { view: GraphView; message: string }> {
    await Promise.all([this.entity(q.from), this.entity(q.to)]);
    const adj = this.adjacencyFn(q.linkTypes, q.mode === 'shortest' ? 2000 : 500);
    const r = q.mode === 'shortest' ? await shortestPath(adj, q.from, q.to, q.k) : await allSimplePaths(adj, q.from, q.to, q.k, { maxPaths: q.maxPaths });
    const ids = [...new Set([q.from, q.to, ...r.paths.flatMap((p) => p.entities)])];
    const linkIds = new Set(r.paths.flatMap((p) => p.links));
    const view = await this.store.subgraph(ids, q.linkTypes);
    view.links = view.links.filter((l) => linkIds.has(l.id));
    const cut = r.hubs.length ? ` ${r.hubs.length} hub(s) had more links than were followed.` : '';
    const message = r.paths.length === 0
      ? `No path within ${q.k} hop${q.k === 1 ? '' : 's'}${q.linkTypes?.length ? ` using ${q.linkTypes.join(', ')}` : ''}.${cut}`
      : `${r.paths.length}${r.truncated ? '+' : ''} path${r.paths.length === 1 ? '' : 's'}, shortest ${r.paths[0].links.length} hop${r.paths[0].links.length === 1 ? '' : 's'}.${cut}`;
    return { ...r, view, message };
  }

  async commonNeighbours(ids: string[], linkTypes?: LinkType[]): Promise<{ common: string[]; hubs: string[]; view: GraphView }> {
    await Promise.all(ids.map((id) => this.entity(id)));
    const r = await commonNeighbours(this.adjacencyFn(linkTypes, 5000), ids);
    const view = await this.store.subgraph([...ids, ...r.common], linkTypes);
    return { ...r, view };
  }

  async caseOverview(name: string, limit: number): Promise<GraphView> {
    const cases = await this.store.listCases();
    if (!cases.some((c) => c.name === name)) throw new AppError('not_found', `no case named "${name}"`);
    return this.store.caseOverview(name, limit);
  }
}
