// What an export contains: the entities, links, events and sources of a view (ids) or of a case, with
// the provenance of every record (which source asserts it, at which locators). Collected through the
// store port's dump() — the only read that returns locators and raw events — filtered to the scope.
// Records are held once each (memory grows with the scope, never with the file written).
import { AppError } from '../errors.ts';
import type { EntityType, LinkType, Props, SourceInfo } from '../model/index.ts';
import { Resolution } from '../services/resolution.ts';
import type { GraphStore } from '../storage/port.ts';

/** Provenance of a record in one source: the source's index in `Scope.sources` and its locators there. */
export interface Prov {
  s: number;
  l: string[];
}

export interface ScopeEntity {
  id: string;
  type: EntityType;
  label: string;
  props: Props;
  search: string[];
  prov: Prov[];
}

export interface ScopeLink {
  id: string;
  type: LinkType;
  from: string;
  to: string;
  props: Props;
  prov: Prov[];
}

export interface ScopeEvent {
  id: string;
  kind: string;
  linkId: string;
  from: string;
  to: string;
  at: string;
  durationS: number | null;
  deleted: boolean;
  original: string;
  props: Props;
  prov: Prov[];
}

/** A source as exports carry it: everything needed to recreate it with the same identity (sha256 + case). */
export type ScopeSource = Required<Pick<SourceInfo, 'sha256' | 'kind' | 'name' | 'case' | 'importedBy' | 'importedAt'>> & Pick<SourceInfo, 'title' | 'documentId'>;

/** An analyst merge between two entities of the scope (carried by snapshots so a view reopens merged). */
export interface ScopeMerge {
  keep: string;
  merge: string;
  by: string;
  at: string;
  text?: string;
}

export type ScopeKind = 'view' | 'case' | 'store';

export interface Scope {
  kind: ScopeKind;
  case?: string;
  /** the ids the view showed (before merges were expanded), for snapshots */
  ids?: string[];
  sources: ScopeSource[];
  entities: Map<string, ScopeEntity>;
  links: Map<string, ScopeLink>;
  events: Map<string, ScopeEvent>;
  /** per source (same index as `sources`): the ids of its records in dump order */
  bySource: { entities: string[]; links: string[]; events: string[] }[];
  merges: ScopeMerge[];
}

export interface ScopeRequest {
  ids?: string[];
  case?: string;
  /**
   * Per-case access: only these cases' sources are read (undefined: all). Records, sources and locators that
   * only other cases assert are then left out, even of an entity these cases share; a case outside the list
   * answers as one that does not exist, and so does a view id none of them asserts.
   */
  cases?: readonly string[];
}

/** Above this many view ids the relevant cases are not looked up one entity at a time: every source is read. */
const LOOKUP_LIMIT = 2000;

export function emptyScope(kind: ScopeKind, caseName?: string): Scope {
  return { kind, case: caseName, sources: [], entities: new Map(), links: new Map(), events: new Map(), bySource: [], merges: [] };
}

/**
 * Collects a scope: `ids` (a view: those entities, the links among them and their events), else `case`
 * (everything its sources assert), else the whole store. Analysts' merges are expanded so a view's
 * merged entities bring the records merged into them.
 */
export async function collectScope(store: GraphStore, req: ScopeRequest): Promise<Scope> {
  const annotations = await store.listAnnotations();
  const res = Resolution.fromAnnotations(annotations.filter((a) => a.kind === 'merge' || a.kind === 'unmerge'));
  let wanted: Set<string> | null = null;
  let cases: (string | undefined)[];
  const allowed = req.cases ? new Set(req.cases) : null;
  if (req.case !== undefined && ((allowed && !allowed.has(req.case)) || (await store.listSources(req.case)).length === 0)) {
    throw new AppError('not_found', `no case named "${req.case}"`);
  }
  if (allowed && req.ids) {
    // view ids none of the user's cases asserts are refused as missing ones (not dropped: the user asked for them)
    const seen = await store.visibleIn([...new Set(req.ids)], [...allowed]);
    const hidden = req.ids.find((id) => !seen.has(id));
    if (hidden !== undefined) throw new AppError('not_found', `no entity with id ${hidden}`);
  }
  if (req.ids) {
    const canon = [...new Set(req.ids.map((id) => res.canon(id)))];
    wanted = new Set(res.expand(canon));
    if (req.case !== undefined) cases = [req.case];
    else if (wanted.size <= LOOKUP_LIMIT) {
      const found = new Set<string>();
      for (const id of wanted) {
        const e = await store.getEntity(id);
        if (!e) throw new AppError('not_found', `no entity with id ${id}`);
        for (const c of e.cases) if (!allowed || allowed.has(c)) found.add(c);
      }
      cases = [...found].sort();
    } else cases = allowed ? [...allowed].sort() : [undefined];
  } else cases = req.case === undefined && allowed ? [...allowed].sort() : [req.case];

  const scope = emptyScope(req.ids ? 'view' : req.case !== undefined ? 'case' : 'store', req.case);
  if (req.ids) scope.ids = [...new Set(req.ids)];
  for (const c of cases) {
    for await (const batch of store.dump(c)) {
      let s = -1;
      const open = () => {
        if (s < 0) {
          s = scope.sources.length;
          const src = batch.source;
          scope.sources.push({
            sha256: src.sha256, kind: src.kind, name: src.name, case: src.case, importedBy: src.importedBy ?? 'local', importedAt: src.importedAt ?? '',
            ...(src.title ? { title: src.title } : {}), ...(src.documentId ? { documentId: src.documentId } : {}),
          });
          scope.bySource.push({ entities: [], links: [], events: [] });
        }
        return scope.bySource[s];
      };
      for (const e of batch.entities) {
        if (wanted && !wanted.has(e.id)) continue;
        const ids = open().entities;
        ids.push(e.id);
        const known = scope.entities.get(e.id);
        if (known) known.prov.push({ s, l: e.locators });
        else {
          // the dump's record becomes the scope's (no copy: exports of 100k records stay cheap)
          const rec = e as unknown as ScopeEntity;
          rec.prov = [{ s, l: e.locators }];
          rec.search ??= [];
          scope.entities.set(e.id, rec);
        }
      }
      const linkHere = new Set<string>();
      for (const l of batch.links) {
        if (wanted && !(wanted.has(l.from) && wanted.has(l.to))) continue;
        open().links.push(l.id);
        linkHere.add(l.id);
        const known = scope.links.get(l.id);
        if (known) known.prov.push({ s, l: l.locators });
        else {
          const rec = l as unknown as ScopeLink;
          rec.prov = [{ s, l: l.locators }];
          scope.links.set(l.id, rec);
        }
      }
      for (const ev of batch.events) {
        if (!linkHere.has(ev.linkId)) continue;
        open().events.push(ev.id);
        const known = scope.events.get(ev.id);
        if (known) known.prov.push({ s, l: [ev.locator] });
        else {
          const rec = ev as unknown as ScopeEvent;
          rec.prov = [{ s, l: [ev.locator] }];
          rec.durationS ??= null;
          rec.deleted ??= false;
          rec.original ??= '';
          rec.props ??= {};
          scope.events.set(ev.id, rec);
        }
      }
    }
  }
  if (cases.length > 1) reorderSources(scope);
  for (const m of res.merges()) {
    if (scope.entities.has(m.keep) && scope.entities.has(m.merged)) {
      const a = annotations.find((x) => x.id === m.annotationId);
      scope.merges.push({ keep: m.keep, merge: m.merged, by: m.by, at: m.at, ...(a?.text ? { text: a.text } : {}) });
    }
  }
  return scope;
}

/** Sources oldest first (as one dump of the whole store yields them), when several cases were read. */
function reorderSources(scope: Scope): void {
  const order = scope.sources.map((_, i) => i).sort((a, b) => {
    const x = scope.sources[a].importedAt;
    const y = scope.sources[b].importedAt;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  if (order.every((o, i) => o === i)) return;
  const newIndex = new Map(order.map((old, i) => [old, i]));
  scope.sources = order.map((o) => scope.sources[o]);
  scope.bySource = order.map((o) => scope.bySource[o]);
  for (const map of [scope.entities, scope.links, scope.events] as Map<string, { prov: Prov[] }>[]) {
    for (const r of map.values()) {
      for (const p of r.prov) p.s = newIndex.get(p.s)!;
      r.prov.sort((a, b) => a.s - b.s);
    }
  }
}

/** Aggregates of a communication link over the scope's events (count, total duration, first and last time). */
export interface LinkAggregate {
  count: number;
  durationS: number;
  firstAt: string;
  lastAt: string;
}

/** Events of each link, in time order, and their aggregates. */
export function eventsByLink(scope: Scope): Map<string, ScopeEvent[]> {
  const out = new Map<string, ScopeEvent[]>();
  for (const ev of scope.events.values()) {
    const list = out.get(ev.linkId);
    if (list) list.push(ev);
    else out.set(ev.linkId, [ev]);
  }
  for (const list of out.values()) list.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
  return out;
}

export function aggregate(events: readonly ScopeEvent[] | undefined): LinkAggregate | undefined {
  if (!events || events.length === 0) return undefined;
  let durationS = 0;
  for (const e of events) durationS += e.durationS ?? 0;
  return { count: events.length, durationS, firstAt: events[0].at, lastAt: events[events.length - 1].at };
}

export function scopeCounts(scope: Scope): { entities: number; links: number; events: number; sources: number } {
  return { entities: scope.entities.size, links: scope.links.size, events: scope.events.size, sources: scope.sources.length };
}
