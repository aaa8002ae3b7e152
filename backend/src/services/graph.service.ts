// Graph views for the API and CLI: search, entity details, neighbourhoods, case overviews. Validates
// that referenced entities exist so clients get a 404 rather than an empty view.
import { AppError } from '../errors.ts';
import type { EntityDetail, GraphView, SearchHit } from '../model/index.ts';
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

  async caseOverview(name: string, limit: number): Promise<GraphView> {
    const cases = await this.store.listCases();
    if (!cases.some((c) => c.name === name)) throw new AppError('not_found', `no case named "${name}"`);
    return this.store.caseOverview(name, limit);
  }
}
