// The GraphStore port: the only way services reach a graph database. Writes take a whole Batch in one
// transaction; reads return plain view objects. Adapters: embedded/ (SQLite) and neo4j/.
import type { Annotation, AnnotationInput, ApplyResult, CrossDeviceHit, Batch, BatchChunk, SourceInfo, CaseSummary, Counts, EntityDetail, EntityType, GraphView, LinkType, SearchHit, Source } from '../model/index.ts';

export interface NeighbourQuery {
  depth: number;
  entityTypes?: EntityType[];
  linkTypes?: LinkType[];
  /** maximum number of new entities returned; the view says `capped` and `total` when more matched */
  limit: number;
  /** skip this many candidate entities (paging through a supernode's neighbours) */
  offset?: number;
}

/** A link reduced to what graph algorithms need. */
export interface EdgeRef {
  id: string;
  type: LinkType;
  from: string;
  to: string;
}

export interface SearchQuery {
  q: string;
  types?: EntityType[];
  limit: number;
}

export interface StoreHealth {
  store: 'embedded' | 'neo4j';
  status: 'up' | 'down';
  version: string;
  detail?: string;
}

export interface GraphStore {
  readonly kind: 'embedded' | 'neo4j';
  /** Writes the batch in one transaction: all of it or nothing. A source already imported into the case changes nothing. */
  apply(batch: Batch): Promise<ApplyResult>;
  /**
   * Streams a large source's chunks into ONE transaction: readers keep seeing the previous state until
   * it commits, and a failure in any chunk (or in the iterator) rolls all of it back.
   */
  applyStream(source: SourceInfo, chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>): Promise<ApplyResult>;
  hasSource(sha256: string, caseName: string): Promise<boolean>;
  getEntity(id: string): Promise<EntityDetail | null>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** The neighbourhood of `ids` up to `depth` hops: the seeds, the entities found (capped) and the links among all of them. */
  neighbours(ids: string[], query: NeighbourQuery): Promise<GraphView>;
  /**
   * The links touching `ids` (either direction), optionally of some types. At most `perNode` links are
   * returned for any one entity, so a hub cannot flood a path search; `hubs` lists entities that were cut.
   */
  adjacency(ids: string[], opts: { linkTypes?: LinkType[]; perNode: number }): Promise<{ edges: EdgeRef[]; hubs: string[] }>;
  /** Entities with these ids and the links among them. */
  subgraph(ids: string[], linkTypes?: LinkType[]): Promise<GraphView>;
  /** Entities asserted by the case's sources (capped), with the links among them. */
  caseOverview(caseName: string, limit: number): Promise<GraphView>;
  listCases(): Promise<CaseSummary[]>;
  /**
   * Numbers, accounts and e-mails that appear in the data of two or more Devices (as a saved contact, a
   * call or message party, or a device's own line), most devices first. Optionally within one case.
   */
  crossDeviceHits(opts: { case?: string; limit: number; minDevices?: number }): Promise<CrossDeviceHit[]>;
  listSources(caseName?: string): Promise<Source[]>;
  counts(): Promise<Counts>;
  /** Appends an analyst annotation (note, merge, unmerge); never updates or deletes one. */
  appendAnnotation(a: AnnotationInput): Promise<Annotation>;
  /** Annotations oldest first, optionally about one entity (as entityId or targetId) or of one kind. */
  listAnnotations(q?: { entityId?: string; kind?: Annotation['kind'] }): Promise<Annotation[]>;
  /**
   * Every source as the Batch that would recreate it (entities, links and events it asserts, with their
   * locators and current props), oldest first. Used to copy between stores and for whole-case exports.
   */
  dump(caseName?: string): AsyncIterable<Batch>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
