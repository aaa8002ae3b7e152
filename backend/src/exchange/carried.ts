// The exact Casegraph records a graph-shaped exchange file carries beside its third-party-readable
// form (GraphML/GEXF attributes, Cytoscape data, FtM context): the source table, and per record its
// provenance as [[sourceIndex, [locators…]], …]. Reading a Casegraph file back validates all of it and
// regroups the records into one Batch per original source, in the original order, so each source is
// recreated with its own sha256, case, import time and locators (re-opening the file changes nothing).
import { z } from 'zod';
import { importError } from '../errors.ts';
import {
  EntityTypeSchema, isEntityType, linkAllowed, LinkTypeSchema, Locator, Props, SourceInfo,
  type Batch, type EntityRecord, type EntityType, type EventRecord, type LinkRecord,
} from '../model/index.ts';
import type { Prov, ScopeEntity, ScopeEvent, ScopeLink, ScopeSource } from './scope.ts';

export const Id = z.string().min(1).max(200);

/** `[[sourceIndex, [locators]], …]` */
export const ProvJson = z.array(z.tuple([z.number().int().min(0).max(1_000_000), z.array(Locator).max(1000)])).min(1).max(10_000);
export type ProvJson = z.infer<typeof ProvJson>;

export const encodeProv = (prov: readonly Prov[]): ProvJson => prov.map((p) => [p.s, p.l]);
export const decodeProv = (p: ProvJson): Prov[] => p.map(([s, l]) => ({ s, l }));

export const CarriedSource = SourceInfo.extend({ importedAt: z.string().max(40), importedBy: z.string().max(120) });
export const CarriedSources = z.array(CarriedSource).max(100_000);

export const CarriedEntity = z.object({
  id: Id, type: EntityTypeSchema, label: z.string().max(500), props: Props, search: z.array(z.string().max(1000)).max(10_000).default([]), prov: ProvJson,
});
export const CarriedLink = z.object({ id: Id, type: LinkTypeSchema, from: Id, to: Id, props: Props, prov: ProvJson });
export const CarriedEvent = z.object({
  id: Id, kind: z.string().max(40), linkId: Id, from: Id, to: Id, at: z.string().max(40), durationS: z.number().nonnegative().nullable().default(null),
  deleted: z.boolean().default(false), original: z.string().max(200).default(''), props: Props.default({}), prov: ProvJson,
});

export interface Carried {
  sources: ScopeSource[];
  entities: ScopeEntity[];
  links: ScopeLink[];
  events: ScopeEvent[];
}

/** Parses one carried value with a position for the message. */
export function parseCarried<T extends z.ZodType>(schema: T, value: unknown, file: string, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw importError(file, where, `${issue.path.map(String).join('.') || 'value'}: ${issue.message}`);
  }
  return r.data;
}

/**
 * Checks a carried graph as a whole and regroups it per source. Every link's ends must be entities of
 * the file, allowed for its type by the ontology, and asserted by the link's source or an earlier one
 * (sources are written in order, each in its own transaction); every event's link must be in the file.
 * `caseOverride` moves every source into one case (same sha256, new case = new source).
 */
export function toBatches(c: Carried, file: string, caseOverride?: string): Batch[] {
  const n = c.sources.length;
  const firstSource = new Map<string, number>();
  const types = new Map<string, EntityType>();
  const checkProv = (prov: Prov[], what: string) => {
    for (const p of prov) if (p.s >= n) throw importError(file, what, `provenance names source ${p.s}, but the file lists ${n} source(s)`);
  };
  for (const e of c.entities) {
    if (!isEntityType(e.type)) throw importError(file, `entity ${e.id}`, `unknown type "${e.type}"`);
    if (types.has(e.id)) throw importError(file, `entity ${e.id}`, 'the id occurs twice');
    checkProv(e.prov, `entity ${e.id}`);
    types.set(e.id, e.type);
    let first = Infinity;
    for (const p of e.prov) if (p.s < first) first = p.s;
    firstSource.set(e.id, first);
  }
  const linkIds = new Set<string>();
  for (const l of c.links) {
    const where = `link ${l.id}`;
    checkProv(l.prov, where);
    if (linkIds.has(l.id)) throw importError(file, where, 'the id occurs twice');
    linkIds.add(l.id);
    const ft = types.get(l.from);
    const tt = types.get(l.to);
    if (!ft || !tt) throw importError(file, where, `refers to entity ${!ft ? l.from : l.to}, which the file does not contain`);
    if (!linkAllowed(l.type, ft, tt)) throw importError(file, where, `${l.type} cannot join ${ft} to ${tt}`);
    for (const p of l.prov) {
      if (firstSource.get(l.from)! > p.s || firstSource.get(l.to)! > p.s) {
        throw importError(file, where, `source ${p.s} asserts this link before any source asserts both of its entities`);
      }
    }
  }
  for (const ev of c.events) {
    checkProv(ev.prov, `event ${ev.id}`);
    if (!linkIds.has(ev.linkId)) throw importError(file, `event ${ev.id}`, `refers to link ${ev.linkId}, which the file does not contain`);
  }
  const batches: Batch[] = c.sources.map((s) => ({
    source: { sha256: s.sha256, kind: s.kind, name: s.name, case: caseOverride ?? s.case, importedBy: s.importedBy, importedAt: s.importedAt || undefined, ...(s.title ? { title: s.title } : {}), ...(s.documentId ? { documentId: s.documentId } : {}) },
    entities: [], links: [], events: [], warnings: [],
  }));
  for (const e of c.entities) {
    for (const p of e.prov) {
      const rec: EntityRecord = { id: e.id, type: e.type, label: e.label, props: e.props, search: e.search, locators: p.l };
      batches[p.s].entities.push(rec);
    }
  }
  for (const l of c.links) {
    for (const p of l.prov) {
      const rec: LinkRecord = { id: l.id, type: l.type, from: l.from, to: l.to, props: l.props, locators: p.l };
      batches[p.s].links.push(rec);
    }
  }
  for (const ev of c.events) {
    for (const p of ev.prov) {
      const rec: EventRecord = {
        id: ev.id, kind: ev.kind, linkId: ev.linkId, from: ev.from, to: ev.to, at: ev.at, durationS: ev.durationS, deleted: ev.deleted, original: ev.original,
        props: ev.props, locator: p.l[0] ?? '',
      };
      batches[p.s].events.push(rec);
    }
  }
  return batches;
}
