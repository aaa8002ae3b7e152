// Every Cypher statement Casegraph sends to Neo4j, in one place so a test can run each one through Neo4j's
// own parser and semantic analysis. Values always travel as parameters. The only text spliced into a
// statement is a label or relationship type, and only after `entityLabel`/`relType` checked it against the
// ontology enum: anything else is refused before a statement exists.
import { AppError } from '../../errors.ts';
import { ENTITY_TYPES, LINK_SPECS, LINK_TYPES, isEntityType, isLinkType, type EntityType, type LinkType } from '../../model/index.ts';

/** UNWIND batch size: rows per statement when writing or looking up many records. */
export const ROWS_PER_STATEMENT = 10_000;

/** Name of the full-text index over entities (folded label words, folded search words). */
export const FULLTEXT_INDEX = 'entity_search';
/** Schema version kept on a (:CasegraphMeta {key: 'schema'}) node; a newer database is refused. */
export const NEO4J_SCHEMA_VERSION = 1;

/** The ontology type as a Neo4j label; throws for anything not in ENTITY_TYPES. */
export function entityLabel(type: unknown): EntityType {
  if (typeof type !== 'string' || !isEntityType(type)) {
    throw new AppError('import_failed', `entity type ${JSON.stringify(type)} is not in the ontology; refused before any Neo4j query was built`);
  }
  return type;
}

/** The ontology link type as a Neo4j relationship type; throws for anything not in LINK_TYPES. */
export function relType(type: unknown): LinkType {
  if (typeof type !== 'string' || !isLinkType(type)) {
    throw new AppError('import_failed', `link type ${JSON.stringify(type)} is not in the ontology; refused before any Neo4j query was built`);
  }
  return type;
}

/** Every link relationship type, for patterns that must not follow provenance (:ASSERTS) edges. */
const ANY_LINK = LINK_TYPES.join('|');

/** Communication relationship types (ontology `communication: true`): the links activity views aggregate. */
const COMMUNICATION = LINK_TYPES.filter((t) => LINK_SPECS[t].communication).join('|');

// Scopes of the analysis reads, as the leading clauses of a statement binding `e` to each raw event once.
/** Raw events asserted by a source of the case $case. */
const CASE_EVENTS = 'MATCH (:Source {case: $case})-[:ASSERTS]->(e:RawEvent) WITH DISTINCT e';
/** Raw events of the links among $ids (both ends in $ids; the adapter sends each id once). */
const IDS_EVENTS = `UNWIND $ids AS id
     MATCH (:Entity {id: id})-[r:${ANY_LINK}]->(b:Entity) WHERE b.id IN $ids
     MATCH (e:RawEvent {linkId: r.id})`;
/** The half-open window [$from, $to) on the event time; a null end is open. */
const IN_WINDOW = 'WITH e WHERE ($from IS NULL OR e.at >= $from) AND ($to IS NULL OR e.at < $to)';
/** Events per UTC day (the stored DateTimes are at offset Z) and kind, bounded by $limit rows. */
const COUNT_BY_DAY = 'RETURN toString(date(e.at)) AS day, e.kind AS kind, count(e) AS n ORDER BY day, kind LIMIT $limit';
const SPAN = 'RETURN min(e.at) AS first, max(e.at) AS last';
/** Communication links aggregated over the events in the window: most events first, then id, at most $limit. */
const ACTIVITY = `WITH e.linkId AS linkId, e.fromId AS fromId, e.toId AS toId, count(e) AS n, sum(e.durationS) AS total, min(e.at) AS first, max(e.at) AS last
     MATCH (:Entity {id: fromId})-[r:${COMMUNICATION}]->(:Entity {id: toId}) WHERE r.id = linkId
     RETURN linkId, type(r) AS type, fromId, toId, n, total, first, last ORDER BY n DESC, linkId LIMIT $limit`;

/** Fields of a (:Source) returned to the adapter (never its link manifest, which can be long). */
const SOURCE_FIELDS = 's {.id, .sha256, .kind, .name, .case, .title, .documentId, .importedAt, .importedBy, .entities, .links, .events, .seq}';

// ---------------------------------------------------------------------------------------------------------
// Schema: constraints and indexes, created idempotently at start-up (each in its own transaction).

export const SCHEMA: readonly string[] = [
  'CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE',
  'CREATE CONSTRAINT raw_event_id IF NOT EXISTS FOR (e:RawEvent) REQUIRE e.id IS UNIQUE',
  'CREATE CONSTRAINT casegraph_meta_key IF NOT EXISTS FOR (m:CasegraphMeta) REQUIRE m.key IS UNIQUE',
  'CREATE CONSTRAINT annotation_id IF NOT EXISTS FOR (a:Annotation) REQUIRE a.id IS UNIQUE',
  'CREATE INDEX annotation_entity IF NOT EXISTS FOR (a:Annotation) ON (a.entityId)',
  'CREATE INDEX annotation_target IF NOT EXISTS FOR (a:Annotation) ON (a.targetId)',
  'CREATE INDEX source_case IF NOT EXISTS FOR (s:Source) ON (s.case)',
  'CREATE INDEX raw_event_link IF NOT EXISTS FOR (e:RawEvent) ON (e.linkId)',
  ...LINK_TYPES.map((t) => linkIdIndex(t)),
  `CREATE FULLTEXT INDEX ${FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Entity) ON EACH [n.searchLabel, n.searchText]
     OPTIONS {indexConfig: {\`fulltext.analyzer\`: 'unicode_whitespace', \`fulltext.eventually_consistent\`: false}}`,
];

/** A range index on the id of one relationship type (links are found by id when merged and dumped). */
export function linkIdIndex(type: LinkType): string {
  const t = relType(type);
  return `CREATE INDEX link_id_${t} IF NOT EXISTS FOR ()-[r:${t}]-() ON (r.id)`;
}

// ---------------------------------------------------------------------------------------------------------
// Fixed statements.

export const Q = {
  awaitIndexes: 'CALL db.awaitIndexes($seconds)',
  schemaVersion: `MERGE (m:CasegraphMeta {key: 'schema'}) ON CREATE SET m.version = $version RETURN m.version AS version`,
  serverComponents: 'CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition',

  // --- writes (all inside one transaction per source) ---
  /** Takes the import lock (a write lock on the sequence node, held until commit) and the next sequence number. */
  takeSequence: `MERGE (m:CasegraphMeta {key: 'sequence'}) ON CREATE SET m.next = 0
     SET m.next = m.next + 1 RETURN m.next AS next`,
  storeSequence: `MATCH (m:CasegraphMeta {key: 'sequence'}) SET m.next = $next`,
  sourceExists: 'MATCH (s:Source {id: $id}) RETURN count(s) AS n',
  createSource: 'CREATE (s:Source) SET s = $props',
  finishSource: 'MATCH (s:Source {id: $id}) SET s += $set',
  entitiesById: 'UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN properties(n) AS props',
  entityIdsExisting: 'UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n.id AS id',
  updateEntities: 'UNWIND $rows AS row MATCH (n:Entity {id: row.id}) SET n += row.set',
  assertEntities: `MATCH (s:Source {id: $sourceId})
     UNWIND $rows AS row MATCH (n:Entity {id: row.id})
     MERGE (s)-[:ASSERTS {locator: row.locator}]->(n)`,
  eventIdsExisting: 'UNWIND $ids AS id MATCH (e:RawEvent {id: id}) RETURN e.id AS id',
  createEvents: 'UNWIND $rows AS row CREATE (e:RawEvent) SET e = row',
  assertEvents: `MATCH (s:Source {id: $sourceId})
     UNWIND $rows AS row MATCH (e:RawEvent {id: row.id})
     MERGE (s)-[:ASSERTS {locator: row.locator}]->(e)`,
  /** Recomputes a communication link's aggregates from all its raw events (any source). */
  aggregateLinks: `UNWIND $rows AS row
     MATCH (:Entity {id: row.fromId})-[r]->(:Entity {id: row.toId})
     WHERE r.id = row.linkId
     OPTIONAL MATCH (e:RawEvent {linkId: row.linkId})
     WITH r, count(e) AS n, sum(e.durationS) AS total, min(e.at) AS first, max(e.at) AS last
     SET r.count = n, r.durationS = total, r.firstAt = first, r.lastAt = last`,

  // --- reads ---
  entityById: 'MATCH (n:Entity {id: $id}) RETURN properties(n) AS props',
  /**
   * Per-case access: each of $ids that is an entity, and whether a source of one of $cases asserts it (ids
   * that are no entity come back as no row: the adapter then looks them up as links).
   */
  visibleEntities: `UNWIND $ids AS id
     MATCH (n:Entity {id: id})
     RETURN id, EXISTS { MATCH (s:Source)-[:ASSERTS]->(n) WHERE s.case IN $cases } AS visible`,
  entityProvenance: `MATCH (s:Source)-[p:ASSERTS]->(:Entity {id: $id}) RETURN ${SOURCE_FIELDS} AS source, p.locator AS locator`,
  entityLinkStats: `MATCH (n:Entity {id: $id})
     OPTIONAL MATCH (n)-[r:${ANY_LINK}]-()
     RETURN count(DISTINCT r) AS degree, min(r.firstAt) AS first, max(r.lastAt) AS last`,
  search: `CALL db.index.fulltext.queryNodes('${FULLTEXT_INDEX}', $query) YIELD node, score
     WHERE $types IS NULL OR node.type IN $types
     RETURN node.id AS id, node.type AS type, node.label AS label, score
     ORDER BY score DESC, id LIMIT $limit`,
  /** One ring of a breadth-first expansion: distinct neighbours of the frontier, sorted by id. */
  neighbourStep: `UNWIND $frontier AS fid
     MATCH (:Entity {id: fid})-[r:${ANY_LINK}]-(e:Entity)
     WHERE ($linkTypes IS NULL OR type(r) IN $linkTypes) AND ($entityTypes IS NULL OR e.type IN $entityTypes)
     RETURN DISTINCT e.id AS id ORDER BY id`,
  linksAmong: `UNWIND $from AS id
     MATCH (a:Entity {id: id})-[r:${ANY_LINK}]->(b:Entity)
     WHERE b.id IN $ids AND ($linkTypes IS NULL OR type(r) IN $linkTypes)
     RETURN a.id AS from, b.id AS to, type(r) AS type, properties(r) AS props`,
  /**
   * Links touching each id, outgoing and incoming, each direction cut at $limit (the caller asks for one more
   * than it keeps, to tell a hub). No ORDER BY inside, so the cut stops reading a supernode's relationships early.
   */
  adjacency: `UNWIND $ids AS id
     MATCH (n:Entity {id: id})
     RETURN id,
       COLLECT { MATCH (n)-[r:${ANY_LINK}]->(m:Entity) WHERE $linkTypes IS NULL OR type(r) IN $linkTypes
                 RETURN {id: r.id, type: type(r), from: id, to: m.id} LIMIT $limit } AS outgoing,
       COLLECT { MATCH (n)<-[r:${ANY_LINK}]-(m:Entity) WHERE $linkTypes IS NULL OR type(r) IN $linkTypes
                 RETURN {id: r.id, type: type(r), from: m.id, to: id} LIMIT $limit } AS incoming`,
  caseEntityIds: `MATCH (:Source {case: $case})-[:ASSERTS]->(e:Entity)
     WITH DISTINCT e
     RETURN e.id AS id ORDER BY e.seq LIMIT $limit`,
  caseEntityCount: 'MATCH (:Source {case: $case})-[:ASSERTS]->(e:Entity) RETURN count(DISTINCT e) AS n',
  listCases: `MATCH (s:Source)
     OPTIONAL MATCH (s)-[:ASSERTS]->(e:Entity)
     RETURN s.case AS name, count(DISTINCT s) AS sources, count(DISTINCT e) AS entities, max(s.importedAt) AS lastImportAt`,
  /** Oldest first; ties (same millisecond) by id, as SQLite's primary-key order breaks them in the embedded store. */
  allSources: `MATCH (s:Source) RETURN ${SOURCE_FIELDS} AS source ORDER BY s.importedAt, s.id`,
  sourcesInCase: `MATCH (s:Source {case: $case}) RETURN ${SOURCE_FIELDS} AS source ORDER BY s.importedAt, s.id`,
  countEntities: 'MATCH (n:Entity) RETURN count(n) AS n',
  /** One branch per relationship type, so each count comes from the count store (a type union would scan). */
  countLinks: LINK_TYPES.map((t) => `MATCH ()-[r:${relType(t)}]->() RETURN count(r) AS n`).join('\nUNION ALL\n'),
  countEvents: 'MATCH (e:RawEvent) RETURN count(e) AS n',
  countSources: 'MATCH (s:Source) RETURN count(s) AS n',
  /** Per-type counts from the label count store: one branch per ontology type. */
  countByType: ENTITY_TYPES.map((t) => `MATCH (n:${entityLabel(t)}) RETURN '${t}' AS type, count(n) AS n`).join('\nUNION ALL\n'),
  createAnnotation: 'CREATE (a:Annotation) SET a = $props',
  annotations: `MATCH (a:Annotation)
     WHERE ($entityId IS NULL OR a.entityId = $entityId OR a.targetId = $entityId) AND ($kind IS NULL OR a.kind = $kind)
     RETURN properties(a) AS props ORDER BY a.seq`,
  sourceEntities: `MATCH (:Source {id: $sourceId})-[p:ASSERTS]->(n:Entity)
     WITH n, collect(p.locator) AS locators
     RETURN properties(n) AS props, locators ORDER BY n.seq`,
  sourceEvents: `MATCH (:Source {id: $sourceId})-[p:ASSERTS]->(e:RawEvent)
     WITH e, collect(p.locator) AS locators
     RETURN properties(e) AS props, locators ORDER BY e.at, e.id`,
  sourceLinkManifest: 'MATCH (s:Source {id: $sourceId}) RETURN s.linkIds AS ids, s.linkTypes AS types',
  /**
   * Numbers, accounts and e-mails in the data of two or more devices: a device's saved contact, its own line
   * (USES_PHONE), or a party its own line called or messaged. Ranked by device count, then id; the type
   * filter applies after the limit, as in the embedded store.
   */
  crossDeviceHits: `MATCH (d:Device)
     WHERE $case IS NULL OR EXISTS { MATCH (:Source {case: $case})-[:ASSERTS]->(d) }
     WITH d,
       [(d)-[:HAS_CONTACT]->(x:Entity) | [x, 'contact']] +
       [(d)-[:USES_PHONE]->(x:Entity) | [x, 'owner']] +
       [(d)-[:USES_PHONE]->(:Entity)-[r:CALLED|MESSAGED]-(x:Entity) | [x, CASE type(r) WHEN 'CALLED' THEN 'call' ELSE 'message' END]] AS seen
     UNWIND seen AS s
     WITH s[0] AS x, d, collect(DISTINCT s[1]) AS hows
     WITH x, count(d) AS n, collect({id: d.id, label: d.label, as: hows}) AS devices
     WHERE n >= $minDevices
     WITH x, n, devices ORDER BY n DESC, x.id LIMIT $limit
     WITH x, n, devices WHERE x.type IN ['Phone', 'Account', 'Email']
     RETURN x.id AS id, x.type AS type, x.label AS label, n AS deviceCount, devices
     ORDER BY deviceCount DESC, id`,

  // --- analysis reads (scope: a case, or the links among ids; window: [$from, $to)) ---
  eventCountsInCase: `${CASE_EVENTS}\n     ${IN_WINDOW}\n     ${COUNT_BY_DAY}`,
  eventCountsAmongIds: `${IDS_EVENTS}\n     ${IN_WINDOW}\n     ${COUNT_BY_DAY}`,
  eventSpanInCase: `${CASE_EVENTS}\n     ${SPAN}`,
  eventSpanAmongIds: `${IDS_EVENTS}\n     ${SPAN}`,
  linkActivityInCase: `${CASE_EVENTS}\n     ${IN_WINDOW}\n     ${ACTIVITY}`,
  linkActivityAmongIds: `${IDS_EVENTS}\n     ${IN_WINDOW}\n     ${ACTIVITY}`,
  /** Event entities of the case with a date prop ($dateKey: its stored property name), in creation order. */
  datedEventsInCase: `MATCH (:Source {case: $case})-[:ASSERTS]->(n:Event) WHERE n[$dateKey] IS NOT NULL
     WITH DISTINCT n
     RETURN properties(n) AS props ORDER BY n.seq LIMIT $limit`,
} as const;

// ---------------------------------------------------------------------------------------------------------
// Templates: one statement per ontology label or relationship type (Cypher 5 cannot parameterise them).

export const T = {
  createEntities(type: EntityType): string {
    return `UNWIND $rows AS row CREATE (n:Entity:${entityLabel(type)}) SET n = row`;
  },
  linksById(type: LinkType): string {
    return `UNWIND $ids AS id MATCH (a:Entity)-[r:${relType(type)} {id: id}]->(b:Entity)
       RETURN a.id AS from, b.id AS to, properties(r) AS props`;
  },
  createLinks(type: LinkType): string {
    return `UNWIND $rows AS row
       MATCH (a:Entity {id: row.fromId})
       MATCH (b:Entity {id: row.toId})
       CREATE (a)-[r:${relType(type)}]->(b) SET r = row.props
       RETURN count(r) AS n`;
  },
  updateLinks(type: LinkType): string {
    return `UNWIND $rows AS row MATCH ()-[r:${relType(type)} {id: row.id}]->() SET r += row.set`;
  },
  /**
   * Per-case access: those of $ids that are links of this type asserted by a source of one of $cases. A link's
   * provenance is its `sourceIds` (one per locator, as the adapter writes and dumps it); the source ids are
   * sought through the Source.id constraint, the link through its type's id index.
   */
  visibleLinks(type: LinkType): string {
    return `UNWIND $ids AS id MATCH ()-[r:${relType(type)} {id: id}]->()
       WHERE EXISTS { MATCH (s:Source) WHERE s.id IN r.sourceIds AND s.case IN $cases }
       RETURN DISTINCT id`;
  },
};

/**
 * Test-only: empties the database between contract tests. Never used by the adapter; the suite runs it
 * only when NEO4J_TEST_WIPE names the database (see docs/neo4j.md). One transaction is enough for the few
 * hundred nodes a contract test writes (`CALL (n) {…} IN TRANSACTIONS` would need Neo4j 5.23+).
 */
export const TEST_WIPE = 'MATCH (n) DETACH DELETE n';

/** Property keys the statements use (user props are stored as `p_<key>`/`pj_<key>` and never named in a statement). */
export const PROPERTY_KEYS = [
  'id', 'type', 'label', 'search', 'searchLabel', 'searchText', 'propKeys', 'seq', 'createdAt',
  'sha256', 'kind', 'name', 'case', 'title', 'documentId', 'importedAt', 'importedBy', 'entities', 'links', 'events', 'linkIds', 'linkTypes',
  'linkId', 'fromId', 'toId', 'at', 'durationS', 'deleted', 'original',
  'count', 'firstAt', 'lastAt', 'sourceIds', 'locators', 'locator', 'key', 'next', 'version',
  'entityId', 'targetId', 'text', 'by',
] as const;

/** Labels and relationship types the adapter creates. */
export const LABELS = ['Entity', 'Source', 'RawEvent', 'Annotation', 'CasegraphMeta', ...ENTITY_TYPES] as const;
export const RELATIONSHIP_TYPES = ['ASSERTS', ...LINK_TYPES] as const;

/** Every statement the adapter can send, templates expanded for every enum value (what the lint test runs). */
export function allStatements(): { name: string; query: string }[] {
  const out: { name: string; query: string }[] = [];
  SCHEMA.forEach((query, i) => out.push({ name: `SCHEMA[${i}]`, query }));
  for (const [name, query] of Object.entries(Q)) out.push({ name: `Q.${name}`, query });
  for (const t of ENTITY_TYPES) out.push({ name: `T.createEntities(${t})`, query: T.createEntities(t) });
  for (const t of LINK_TYPES) {
    out.push({ name: `T.linksById(${t})`, query: T.linksById(t) });
    out.push({ name: `T.createLinks(${t})`, query: T.createLinks(t) });
    out.push({ name: `T.updateLinks(${t})`, query: T.updateLinks(t) });
    out.push({ name: `T.visibleLinks(${t})`, query: T.visibleLinks(t) });
  }
  out.push({ name: 'TEST_WIPE', query: TEST_WIPE });
  return out;
}
