// The GraphStore port: the only way services reach a graph database. Writes take a whole Batch in one
// transaction; reads return plain view objects. Adapters: embedded/ (SQLite) and neo4j/.
import type { LinkActivity } from '../analysis/analysis.schema.ts';
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

/**
 * What an analysis reads. `case`: the raw events, links and entities asserted by a source of that case.
 * `ids`: those entities, and the links and events with BOTH ends among them.
 */
export type AnalysisScope = { case: string; ids?: undefined } | { ids: string[]; case?: undefined };

/** A half-open UTC window [from, to) as ISO instants in the stores' format (`YYYY-MM-DDTHH:MM:SS.sssZ`); either end open. */
export interface TimeWindow {
  from?: string;
  to?: string;
}

/** Raw events per UTC day (`YYYY-MM-DD`) and event kind (call, sms, chat…). */
export interface EventCounts {
  rows: { day: string; kind: string; count: number }[];
  /** first and last event time in the scope, ignoring the window (absent when the scope has no events) */
  first?: string;
  last?: string;
}

/** An entity or link reduced to what centrality needs; weight is the link's event count, or 1. */
export interface ScopeGraph {
  nodes: string[];
  edges: { id: string; type: LinkType; from: string; to: string; weight: number }[];
  /** more entities or links than the limit were in scope: the graph holds the first `limit` of each */
  capped: boolean;
}

/** An Event entity with a `date` prop (e.g. "2023-09" or "2023-10-07"), as written. */
export interface DatedEvent {
  id: string;
  label: string;
  date: string;
  kind?: string;
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
  /**
   * Of the given entity and link ids, those asserted by at least one source of one of `cases` (per-case
   * access: an item no granted case's source asserts is invisible to the user).
   */
  visibleIn(ids: string[], cases: string[]): Promise<Set<string>>;
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
  /** Raw events in scope and window, counted per UTC day and kind (bounded by days × kinds). */
  eventCounts(scope: AnalysisScope, window: TimeWindow): Promise<EventCounts>;
  /**
   * Communication links (ontology `communication: true`) aggregated over their raw events in scope and
   * window: count, total duration, first and last time. Most events first, then by id; at most `limit`.
   */
  linkActivity(scope: AnalysisScope, window: TimeWindow, limit: number): Promise<{ links: LinkActivity[]; capped: boolean }>;
  /** The entities and links in scope (at most `limit` of each), for centrality and communities. */
  scopeGraph(scope: AnalysisScope, opts: { limit: number }): Promise<ScopeGraph>;
  /** Event entities in scope that carry a `date` prop, at most `limit`, in creation order. */
  datedEvents(scope: AnalysisScope, limit: number): Promise<DatedEvent[]>;
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
