// The Neo4j GraphStore: the same port semantics as the embedded store on a Neo4j 5 server (docker compose,
// a cluster or Aura). Entities are (:Entity:<Type>) nodes, links are relationships typed by the ontology
// (:CALLED, :MEMBER_OF…), raw events are (:RawEvent) nodes, sources are (:Source) nodes with
// (:Source)-[:ASSERTS {locator}]->(entity|event) provenance. Merge rules are computed here, in the
// transaction, exactly as the embedded store does them; Cypher lives in cypher.ts, conversions in values.ts.
import { randomUUID } from 'node:crypto';
import neo4j, { type BookmarkManager } from 'neo4j-driver';
import { AppError } from '../../errors.ts';
import {
  LINK_TYPES, alreadyImported, makeSourceId, type Annotation, type AnnotationInput, type ApplyResult, type Batch, type BatchChunk, type CaseSummary, type Counts, type CrossDeviceHit, type EntityDetail,
  type EntityRecord, type EntityType, type EntityView, type EventRecord, type GraphView, type LinkRecord, type LinkType, type LinkView, type Props,
  type SearchHit, type Source, type SourceInfo,
} from '../../model/index.ts';
import type { LinkActivity } from '../../analysis/analysis.schema.ts';
import type { AnalysisScope, DatedEvent, EdgeRef, EventCounts, GraphStore, NeighbourQuery, ScopeGraph, SearchQuery, StoreHealth, TimeWindow } from '../port.ts';
import { MAX_COUNT_ROWS, scopeGraphOf } from '../scope-graph.ts';
import { NEO4J_SCHEMA_VERSION, Q, ROWS_PER_STATEMENT, SCHEMA, T, entityLabel, relType } from './cypher.ts';
import { isUnreachable, neo4jFailure, type Neo4jTarget } from './errors.ts';
import { indexText, luceneQuery } from './fulltext.ts';
import { PROP_PREFIX, byteCompare, compact, decodeProps, encodeProps, isoToDateTime, numberOrNull, plain, toInt } from './values.ts';

// ---------------------------------------------------------------------------------------------------------
// The part of the driver the adapter uses: a real neo4j Driver fits it, and tests pass a recording shim.

type Params = Record<string, unknown>;
type Rows = PromiseLike<{ records: { toObject(): Params }[] }>;
export interface QueryRunner {
  run(query: string, parameters?: Params): Rows;
}
export interface ExplicitTransaction extends QueryRunner {
  commit(): Promise<void>;
  rollback(): Promise<void>;
  isOpen(): boolean;
}
export interface SessionLike {
  executeRead<T>(work: (tx: QueryRunner) => Promise<T>, config?: { timeout?: number }): Promise<T>;
  executeWrite<T>(work: (tx: QueryRunner) => Promise<T>, config?: { timeout?: number }): Promise<T>;
  beginTransaction(config?: { timeout?: number }): ExplicitTransaction;
  run(query: string, parameters?: Params, config?: { timeout?: number }): Rows;
  close(): Promise<void>;
}
export interface DriverLike {
  session(config: { database: string; defaultAccessMode: 'READ' | 'WRITE'; bookmarkManager?: BookmarkManager }): SessionLike;
  verifyConnectivity(config: { database: string }): Promise<unknown>;
  getServerInfo(config: { database: string }): Promise<{ address?: string; agent?: string }>;
  close(): Promise<void>;
}

export interface Neo4jConfig {
  uri: string;
  user: string;
  password: string;
  database: string;
}

export interface Neo4jStoreOptions {
  /** a driver (or a test shim); by default one is created from the config */
  driver?: DriverLike;
  clock?: () => Date;
  /** how long managed transactions retry transient failures (default 10 s; the driver's own default is 30 s) */
  maxTransactionRetryTime?: number;
  /** TCP connect timeout, so an unreachable host fails start-up fast (default 5 s) */
  connectionTimeout?: number;
  /**
   * Deadline for the whole connectivity check (default connectionTimeout + 2 s). The driver's timeout covers
   * the TCP connect only: a port that accepts and never speaks Bolt would otherwise hang start-up.
   */
  startupDeadline?: number;
  /** create constraints and indexes at start-up (default true) */
  ensureSchema?: boolean;
}

/**
 * Connects, verifies the server answers for the database, creates the schema idempotently and returns the
 * store. Any failure closes the driver and becomes AppError('store_unavailable') with a clear message.
 */
export async function openNeo4jStore(cfg: Neo4jConfig, opts: Neo4jStoreOptions = {}): Promise<Neo4jGraphStore> {
  const driver: DriverLike = opts.driver ?? neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, cfg.password), {
    maxTransactionRetryTime: opts.maxTransactionRetryTime ?? 10_000,
    connectionTimeout: opts.connectionTimeout ?? 5_000,
    userAgent: 'casegraph',
  });
  const connectionTimeout = opts.connectionTimeout ?? 5_000;
  try {
    await withDeadline(driver.verifyConnectivity({ database: cfg.database }), opts.startupDeadline ?? connectionTimeout + 2_000);
    const store = new Neo4jGraphStore(driver, cfg, opts.clock);
    if (opts.ensureSchema !== false) await store.ensureSchema();
    return store;
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw neo4jFailure(err, cfg);
  }
}

/** Rejects like an unreachable server when `p` has not settled after `ms`. */
async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no Bolt answer within ${ms} ms (is this a Neo4j Bolt port?)`), { code: 'ServiceUnavailable' })), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------

/** Thrown inside the write transaction when the source is already there: rolls back, then becomes already_imported. */
class AlreadyImported extends Error {}

interface EntityState { id: string; type: EntityType; label: string; props: Props; search: string[]; seq?: number }
interface LinkState { id: string; type: LinkType; from: string; to: string; props: Props; sourceIds: string[]; locators: string[]; seq?: number }

/** Everything one source's write transaction accumulates across its chunks. */
interface WriteState {
  tx: QueryRunner;
  sourceId: string;
  now: ReturnType<typeof isoToDateTime>;
  seq: number;
  result: ApplyResult;
  /** links with a new event: their aggregates are recomputed before commit (endpoints from the event) */
  touched: Map<string, { from: string; to: string }>;
  /** every link this source asserts: the manifest kept on the Source node, and endpoints for aggregates */
  links: Map<string, { type: LinkType; from: string; to: string }>;
}

function slices<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs a statement and returns its records as plain objects (no driver types). */
async function rows(tx: QueryRunner, query: string, params: Params = {}): Promise<Params[]> {
  const res = await tx.run(query, params);
  return res.records.map((r) => plain(r.toObject()) as Params);
}

/** Runs an UNWIND statement over `items` in slices of ROWS_PER_STATEMENT. */
async function unwind(tx: QueryRunner, query: string, key: string, items: readonly unknown[], params: Params = {}): Promise<Params[]> {
  const out: Params[] = [];
  for (const part of slices(items)) out.push(...await rows(tx, query, { ...params, [key]: part }));
  return out;
}

function groupBy<T, K>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const emptyToNull = <T>(list: T[]): T[] | null => (list.length ? list : null);

/** Refuses unknown labels and relationship types before any statement for the chunk is built. */
function checkChunk(chunk: BatchChunk): void {
  for (const e of chunk.entities) entityLabel(e.type);
  for (const l of chunk.links) relType(l.type);
}

export class Neo4jGraphStore implements GraphStore {
  readonly kind = 'neo4j' as const;
  private readonly clock: () => Date;
  private readonly target: Neo4jTarget;
  /** one causal chain for all sessions: on a cluster, reads see this process's committed writes */
  private readonly bookmarks: BookmarkManager = neo4j.bookmarkManager();
  private writeLock: Promise<void> = Promise.resolve();

  constructor(private readonly driver: DriverLike, private readonly cfg: Neo4jConfig, clock?: () => Date) {
    this.clock = clock ?? (() => new Date());
    this.target = { uri: cfg.uri, user: cfg.user, database: cfg.database };
  }

  /** Constraints, indexes and the schema version, idempotently; waits until the indexes are online. */
  async ensureSchema(): Promise<void> {
    const session = this.session('WRITE');
    try {
      for (const statement of SCHEMA) await session.executeWrite((tx) => rows(tx, statement));
      await session.executeRead((tx) => rows(tx, Q.awaitIndexes, { seconds: toInt(300) }));
      const [row] = await session.executeWrite((tx) => rows(tx, Q.schemaVersion, { version: toInt(NEO4J_SCHEMA_VERSION) }));
      const version = Number(row?.version ?? 0);
      if (version > NEO4J_SCHEMA_VERSION) {
        throw new AppError('store_unavailable', `the Neo4j database ${this.cfg.database} at ${this.cfg.uri} has Casegraph schema ${version}, newer than this Casegraph (${NEO4J_SCHEMA_VERSION})`);
      }
    } finally {
      await session.close();
    }
  }

  /** Every session names the database (no round trip to resolve the home database, no surprise database). */
  private session(mode: 'READ' | 'WRITE'): SessionLike {
    return this.driver.session({ database: this.cfg.database, defaultAccessMode: mode, bookmarkManager: this.bookmarks });
  }

  /** A read in a managed transaction (retried on transient failures). */
  private async read<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    const session = this.session('READ');
    try {
      return await session.executeRead(work);
    } catch (err) {
      throw this.runtimeFailure(err);
    } finally {
      await session.close();
    }
  }

  /** Connectivity and security failures become clear store_unavailable errors; the rest stays as it is. */
  private runtimeFailure(err: unknown): unknown {
    if (err instanceof AppError) return err;
    const code = (err as { code?: unknown } | null)?.code;
    if (isUnreachable(err) || (typeof code === 'string' && code.startsWith('Neo.ClientError.Security.'))) return neo4jFailure(err, this.target);
    return err;
  }

  // ---------------------------------------------------------------------------------------------------- writes

  async apply(batch: Batch): Promise<ApplyResult> {
    const { source, ...chunk } = batch;
    checkChunk(chunk); // unknown labels or types: refused before a session or a statement exists
    return this.serialised(() => this.write(source, [chunk], 'managed'));
  }

  applyStream(source: SourceInfo, chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>): Promise<ApplyResult> {
    return this.serialised(() => this.write(source, chunks, 'explicit'));
  }

  /** Imports from this process run one at a time, like the embedded store's single writer. */
  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeLock.then(fn);
    this.writeLock = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * One transaction per source. `managed` (apply): executeWrite, retried on transient errors — the chunks
   * are an array and can be replayed. `explicit` (applyStream): chunks arrive from an async iterator that
   * cannot be replayed, so an explicit transaction is committed or rolled back here.
   */
  private async write(source: SourceInfo, chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>, mode: 'managed' | 'explicit'): Promise<ApplyResult> {
    const sourceId = makeSourceId(source.sha256, source.case);
    const session = this.session('WRITE');
    try {
      if (mode === 'managed') return await session.executeWrite((tx) => this.writeSource(tx, source, sourceId, chunks));
      const tx = session.beginTransaction();
      try {
        const result = await this.writeSource(tx, source, sourceId, chunks);
        await tx.commit();
        return result;
      } catch (err) {
        if (tx.isOpen()) await tx.rollback().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      if (err instanceof AlreadyImported) return alreadyImported(sourceId, source.case);
      throw this.runtimeFailure(err);
    } finally {
      await session.close();
    }
  }

  private async writeSource(tx: QueryRunner, source: SourceInfo, sourceId: string, chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>): Promise<ApplyResult> {
    const now = source.importedAt ?? this.clock().toISOString();
    // the sequence node is the import lock: a concurrent import (another process) waits here until we commit
    const [seqRow] = await rows(tx, Q.takeSequence);
    const [exists] = await rows(tx, Q.sourceExists, { id: sourceId });
    if (Number(exists?.n ?? 0) > 0) throw new AlreadyImported();
    const st: WriteState = {
      tx, sourceId, now: isoToDateTime(now), seq: Number(seqRow?.next ?? 1),
      result: {
        status: 'applied', sourceId, case: source.case, warnings: [],
        entities: { created: 0, merged: 0 }, links: { created: 0, merged: 0 }, events: { created: 0, merged: 0 },
      },
      touched: new Map(), links: new Map(),
    };
    await rows(tx, Q.createSource, {
      props: compact({
        id: sourceId, sha256: source.sha256, kind: source.kind, name: source.name, case: source.case, title: source.title ?? undefined,
        documentId: source.documentId ?? undefined, importedAt: st.now, importedBy: source.importedBy ?? 'local', seq: toInt(st.seq),
        entities: toInt(0), links: toInt(0), events: toInt(0),
      }),
    });
    for await (const chunk of chunks) {
      checkChunk(chunk);
      await this.writeEntities(st, chunk.entities);
      await this.writeLinks(st, chunk.links);
      await this.writeEvents(st, chunk.events);
      for (const w of chunk.warnings) if (st.result.warnings.length < 1000) st.result.warnings.push(w);
    }
    const aggregates = [...st.touched].map(([linkId, ends]) => {
      const link = st.links.get(linkId);
      return { linkId, fromId: link?.from ?? ends.from, toId: link?.to ?? ends.to };
    });
    await unwind(tx, Q.aggregateLinks, 'rows', aggregates);
    const r = st.result;
    await rows(tx, Q.finishSource, {
      id: sourceId,
      set: {
        entities: toInt(r.entities.created + r.entities.merged), links: toInt(r.links.created + r.links.merged), events: toInt(r.events.created + r.events.merged),
        linkIds: emptyToNull([...st.links.keys()]), linkTypes: emptyToNull([...st.links.values()].map((l) => l.type)),
      },
    });
    await rows(tx, Q.storeSequence, { next: toInt(st.seq) });
    return r;
  }

  /** Merge rules of the embedded store: existing props win and new keys fill in, search words union, the first non-empty label stays. */
  private async writeEntities(st: WriteState, records: EntityRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ids = [...new Set(records.map((e) => e.id))];
    const existing = new Map<string, EntityState>();
    for (const row of await unwind(st.tx, Q.entitiesById, 'ids', ids)) {
      const p = row.props as Params;
      existing.set(String(p.id), { id: String(p.id), type: p.type as EntityType, label: String(p.label ?? ''), props: decodeProps(p), search: strings(p.search) });
    }
    const created = new Map<string, EntityState>();
    const updated = new Map<string, EntityState>();
    const prov = new Map<string, { id: string; locator: string }>();
    for (const e of records) {
      const cur = created.get(e.id) ?? existing.get(e.id);
      if (!cur) {
        st.result.entities.created++;
        created.set(e.id, { id: e.id, type: e.type, label: e.label, props: e.props, search: e.search, seq: ++st.seq });
      } else {
        st.result.entities.merged++;
        if (cur.type !== e.type) throw new AppError('conflict', `entity ${e.id} is a ${cur.type}, the source says ${e.type}`);
        cur.props = { ...e.props, ...cur.props };
        cur.search = [...new Set([...cur.search, ...e.search])];
        cur.label = cur.label || e.label;
        if (!created.has(e.id)) updated.set(e.id, cur);
      }
      for (const locator of e.locators) prov.set(`${e.id}\u0000${locator}`, { id: e.id, locator });
    }
    const indexed = (s: EntityState) => ({ label: s.label, search: emptyToNull(s.search), searchLabel: indexText([s.label]), searchText: indexText(s.search), ...encodeProps(s.props) });
    for (const [type, list] of groupBy(created.values(), (s) => s.type)) {
      const rowsOut = list.map((s) => ({ id: s.id, type: s.type, seq: toInt(s.seq!), createdAt: st.now, ...indexed(s) }));
      await unwind(st.tx, T.createEntities(type), 'rows', rowsOut.map(dropNulls));
    }
    await unwind(st.tx, Q.updateEntities, 'rows', [...updated.values()].map((s) => ({ id: s.id, set: indexed(s) })));
    await unwind(st.tx, Q.assertEntities, 'rows', [...prov.values()], { sourceId: st.sourceId });
  }

  private async writeLinks(st: WriteState, records: LinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ends = [...new Set(records.flatMap((l) => [l.from, l.to]))];
    const found = new Set((await unwind(st.tx, Q.entityIdsExisting, 'ids', ends)).map((r) => String(r.id)));
    for (const l of records) {
      for (const end of [l.from, l.to]) if (!found.has(end)) throw new AppError('import_failed', `link ${l.type} refers to unknown entity ${end}`);
    }
    const existing = new Map<string, LinkState>();
    // ids derive from (type, from, to), so a link is looked up under the type its record names
    for (const [type, list] of groupBy(new Map(records.map((l) => [l.id, l.type])), ([, t]) => t)) {
      for (const row of await unwind(st.tx, T.linksById(type), 'ids', list.map(([id]) => id))) {
        const p = row.props as Params;
        existing.set(String(p.id), {
          id: String(p.id), type, from: String(row.from), to: String(row.to), props: decodeProps(p), sourceIds: strings(p.sourceIds), locators: strings(p.locators),
        });
      }
    }
    const created = new Map<string, LinkState>();
    const updated = new Map<string, LinkState>();
    for (const l of records) {
      let cur = created.get(l.id) ?? existing.get(l.id);
      if (!cur) {
        st.result.links.created++;
        cur = { id: l.id, type: l.type, from: l.from, to: l.to, props: l.props, sourceIds: [], locators: [], seq: ++st.seq };
        created.set(l.id, cur);
      } else {
        st.result.links.merged++;
        cur.props = { ...l.props, ...cur.props };
        if (!created.has(l.id)) updated.set(l.id, cur);
      }
      for (const locator of l.locators) {
        if (!cur.locators.some((x, i) => x === locator && cur.sourceIds[i] === st.sourceId)) {
          cur.sourceIds.push(st.sourceId);
          cur.locators.push(locator);
        }
      }
      if (!st.links.has(l.id)) st.links.set(l.id, { type: cur.type, from: cur.from, to: cur.to });
    }
    const stored = (s: LinkState) => ({ ...encodeProps(s.props), sourceIds: emptyToNull(s.sourceIds), locators: emptyToNull(s.locators) });
    for (const [type, list] of groupBy(created.values(), (s) => s.type)) {
      const out = await unwind(st.tx, T.createLinks(type), 'rows', list.map((s) => ({ fromId: s.from, toId: s.to, props: dropNulls({ id: s.id, seq: toInt(s.seq!), ...stored(s) }) })));
      const n = out.reduce((sum, r) => sum + Number(r.n ?? 0), 0);
      if (n !== list.length) throw new AppError('import_failed', `only ${n} of ${list.length} ${type} links could be created (an endpoint disappeared)`);
    }
    for (const [type, list] of groupBy(updated.values(), (s) => s.type)) {
      await unwind(st.tx, T.updateLinks(type), 'rows', list.map((s) => ({ id: s.id, set: stored(s) })));
    }
  }

  private async writeEvents(st: WriteState, records: EventRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ids = [...new Set(records.map((e) => e.id))];
    const existing = new Set((await unwind(st.tx, Q.eventIdsExisting, 'ids', ids)).map((r) => String(r.id)));
    const created = new Map<string, Params>();
    const prov = new Map<string, { id: string; locator: string }>();
    for (const ev of records) {
      if (!existing.has(ev.id) && !created.has(ev.id)) {
        st.result.events.created++;
        created.set(ev.id, dropNulls({
          id: ev.id, kind: ev.kind, linkId: ev.linkId, fromId: ev.from, toId: ev.to, at: isoToDateTime(ev.at),
          durationS: ev.durationS ?? null, deleted: ev.deleted ?? false, original: ev.original ?? '', ...encodeProps(ev.props ?? {}),
        }));
        if (!st.touched.has(ev.linkId)) st.touched.set(ev.linkId, { from: ev.from, to: ev.to });
      } else st.result.events.merged++;
      prov.set(`${ev.id}\u0000${ev.locator}`, { id: ev.id, locator: ev.locator });
    }
    await unwind(st.tx, Q.createEvents, 'rows', [...created.values()]);
    await unwind(st.tx, Q.assertEvents, 'rows', [...prov.values()], { sourceId: st.sourceId });
  }

  // ----------------------------------------------------------------------------------------------------- reads

  async hasSource(sha256: string, caseName: string): Promise<boolean> {
    const [row] = await this.read((tx) => rows(tx, Q.sourceExists, { id: makeSourceId(sha256, caseName) }));
    return Number(row?.n ?? 0) > 0;
  }

  /**
   * Entities asserted (:ASSERTS) by a source of one of `cases`, and links whose `sourceIds` name such a source.
   * Ids are first looked up as entities; only the rest are sought as links, one indexed statement per type.
   */
  async visibleIn(ids: string[], cases: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const wanted = [...new Set(ids)];
    const granted = [...new Set(cases)];
    if (!wanted.length || !granted.length) return out;
    return this.read(async (tx) => {
      const entities = new Set<string>();
      for (const r of await unwind(tx, Q.visibleEntities, 'ids', wanted, { cases: granted })) {
        entities.add(String(r.id));
        if (r.visible === true) out.add(String(r.id));
      }
      const rest = wanted.filter((id) => !entities.has(id));
      if (rest.length) {
        for (const type of LINK_TYPES) for (const r of await unwind(tx, T.visibleLinks(type), 'ids', rest, { cases: granted })) out.add(String(r.id));
      }
      return out;
    });
  }

  async getEntity(id: string): Promise<EntityDetail | null> {
    return this.read(async (tx) => {
      const [row] = await rows(tx, Q.entityById, { id });
      if (!row) return null;
      const prov = (await rows(tx, Q.entityProvenance, { id }))
        .map((r) => ({ source: toSource(r.source as Params), locator: String(r.locator) }))
        .sort((a, b) => byteCompare(a.source.importedAt, b.source.importedAt) || byteCompare(a.locator, b.locator) || byteCompare(a.source.id, b.source.id));
      const [stats] = await rows(tx, Q.entityLinkStats, { id });
      return {
        ...entityView(row.props as Params),
        degree: Number(stats?.degree ?? 0),
        firstSeen: (stats?.first as string | null) ?? undefined,
        lastSeen: (stats?.last as string | null) ?? undefined,
        cases: [...new Set(prov.map((p) => p.source.case))],
        sources: prov.map(({ source: s, locator }) => ({
          sourceId: s.id, sourceName: s.name, sourceKind: s.kind, sha256: s.sha256, case: s.case, importedAt: s.importedAt,
          locator, ...(s.title ? { title: s.title } : {}), ...(s.documentId ? { documentId: s.documentId } : {}),
        })),
      };
    });
  }

  async search({ q, types, limit }: SearchQuery): Promise<SearchHit[]> {
    const query = luceneQuery(q);
    if (!query) return [];
    const found = await this.read((tx) => rows(tx, Q.search, { query, types: types?.length ? types : null, limit: toInt(limit) }));
    return found.map((r) => ({ id: String(r.id), type: r.type as EntityType, label: String(r.label ?? ''), score: Number(r.score) }));
  }

  /** Breadth-first, ring by ring, with the embedded store's cap, offset and total rules. */
  async neighbours(ids: string[], query: NeighbourQuery): Promise<GraphView> {
    return this.read(async (tx) => {
      const seeds = [...new Set(ids)];
      const known = new Set(seeds);
      const found: string[] = [];
      let frontier = seeds;
      let capped = false;
      let total = 0;
      const offset = query.offset ?? 0;
      const filters = { linkTypes: query.linkTypes?.length ? query.linkTypes : null, entityTypes: query.entityTypes?.length ? query.entityTypes : null };
      const step = async (from: string[]) => {
        const ring = new Set((await unwind(tx, Q.neighbourStep, 'frontier', from, filters)).map((r) => String(r.id)));
        return [...ring].sort(byteCompare);
      };
      for (let d = 0; d < query.depth && frontier.length > 0; d++) {
        const next = (await step(frontier)).filter((id) => !known.has(id));
        next.forEach((id) => known.add(id));
        total += next.length;
        const room = query.limit - found.length;
        // paging applies to the first ring, where a supernode's neighbours are listed
        const page = d === 0 ? next.slice(offset, offset + room) : next.slice(0, room);
        if (d === 0 && (offset > 0 || next.length > offset + room)) capped = next.length > offset + room || offset > 0;
        if (d > 0 && next.length > room) capped = true;
        found.push(...page);
        if (found.length >= query.limit) {
          if (d + 1 < query.depth) capped = true;
          break;
        }
        frontier = page;
      }
      return { ...await this.subgraphIn(tx, [...seeds, ...found], query.linkTypes), capped, total, cap: query.limit };
    });
  }

  async adjacency(ids: string[], opts: { linkTypes?: LinkType[]; perNode: number }): Promise<{ edges: EdgeRef[]; hubs: string[] }> {
    const found = await this.read((tx) => unwind(tx, Q.adjacency, 'ids', ids, { linkTypes: opts.linkTypes?.length ? opts.linkTypes : null, limit: toInt(opts.perNode + 1) }));
    const byId = new Map(found.map((r) => [String(r.id), [...(r.outgoing as EdgeRef[]), ...(r.incoming as EdgeRef[])]]));
    const edges: EdgeRef[] = [];
    const hubs: string[] = [];
    // in the caller's order, as the embedded store answers (one entry per id asked, repeats included)
    for (const id of ids) {
      const list = byId.get(id) ?? [];
      if (list.length > opts.perNode) hubs.push(id);
      edges.push(...list.slice(0, opts.perNode));
    }
    return { edges, hubs };
  }

  async subgraph(ids: string[], linkTypes?: LinkType[]): Promise<GraphView> {
    return { ...await this.read((tx) => this.subgraphIn(tx, [...new Set(ids)], linkTypes)), capped: false };
  }

  /** Entities with these ids (in this order) and the links among them (optionally only of some types). */
  private async subgraphIn(tx: QueryRunner, ids: string[], linkTypes?: LinkType[]): Promise<{ entities: EntityView[]; links: LinkView[] }> {
    const byId = new Map<string, EntityView>();
    for (const row of await unwind(tx, Q.entitiesById, 'ids', ids)) {
      const view = entityView(row.props as Params);
      byId.set(view.id, view);
    }
    const entities = ids.flatMap((id) => byId.get(id) ?? []);
    const links = (await unwind(tx, Q.linksAmong, 'from', ids, { ids, linkTypes: linkTypes?.length ? linkTypes : null }))
      .map((r) => linkView(r.type as LinkType, String(r.from), String(r.to), r.props as Params));
    return { entities, links };
  }

  async caseOverview(caseName: string, limit: number): Promise<GraphView> {
    return this.read(async (tx) => {
      const ids = (await rows(tx, Q.caseEntityIds, { case: caseName, limit: toInt(limit + 1) })).map((r) => String(r.id));
      const capped = ids.length > limit;
      const total = capped ? Number((await rows(tx, Q.caseEntityCount, { case: caseName }))[0]?.n ?? 0) : ids.length;
      return { ...await this.subgraphIn(tx, ids.slice(0, limit)), capped, total, cap: limit };
    });
  }

  async crossDeviceHits(opts: { case?: string; limit: number; minDevices?: number }): Promise<CrossDeviceHit[]> {
    const found = await this.read((tx) => rows(tx, Q.crossDeviceHits, { case: opts.case ?? null, minDevices: toInt(opts.minDevices ?? 2), limit: toInt(opts.limit) }));
    return found.map((r) => ({
      id: String(r.id), type: r.type as EntityType, label: String(r.label ?? ''), deviceCount: Number(r.deviceCount),
      devices: (r.devices as { id: string; label: string; as: string[] }[])
        .map((d) => ({ id: d.id, label: String(d.label ?? ''), as: [...d.as].sort() as CrossDeviceHit['devices'][number]['as'] }))
        .sort((a, b) => byteCompare(a.label, b.label)),
    }));
  }

  // --------------------------------------------------------------------------------------------- analysis

  /** The statement for a scope, with its parameters: the case, or each id once. */
  private scoped(scope: AnalysisScope, inCase: string, amongIds: string): { query: string; params: Params } {
    return scope.case !== undefined ? { query: inCase, params: { case: scope.case } } : { query: amongIds, params: { ids: [...new Set(scope.ids)] } };
  }

  async eventCounts(scope: AnalysisScope, window: TimeWindow): Promise<EventCounts> {
    const counts = this.scoped(scope, Q.eventCountsInCase, Q.eventCountsAmongIds);
    const span = this.scoped(scope, Q.eventSpanInCase, Q.eventSpanAmongIds);
    return this.read(async (tx) => {
      const found = await rows(tx, counts.query, { ...counts.params, ...windowParams(window), limit: toInt(MAX_COUNT_ROWS) });
      const [s] = await rows(tx, span.query, span.params);
      return {
        rows: found.map((r) => ({ day: String(r.day), kind: String(r.kind), count: Number(r.n) })),
        ...(s?.first ? { first: String(s.first) } : {}), ...(s?.last ? { last: String(s.last) } : {}),
      };
    });
  }

  async linkActivity(scope: AnalysisScope, window: TimeWindow, limit: number): Promise<{ links: LinkActivity[]; capped: boolean }> {
    const st = this.scoped(scope, Q.linkActivityInCase, Q.linkActivityAmongIds);
    const found = await this.read((tx) => rows(tx, st.query, { ...st.params, ...windowParams(window), limit: toInt(limit + 1) }));
    const links = found.slice(0, limit).map((r) => ({
      id: String(r.linkId), type: r.type as LinkType, from: String(r.fromId), to: String(r.toId), count: Number(r.n),
      durationS: Number(r.total ?? 0), firstAt: String(r.first), lastAt: String(r.last),
    }));
    return { links, capped: found.length > limit };
  }

  async scopeGraph(scope: AnalysisScope, opts: { limit: number }): Promise<ScopeGraph> {
    const { limit } = opts;
    return this.read(async (tx) => {
      if (scope.case === undefined) {
        const view = await this.subgraphIn(tx, [...new Set(scope.ids)]);
        const edges = view.links.slice(0, limit + 1).map((l) => ({ id: l.id, type: l.type, from: l.from, to: l.to, weight: l.count ?? 1 }));
        return scopeGraphOf(view.entities.map((e) => e.id), edges, limit);
      }
      const ids = (await rows(tx, Q.caseEntityIds, { case: scope.case, limit: toInt(limit + 1) })).map((r) => String(r.id));
      // the case's links from its sources' manifests (found by id through the per-type indexes), oldest source first
      const wanted = new Map<string, LinkType>();
      for (const src of await rows(tx, Q.sourcesInCase, { case: scope.case })) {
        const [manifest] = await rows(tx, Q.sourceLinkManifest, { sourceId: (src.source as Params).id });
        const types = strings(manifest?.types);
        strings(manifest?.ids).forEach((id, i) => {
          if (wanted.size <= limit && !wanted.has(id)) wanted.set(id, relType(types[i]));
        });
        if (wanted.size > limit) break;
      }
      const edges: ScopeGraph['edges'] = [];
      for (const [type, list] of groupBy(wanted, ([, t]) => t)) {
        for (const r of await unwind(tx, T.linksById(type), 'ids', list.map(([id]) => id))) {
          const p = r.props as Params;
          edges.push({ id: String(p.id), type, from: String(r.from), to: String(r.to), weight: p.count != null ? Number(p.count) : 1 });
        }
      }
      const order = new Map([...wanted.keys()].map((id, i) => [id, i]));
      edges.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      return scopeGraphOf(ids, edges, limit);
    });
  }

  async datedEvents(scope: AnalysisScope, limit: number): Promise<DatedEvent[]> {
    const dateKey = `${PROP_PREFIX}date`;
    const found = await this.read(async (tx) => {
      if (scope.case !== undefined) return rows(tx, Q.datedEventsInCase, { case: scope.case, dateKey, limit: toInt(limit) });
      // ids are few (the API allows 5000): look them up and keep the dated Events, in creation order
      return (await unwind(tx, Q.entitiesById, 'ids', [...new Set(scope.ids)]))
        .filter((r) => (r.props as Params).type === 'Event' && (r.props as Params)[dateKey] != null)
        .sort((a, b) => Number((a.props as Params).seq ?? 0) - Number((b.props as Params).seq ?? 0))
        .slice(0, limit);
    });
    return found.map((r) => {
      const p = r.props as Params;
      const kind = p[`${PROP_PREFIX}kind`];
      return { id: String(p.id), label: String(p.label ?? ''), date: String(p[dateKey]), ...(typeof kind === 'string' ? { kind } : {}) };
    });
  }

  async listCases(): Promise<CaseSummary[]> {
    const found = await this.read((tx) => rows(tx, Q.listCases));
    return found
      .map((r) => ({ name: String(r.name), sources: Number(r.sources), lastImportAt: String(r.lastImportAt), entities: Number(r.entities) }))
      .sort((a, b) => byteCompare(a.name, b.name));
  }

  async listSources(caseName?: string): Promise<Source[]> {
    const found = await this.read((tx) => (caseName ? rows(tx, Q.sourcesInCase, { case: caseName }) : rows(tx, Q.allSources)));
    return found.map((r) => toSource(r.source as Params));
  }

  async counts(): Promise<Counts> {
    return this.read(async (tx) => {
      const one = async (q: string) => (await rows(tx, q)).reduce((sum, r) => sum + Number(r.n ?? 0), 0);
      const byType = Object.fromEntries(
        (await rows(tx, Q.countByType)).filter((r) => Number(r.n) > 0).map((r) => [String(r.type), Number(r.n)] as const).sort((a, b) => byteCompare(a[0], b[0])),
      );
      return { entities: await one(Q.countEntities), links: await one(Q.countLinks), events: await one(Q.countEvents), sources: await one(Q.countSources), byType };
    });
  }

  async appendAnnotation(a: AnnotationInput): Promise<Annotation> {
    const id = `ann_${randomUUID()}`;
    await this.serialised(async () => {
      const session = this.session('WRITE');
      try {
        await session.executeWrite(async (tx) => {
          // the sequence orders the log (and, like an import, waits for a running import to commit)
          const [seqRow] = await rows(tx, Q.takeSequence);
          await rows(tx, Q.createAnnotation, {
            props: dropNulls({ id, seq: toInt(Number(seqRow?.next ?? 0)), kind: a.kind, entityId: a.entityId, targetId: a.targetId ?? null, text: a.text ?? null, by: a.by, at: isoToDateTime(a.at) }),
          });
        });
      } catch (err) {
        throw this.runtimeFailure(err);
      } finally {
        await session.close();
      }
    });
    return { id, ...a };
  }

  async listAnnotations(q: { entityId?: string; kind?: Annotation['kind'] } = {}): Promise<Annotation[]> {
    const found = await this.read((tx) => rows(tx, Q.annotations, { entityId: q.entityId ?? null, kind: q.kind ?? null }));
    return found.map(({ props }) => {
      const p = props as Params;
      return {
        id: String(p.id), kind: p.kind as Annotation['kind'], entityId: String(p.entityId), ...(p.targetId ? { targetId: String(p.targetId) } : {}),
        ...(p.text !== null && p.text !== undefined ? { text: String(p.text) } : {}), by: String(p.by), at: String(p.at),
      };
    });
  }

  async *dump(caseName?: string): AsyncIterable<Batch> {
    for (const src of await this.listSources(caseName)) {
      const sorted = (v: unknown) => strings(v).sort(byteCompare);
      const { entities, links, events } = await this.read(async (tx) => {
        const entities = (await rows(tx, Q.sourceEntities, { sourceId: src.id })).map((r) => {
          const p = r.props as Params;
          return { ...entityView(p), search: strings(p.search), locators: sorted(r.locators) };
        });
        const [manifest] = await rows(tx, Q.sourceLinkManifest, { sourceId: src.id });
        const linkTypes = strings(manifest?.types);
        const byType = groupBy(strings(manifest?.ids).map((id, i) => ({ id, type: relType(linkTypes[i]) })), (l) => l.type);
        const found: { seq: number; link: LinkRecord }[] = [];
        for (const [type, list] of byType) {
          for (const r of await unwind(tx, T.linksById(type), 'ids', list.map((l) => l.id))) {
            const p = r.props as Params;
            const sourceIds = strings(p.sourceIds);
            const locators = strings(p.locators).filter((_, i) => sourceIds[i] === src.id).sort(byteCompare);
            found.push({ seq: Number(p.seq ?? 0), link: { id: String(p.id), type, from: String(r.from), to: String(r.to), props: decodeProps(p), locators } });
          }
        }
        const links = found.sort((a, b) => a.seq - b.seq).map((f) => f.link);
        const events = (await rows(tx, Q.sourceEvents, { sourceId: src.id })).map((r) => {
          const p = r.props as Params;
          return {
            id: String(p.id), kind: String(p.kind), linkId: String(p.linkId), from: String(p.fromId), to: String(p.toId), at: String(p.at),
            durationS: numberOrNull(p.durationS), deleted: p.deleted === true, original: String(p.original ?? ''), props: decodeProps(p), locator: sorted(r.locators)[0],
          };
        });
        return { entities, links, events };
      });
      yield {
        source: { sha256: src.sha256, kind: src.kind, name: src.name, case: src.case, title: src.title, documentId: src.documentId, importedBy: src.importedBy, importedAt: src.importedAt },
        entities, links, events, warnings: [],
      };
    }
  }

  async health(): Promise<StoreHealth> {
    try {
      const info = await this.driver.getServerInfo({ database: this.cfg.database });
      const session = this.session('READ');
      try {
        // auto-commit with a timeout: a health check must answer quickly, not retry for seconds
        const res = await session.run(Q.serverComponents, {}, { timeout: 5_000 });
        const comp = res.records.map((r) => plain(r.toObject()) as Params).find((c) => c.name === 'Neo4j Kernel') ?? plain(res.records[0]?.toObject()) as Params | null;
        const version = comp ? `Neo4j ${strings(comp.versions)[0] ?? ''} ${String(comp.edition ?? '')}`.trim() : (info.agent ?? 'Neo4j');
        return { store: 'neo4j', status: 'up', version, detail: `${this.cfg.uri} database ${this.cfg.database}${info.address ? ` (${info.address})` : ''}` };
      } finally {
        await session.close();
      }
    } catch (err) {
      return { store: 'neo4j', status: 'down', version: 'unknown', detail: neo4jFailure(err, this.target).message };
    }
  }

  async close(): Promise<void> {
    await this.writeLock;
    await this.driver.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

/** The window ends as DateTimes (compared with the stored event times), null for an open end. */
function windowParams(w: TimeWindow): Params {
  return { from: w.from !== undefined ? isoToDateTime(w.from) : null, to: w.to !== undefined ? isoToDateTime(w.to) : null };
}

/** Null values cannot be stored: `SET n = row` leaves such keys out, but the driver must not see undefined. */
function dropNulls<T extends Params>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
}

function entityView(p: Params): EntityView {
  return { id: String(p.id), type: p.type as EntityType, label: String(p.label ?? ''), props: decodeProps(p) };
}

function linkView(type: LinkType, from: string, to: string, p: Params): LinkView {
  return {
    id: String(p.id), type, from, to, props: decodeProps(p),
    ...(p.count != null ? { count: Number(p.count), durationS: Number(p.durationS ?? 0), firstAt: (p.firstAt as string | null) ?? undefined, lastAt: (p.lastAt as string | null) ?? undefined } : {}),
  };
}

function toSource(s: Params): Source {
  return {
    id: String(s.id), sha256: String(s.sha256), kind: String(s.kind), name: String(s.name), case: String(s.case),
    importedAt: String(s.importedAt), importedBy: String(s.importedBy),
    ...(s.title ? { title: String(s.title) } : {}), ...(s.documentId ? { documentId: String(s.documentId) } : {}),
    counts: { entities: Number(s.entities ?? 0), links: Number(s.links ?? 0), events: Number(s.events ?? 0) },
  };
}
