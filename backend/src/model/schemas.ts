// Canonical shapes as zod schemas; types are inferred from them. A Batch is what every importer produces
// and what GraphStore.apply takes in one transaction.
import { z } from 'zod';
import { ENTITY_TYPES, LINK_TYPES } from './ontology.ts';

export const EntityTypeSchema = z.enum(ENTITY_TYPES);
export const LinkTypeSchema = z.enum(LINK_TYPES);

/** Property values are JSON scalars or arrays of scalars: easy to store natively in SQLite JSON and Neo4j. */
export const PropValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);
export const Props = z.record(z.string(), PropValue);
export type Props = z.infer<typeof Props>;

export const Locator = z.string().max(500);

export const EntityRecord = z.object({
  id: z.string(),
  type: EntityTypeSchema,
  label: z.string().max(500),
  props: Props,
  /** searchable strings besides the label: aliases, numbers and their digit suffixes, handles */
  search: z.array(z.string()).default([]),
  /** where the source asserts it (paragraph, XML path, table/row); several when the source repeats it */
  locators: z.array(Locator),
});
export type EntityRecord = z.infer<typeof EntityRecord>;

export const LinkRecord = z.object({
  id: z.string(),
  type: LinkTypeSchema,
  from: z.string(),
  to: z.string(),
  props: Props,
  locators: z.array(Locator),
});
export type LinkRecord = z.infer<typeof LinkRecord>;

/** A raw timed event (call, message, travel leg). Communication events roll up onto their link. */
export const EventRecord = z.object({
  id: z.string(),
  kind: z.string().max(40),
  linkId: z.string(),
  from: z.string(),
  to: z.string(),
  /** UTC ISO-8601 */
  at: z.string(),
  durationS: z.number().nonnegative().nullable().default(null),
  deleted: z.boolean().default(false),
  /** the timestamp as the source wrote it, and the zone assumed when it had none */
  original: z.string().max(200).default(''),
  props: Props.default({}),
  locator: Locator,
});
export type EventRecord = z.infer<typeof EventRecord>;

export const SourceInfo = z.object({
  /** sha256 of the imported bytes; with the case it identifies the source (re-import = no-op) */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kind: z.string().max(40),
  name: z.string().max(300),
  case: z.string().min(1).max(120),
  title: z.string().max(500).optional(),
  documentId: z.string().optional(),
  importedBy: z.string().max(120).default('local'),
  /** kept when a source is copied between stores; otherwise the store's clock */
  importedAt: z.string().optional(),
});
export type SourceInfo = z.input<typeof SourceInfo>;

export const Source = SourceInfo.extend({
  id: z.string(),
  importedAt: z.string(),
  importedBy: z.string(),
  counts: z.object({ entities: z.number(), links: z.number(), events: z.number() }),
});
export type Source = z.infer<typeof Source>;

/** Part of a source's records. Large imports stream many chunks into one transaction. */
export interface BatchChunk {
  entities: EntityRecord[];
  links: LinkRecord[];
  events: EventRecord[];
  warnings: string[];
}

/** All the records of one source. */
export interface Batch extends BatchChunk {
  source: SourceInfo;
}

export const ApplyResult = z.object({
  status: z.enum(['applied', 'already_imported']),
  sourceId: z.string(),
  case: z.string(),
  entities: z.object({ created: z.number(), merged: z.number() }),
  links: z.object({ created: z.number(), merged: z.number() }),
  events: z.object({ created: z.number(), merged: z.number() }),
  warnings: z.array(z.string()),
});
export type ApplyResult = z.infer<typeof ApplyResult>;

/** The answer to importing bytes the case already has: nothing changes. */
export function alreadyImported(sourceId: string, caseName: string): ApplyResult {
  const none = { created: 0, merged: 0 };
  return { status: 'already_imported', sourceId, case: caseName, entities: none, links: none, events: none, warnings: [] };
}

export const ProvenanceView = z.object({
  sourceId: z.string(),
  sourceName: z.string(),
  sourceKind: z.string(),
  sha256: z.string(),
  case: z.string(),
  importedAt: z.string(),
  locator: z.string(),
  title: z.string().optional(),
  documentId: z.string().optional(),
});
export type ProvenanceView = z.infer<typeof ProvenanceView>;

export const EntityView = z.object({
  id: z.string(),
  type: EntityTypeSchema,
  label: z.string(),
  props: Props,
  degree: z.number().int().optional(),
});
export type EntityView = z.infer<typeof EntityView>;

export const LinkView = z.object({
  id: z.string(),
  type: LinkTypeSchema,
  from: z.string(),
  to: z.string(),
  props: Props,
  count: z.number().int().optional(),
  durationS: z.number().optional(),
  firstAt: z.string().optional(),
  lastAt: z.string().optional(),
});
export type LinkView = z.infer<typeof LinkView>;

export const GraphView = z.object({
  entities: z.array(EntityView),
  links: z.array(LinkView),
  /** true when a cap cut the result; `total` then says how many entities matched */
  capped: z.boolean(),
  total: z.number().int().optional(),
  cap: z.number().int().optional(),
});
export type GraphView = z.infer<typeof GraphView>;

/**
 * A graph view as the API sends it, lighter for the canvas (a 2-hop view is ~1 MB of JSON; serialising,
 * sending and parsing it grow with its size): a link without properties has no `props`, and a phone's
 * `aliases` (the search terms: digit suffixes of its number, contact names) are left out of its props.
 * GET /entities/{id} has every property.
 */
export const WireLinkView = LinkView.extend({ props: Props.optional().describe('the link\'s properties; absent when it has none') });
export type WireLinkView = z.infer<typeof WireLinkView>;
export const WireGraphView = GraphView.extend({ links: z.array(WireLinkView) })
  .describe('Entities and the links among them. A link without properties has no props; a phone\'s search aliases are left out (GET /entities/{id} has every property).');
export type WireGraphView = z.infer<typeof WireGraphView>;

export const EntityDetail = EntityView.extend({
  sources: z.array(ProvenanceView),
  cases: z.array(z.string()),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  degree: z.number().int(),
  /** analysts' notes on this entity (and on entities merged into it) */
  notes: z.array(z.lazy(() => Annotation)).optional(),
  /** entities an analyst merged into this one; each merge can be undone by its annotation id */
  merged: z.array(z.object({ id: z.string(), label: z.string(), type: EntityTypeSchema, annotationId: z.string(), by: z.string(), at: z.string() })).optional(),
});
export type EntityDetail = z.infer<typeof EntityDetail>;

export const SearchHit = z.object({ id: z.string(), type: EntityTypeSchema, label: z.string(), snippet: z.string().optional(), score: z.number() });
export type SearchHit = z.infer<typeof SearchHit>;

export const Counts = z.object({
  entities: z.number().int(),
  links: z.number().int(),
  events: z.number().int(),
  sources: z.number().int(),
  byType: z.record(z.string(), z.number().int()),
});
export type Counts = z.infer<typeof Counts>;

export const CaseSummary = z.object({ name: z.string(), sources: z.number().int(), entities: z.number().int(), lastImportAt: z.string() });
export type CaseSummary = z.infer<typeof CaseSummary>;

/** A number (or account) found in the data of two or more seized devices. */
export const CrossDeviceHit = z.object({
  id: z.string(),
  type: EntityTypeSchema,
  label: z.string(),
  deviceCount: z.number().int(),
  devices: z.array(z.object({ id: z.string(), label: z.string(), as: z.array(z.enum(['contact', 'call', 'message', 'owner'])) })),
});
export type CrossDeviceHit = z.infer<typeof CrossDeviceHit>;

/** Analyst annotations: an append-only log beside the graph (notes, merges and their undoing, exports, unredacted exports). */
export const AnnotationKind = z.enum(['note', 'merge', 'unmerge', 'export', 'unredaction']);
export const AnnotationInput = z.object({
  kind: AnnotationKind,
  /** the entity noted, or the entity kept by a merge */
  entityId: z.string().max(100),
  /** merge: the entity merged into entityId; unmerge: the id of the merge annotation undone */
  targetId: z.string().max(100).optional(),
  text: z.string().max(20_000).optional(),
  by: z.string().max(120),
  at: z.string(),
});
export type AnnotationInput = z.infer<typeof AnnotationInput>;
export const Annotation = AnnotationInput.extend({ id: z.string() });
export type Annotation = z.infer<typeof Annotation>;
