// The whole GraphStore contract suite, run against the real Neo4j adapter code over an in-memory MODEL of its
// Cypher statements (each statement of cypher.ts executed by a small hand-written interpreter keyed by the
// statement itself, with transactions: isolation until commit, rollback). No Neo4j server runs here, so this
// cannot prove that Neo4j executes the Cypher as modelled — the lint test checks the Cypher and the live
// suite (test/storage/neo4j.test.ts) runs it for real when NEO4J_URI is set. What it does prove is that the
// adapter's own logic (merge rules, provenance, BFS caps and paging, dump, ordering, conversions, the copy
// round trip) meets the same contract as the embedded store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j, { isDateTime, isInt, type Integer } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { ENTITY_TYPES, LINK_TYPES, type Batch } from '../../backend/src/model/index.ts';
import { copyStore } from '../../backend/src/services/copy.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { Q, SCHEMA, T, TEST_WIPE } from '../../backend/src/storage/neo4j/cypher.ts';
import { openNeo4jStore, type DriverLike, type QueryRunner } from '../../backend/src/storage/neo4j/neo4j.graph-store.ts';
import { dateTimeToIso } from '../../backend/src/storage/neo4j/values.ts';
import { graphStoreContract } from '../storage/contract.ts';
import { buildCell } from '../factories.ts';

type Row = Record<string, unknown>;
interface Node { id: number; labels: Set<string>; props: Row }
interface Rel { id: number; type: string; start: number; end: number; props: Row }

class Graph {
  nodes = new Map<number, Node>();
  rels = new Map<number, Rel>();
  next = 1;
  clone(): Graph {
    const g = new Graph();
    for (const [k, n] of this.nodes) g.nodes.set(k, { id: n.id, labels: new Set(n.labels), props: { ...n.props } });
    for (const [k, r] of this.rels) g.rels.set(k, { ...r, props: { ...r.props } });
    g.next = this.next;
    return g;
  }
  create(labels: string[], props: Row): Node {
    const n = { id: this.next++, labels: new Set(labels), props: withoutNulls(props) };
    this.nodes.set(n.id, n);
    return n;
  }
  relate(type: string, start: Node, end: Node, props: Row): Rel {
    const r = { id: this.next++, type, start: start.id, end: end.id, props: withoutNulls(props) };
    this.rels.set(r.id, r);
    return r;
  }
  all(label: string): Node[] {
    return [...this.nodes.values()].filter((n) => n.labels.has(label));
  }
  one(label: string, key: string, value: unknown): Node | undefined {
    return [...this.nodes.values()].find((n) => n.labels.has(label) && n.props[key] === value);
  }
  node(id: number): Node {
    return this.nodes.get(id)!;
  }
}

const LINK = new Set<string>(LINK_TYPES);
const withoutNulls = (o: Row) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
const setAll = (target: Row, changes: Row) => {
  for (const [k, v] of Object.entries(changes)) if (v === null || v === undefined) delete target[k]; else target[k] = v;
};
const num = (v: unknown) => (isInt(v) ? (v as Integer).toNumber() : Number(v));
const iso = (v: unknown) => (isDateTime(v) ? dateTimeToIso(v as never) : String(v));
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const int = (n: number) => neo4j.int(n);
const sourceFields = (s: Node) => Object.fromEntries(['id', 'sha256', 'kind', 'name', 'case', 'title', 'documentId', 'importedAt', 'importedBy', 'entities', 'links', 'events', 'seq'].map((k) => [k, s.props[k] ?? null]));
const meta = (g: Graph, key: string) => g.one('CasegraphMeta', 'key', key) ?? g.create(['CasegraphMeta'], { key });

/** What each statement of cypher.ts does, written out by hand. */
function execute(g: Graph, q: string, p: Row): Row[] {
  const entity = (id: unknown) => g.one('Entity', 'id', id);
  const linkRels = (n: Node) => [...g.rels.values()].filter((r) => LINK.has(r.type) && (r.start === n.id || r.end === n.id));
  const asserted = (s: Node, label: string) => [...g.rels.values()].filter((r) => r.type === 'ASSERTS' && r.start === s.id && g.node(r.end).labels.has(label));
  const assertAll = (label: string) => {
    const s = g.one('Source', 'id', p.sourceId);
    if (!s) return [];
    for (const row of p.rows as Row[]) {
      const n = g.one(label, 'id', row.id);
      if (!n) continue;
      const exists = [...g.rels.values()].some((r) => r.type === 'ASSERTS' && r.start === s.id && r.end === n.id && r.props.locator === row.locator);
      if (!exists) g.relate('ASSERTS', s, n, { locator: row.locator });
    }
    return [];
  };
  /** RawEvents of a scope: asserted by a source of $case, or on a link from one of $ids to another. */
  const scopedEvents = (): Node[] => {
    if (p.case !== undefined) {
      const out = new Map<number, Node>();
      for (const s of g.all('Source').filter((x) => x.props.case === p.case)) for (const r of asserted(s, 'RawEvent')) out.set(r.end, g.node(r.end));
      return [...out.values()];
    }
    const ids = new Set(p.ids as string[]);
    const links = new Set([...g.rels.values()]
      .filter((r) => LINK.has(r.type) && ids.has(String(g.node(r.start).props.id)) && ids.has(String(g.node(r.end).props.id)))
      .map((r) => r.props.id));
    return g.all('RawEvent').filter((e) => links.has(e.props.linkId));
  };
  const inWindow = (e: Node) => (p.from === null || cmp(iso(e.props.at), iso(p.from)) >= 0) && (p.to === null || cmp(iso(e.props.at), iso(p.to)) < 0);
  if (SCHEMA.includes(q) || q === Q.awaitIndexes) return [];
  if (q === TEST_WIPE) {
    g.nodes.clear();
    g.rels.clear();
    return [];
  }
  switch (q) {
    case Q.schemaVersion: {
      const m = meta(g, 'schema');
      if (m.props.version === undefined) m.props.version = p.version;
      return [{ version: m.props.version }];
    }
    case Q.serverComponents: return [{ name: 'Neo4j Kernel', versions: ['5.26.0'], edition: 'community' }];
    case Q.takeSequence: {
      const m = meta(g, 'sequence');
      m.props.next = int(num(m.props.next ?? int(0)) + 1);
      return [{ next: m.props.next }];
    }
    case Q.storeSequence: meta(g, 'sequence').props.next = p.next; return [];
    case Q.sourceExists: return [{ n: int(g.all('Source').filter((s) => s.props.id === p.id).length) }];
    case Q.createSource: g.create(['Source'], p.props as Row); return [];
    case Q.finishSource: { const s = g.one('Source', 'id', p.id); if (s) setAll(s.props, p.set as Row); return []; }
    case Q.entitiesById: return (p.ids as string[]).flatMap((id) => { const n = entity(id); return n ? [{ props: { ...n.props } }] : []; });
    case Q.entityIdsExisting: return (p.ids as string[]).flatMap((id) => (entity(id) ? [{ id }] : []));
    case Q.updateEntities: for (const row of p.rows as Row[]) { const n = entity(row.id); if (n) setAll(n.props, row.set as Row); } return [];
    case Q.assertEntities: return assertAll('Entity');
    case Q.eventIdsExisting: return (p.ids as string[]).flatMap((id) => (g.one('RawEvent', 'id', id) ? [{ id }] : []));
    case Q.createEvents: for (const row of p.rows as Row[]) g.create(['RawEvent'], row); return [];
    case Q.assertEvents: return assertAll('RawEvent');
    case Q.aggregateLinks: {
      for (const row of p.rows as Row[]) {
        const [a, b] = [entity(row.fromId), entity(row.toId)];
        if (!a || !b) continue;
        for (const r of [...g.rels.values()].filter((x) => x.start === a.id && x.end === b.id && x.props.id === row.linkId)) {
          const evs = g.all('RawEvent').filter((e) => e.props.linkId === row.linkId);
          const durations = evs.map((e) => e.props.durationS).filter((d) => d !== undefined && d !== null).map(num);
          const times = evs.map((e) => e.props.at).sort((x, y) => cmp(iso(x), iso(y)));
          setAll(r.props, { count: int(evs.length), durationS: durations.length ? durations.reduce((s, d) => s + d, 0) : int(0), firstAt: times[0] ?? null, lastAt: times.at(-1) ?? null });
        }
      }
      return [];
    }
    case Q.entityById: { const n = entity(p.id); return n ? [{ props: { ...n.props } }] : []; }
    case Q.visibleEntities: {
      const granted = new Set(p.cases as string[]);
      return (p.ids as string[]).flatMap((id) => {
        const n = entity(id);
        if (!n) return [];
        const visible = [...g.rels.values()].some((r) => r.type === 'ASSERTS' && r.end === n.id && g.node(r.start).labels.has('Source') && granted.has(String(g.node(r.start).props.case)));
        return [{ id, visible }];
      });
    }
    case Q.entityProvenance: {
      const n = entity(p.id);
      if (!n) return [];
      return [...g.rels.values()].filter((r) => r.type === 'ASSERTS' && r.end === n.id && g.node(r.start).labels.has('Source'))
        .map((r) => ({ source: sourceFields(g.node(r.start)), locator: r.props.locator }));
    }
    case Q.entityLinkStats: {
      const n = entity(p.id);
      if (!n) return [];
      const rels = linkRels(n);
      const first = rels.map((r) => r.props.firstAt).filter(Boolean).sort((x, y) => cmp(iso(x), iso(y)));
      const last = rels.map((r) => r.props.lastAt).filter(Boolean).sort((x, y) => cmp(iso(x), iso(y)));
      return [{ degree: int(rels.length), first: first[0] ?? null, last: last.at(-1) ?? null }];
    }
    case Q.search: {
      // the Lucene query the adapter builds: +(searchLabel:<t>*^10 searchText:<t>*) per term, white-space tokens
      const terms = [...String(p.query).matchAll(/\+\(searchLabel:((?:\\.|[^*])+)\*\^10 searchText:\1\*\)/gu)].map((m) => m[1].replace(/\\(.)/g, '$1'));
      const hits = g.all('Entity').flatMap((n) => {
        const label = String(n.props.searchLabel ?? '').split(' ');
        const text = String(n.props.searchText ?? '').split(' ');
        let score = 0;
        for (const t of terms) {
          const inLabel = label.some((w) => w.startsWith(t));
          const inText = text.some((w) => w.startsWith(t));
          if (!inLabel && !inText) return [];
          score += (inLabel ? 10 : 0) + (inText ? 1 : 0);
        }
        if (p.types && !(p.types as string[]).includes(String(n.props.type))) return [];
        return [{ id: n.props.id, type: n.props.type, label: n.props.label, score }];
      });
      return hits.sort((a, b) => b.score - a.score || cmp(String(a.id), String(b.id))).slice(0, num(p.limit));
    }
    case Q.neighbourStep: {
      const out = new Set<string>();
      for (const fid of p.frontier as string[]) {
        const a = entity(fid);
        if (!a) continue;
        for (const r of linkRels(a)) {
          for (const other of r.start === a.id ? [r.end] : [r.start]) {
            const e = g.node(other);
            if (!e.labels.has('Entity')) continue;
            if (p.linkTypes && !(p.linkTypes as string[]).includes(r.type)) continue;
            if (p.entityTypes && !(p.entityTypes as string[]).includes(String(e.props.type))) continue;
            out.add(String(e.props.id));
          }
        }
      }
      return [...out].sort(cmp).map((id) => ({ id }));
    }
    case Q.linksAmong: {
      const ids = new Set(p.ids as string[]);
      return (p.from as string[]).flatMap((id) => {
        const a = entity(id);
        if (!a) return [];
        return [...g.rels.values()].filter((r) => r.start === a.id && LINK.has(r.type) && ids.has(String(g.node(r.end).props.id)) && (!p.linkTypes || (p.linkTypes as string[]).includes(r.type)))
          .map((r) => ({ from: id, to: g.node(r.end).props.id, type: r.type, props: { ...r.props } }));
      });
    }
    case Q.adjacency: {
      const lim = num(p.limit);
      return (p.ids as string[]).flatMap((id) => {
        const n = entity(id);
        if (!n) return [];
        const ok = (r: Rel) => LINK.has(r.type) && (!p.linkTypes || (p.linkTypes as string[]).includes(r.type));
        const outgoing = [...g.rels.values()].filter((r) => r.start === n.id && ok(r)).slice(0, lim).map((r) => ({ id: r.props.id, type: r.type, from: id, to: g.node(r.end).props.id }));
        const incoming = [...g.rels.values()].filter((r) => r.end === n.id && ok(r)).slice(0, lim).map((r) => ({ id: r.props.id, type: r.type, from: g.node(r.start).props.id, to: id }));
        return [{ id, outgoing, incoming }];
      });
    }
    case Q.caseEntityIds:
    case Q.caseEntityCount: {
      const ents = new Map<number, Node>();
      for (const s of g.all('Source').filter((x) => x.props.case === p.case)) for (const r of asserted(s, 'Entity')) ents.set(r.end, g.node(r.end));
      if (q === Q.caseEntityCount) return [{ n: int(ents.size) }];
      return [...ents.values()].sort((a, b) => num(a.props.seq) - num(b.props.seq)).slice(0, num(p.limit)).map((e) => ({ id: e.props.id }));
    }
    case Q.listCases: {
      const byCase = new Map<string, Node[]>();
      for (const s of g.all('Source')) byCase.set(String(s.props.case), [...(byCase.get(String(s.props.case)) ?? []), s]);
      return [...byCase].map(([name, srcs]) => ({
        name, sources: int(srcs.length), entities: int(new Set(srcs.flatMap((s) => asserted(s, 'Entity').map((r) => r.end))).size),
        lastImportAt: srcs.map((s) => s.props.importedAt).sort((x, y) => cmp(iso(x), iso(y))).at(-1),
      }));
    }
    case Q.allSources:
    case Q.sourcesInCase:
      return g.all('Source').filter((s) => q === Q.allSources || s.props.case === p.case)
        .sort((a, b) => cmp(iso(a.props.importedAt), iso(b.props.importedAt)) || cmp(String(a.props.id), String(b.props.id))).map((s) => ({ source: sourceFields(s) }));
    case Q.countEntities: return [{ n: int(g.all('Entity').length) }];
    case Q.countLinks: return LINK_TYPES.map((t) => ({ n: int([...g.rels.values()].filter((r) => r.type === t).length) }));
    case Q.countEvents: return [{ n: int(g.all('RawEvent').length) }];
    case Q.countSources: return [{ n: int(g.all('Source').length) }];
    case Q.countByType: return ENTITY_TYPES.map((t) => ({ type: t, n: int(g.all(t).length) }));
    case Q.createAnnotation: g.create(['Annotation'], p.props as Row); return [];
    case Q.annotations:
      return g.all('Annotation').filter((a) => (p.entityId === null || a.props.entityId === p.entityId || a.props.targetId === p.entityId) && (p.kind === null || a.props.kind === p.kind))
        .sort((a, b) => num(a.props.seq) - num(b.props.seq)).map((a) => ({ props: { ...a.props } }));
    case Q.sourceEntities:
    case Q.sourceEvents: {
      const s = g.one('Source', 'id', p.sourceId);
      if (!s) return [];
      const label = q === Q.sourceEntities ? 'Entity' : 'RawEvent';
      const byNode = new Map<number, string[]>();
      for (const r of asserted(s, label)) byNode.set(r.end, [...(byNode.get(r.end) ?? []), String(r.props.locator)]);
      const order = (a: Node, b: Node) => (label === 'Entity' ? num(a.props.seq) - num(b.props.seq) : cmp(iso(a.props.at), iso(b.props.at)) || cmp(String(a.props.id), String(b.props.id)));
      return [...byNode.keys()].map((id) => g.node(id)).sort(order).map((n) => ({ props: { ...n.props }, locators: byNode.get(n.id) }));
    }
    case Q.sourceLinkManifest: { const s = g.one('Source', 'id', p.sourceId); return s ? [{ ids: s.props.linkIds ?? null, types: s.props.linkTypes ?? null }] : []; }
    case Q.eventCountsInCase:
    case Q.eventCountsAmongIds: {
      const byDay = new Map<string, number>();
      for (const e of scopedEvents().filter(inWindow)) {
        const k = `${iso(e.props.at).slice(0, 10)}\u0000${String(e.props.kind)}`;
        byDay.set(k, (byDay.get(k) ?? 0) + 1);
      }
      return [...byDay].map(([k, n]) => ({ day: k.split('\u0000')[0], kind: k.split('\u0000')[1], n: int(n) }))
        .sort((a, b) => cmp(a.day, b.day) || cmp(a.kind, b.kind)).slice(0, num(p.limit));
    }
    case Q.eventSpanInCase:
    case Q.eventSpanAmongIds: {
      const times = scopedEvents().map((e) => e.props.at).sort((x, y) => cmp(iso(x), iso(y)));
      return [{ first: times[0] ?? null, last: times.at(-1) ?? null }];
    }
    case Q.linkActivityInCase:
    case Q.linkActivityAmongIds: {
      const groups = new Map<string, Node[]>();
      for (const e of scopedEvents().filter(inWindow)) {
        const k = `${String(e.props.linkId)}\u0000${String(e.props.fromId)}\u0000${String(e.props.toId)}`;
        groups.set(k, [...(groups.get(k) ?? []), e]);
      }
      return [...groups].flatMap(([k, evs]) => {
        const [linkId, fromId, toId] = k.split('\u0000');
        const rel = [...g.rels.values()].find((r) => (r.type === 'CALLED' || r.type === 'MESSAGED') && r.props.id === linkId
          && g.node(r.start).props.id === fromId && g.node(r.end).props.id === toId);
        if (!rel) return [];
        const durations = evs.map((e) => e.props.durationS).filter((d) => d !== undefined && d !== null).map(num);
        const times = evs.map((e) => e.props.at).sort((x, y) => cmp(iso(x), iso(y)));
        return [{ linkId, type: rel.type, fromId, toId, n: int(evs.length), total: durations.length ? durations.reduce((a, d) => a + d, 0) : int(0), first: times[0], last: times.at(-1) }];
      }).sort((a, b) => num(b.n) - num(a.n) || cmp(a.linkId, b.linkId)).slice(0, num(p.limit));
    }
    case Q.datedEventsInCase: {
      const out = new Map<number, Node>();
      for (const s of g.all('Source').filter((x) => x.props.case === p.case)) {
        for (const r of asserted(s, 'Event')) if (g.node(r.end).props[String(p.dateKey)] !== undefined) out.set(r.end, g.node(r.end));
      }
      return [...out.values()].sort((a, b) => num(a.props.seq) - num(b.props.seq)).slice(0, num(p.limit)).map((n) => ({ props: { ...n.props } }));
    }
    case Q.crossDeviceHits: {
      const seen: { x: Node; d: Node; how: string }[] = [];
      for (const d of g.all('Device')) {
        if (p.case !== null && !g.all('Source').some((s) => s.props.case === p.case && asserted(s, 'Device').some((r) => r.end === d.id))) continue;
        const out = (type: string) => [...g.rels.values()].filter((r) => r.start === d.id && r.type === type).map((r) => g.node(r.end)).filter((x) => x.labels.has('Entity'));
        for (const x of out('HAS_CONTACT')) seen.push({ x, d, how: 'contact' });
        for (const x of out('USES_PHONE')) seen.push({ x, d, how: 'owner' });
        for (const own of out('USES_PHONE')) {
          for (const r of [...g.rels.values()].filter((r) => (r.type === 'CALLED' || r.type === 'MESSAGED') && (r.start === own.id || r.end === own.id))) {
            for (const other of r.start === own.id ? [r.end] : [r.start]) seen.push({ x: g.node(other), d, how: r.type === 'CALLED' ? 'call' : 'message' });
          }
        }
      }
      const byX = new Map<number, Map<number, Set<string>>>();
      for (const s of seen) {
        const devs = byX.get(s.x.id) ?? new Map<number, Set<string>>();
        devs.set(s.d.id, (devs.get(s.d.id) ?? new Set()).add(s.how));
        byX.set(s.x.id, devs);
      }
      return [...byX].filter(([, devs]) => devs.size >= num(p.minDevices))
        .map(([x, devs]) => ({ x: g.node(x), n: devs.size, devices: [...devs].map(([d, hows]) => ({ id: g.node(d).props.id, label: g.node(d).props.label, as: [...hows] })) }))
        .sort((a, b) => b.n - a.n || cmp(String(a.x.props.id), String(b.x.props.id))).slice(0, num(p.limit))
        .filter((h) => ['Phone', 'Account', 'Email'].includes(String(h.x.props.type)))
        .map((h) => ({ id: h.x.props.id, type: h.x.props.type, label: h.x.props.label, deviceCount: int(h.n), devices: h.devices }));
    }
  }
  for (const t of ENTITY_TYPES) if (q === T.createEntities(t)) { for (const row of p.rows as Row[]) g.create(['Entity', t], row); return []; }
  for (const t of LINK_TYPES) {
    const ofType = () => [...g.rels.values()].filter((r) => r.type === t);
    if (q === T.linksById(t)) {
      return (p.ids as string[]).flatMap((id) => ofType().filter((r) => r.props.id === id).map((r) => ({ from: g.node(r.start).props.id, to: g.node(r.end).props.id, props: { ...r.props } })));
    }
    if (q === T.createLinks(t)) {
      let n = 0;
      for (const row of p.rows as Row[]) {
        const [a, b] = [entity(row.fromId), entity(row.toId)];
        if (a && b) { g.relate(t, a, b, row.props as Row); n++; }
      }
      return [{ n: int(n) }];
    }
    if (q === T.visibleLinks(t)) {
      const granted = new Set(g.all('Source').filter((s) => (p.cases as string[]).includes(String(s.props.case))).map((s) => s.props.id));
      const ids = (p.ids as string[]).filter((id) => ofType().some((r) => r.props.id === id && ((r.props.sourceIds ?? []) as string[]).some((s) => granted.has(s))));
      return [...new Set(ids)].map((id) => ({ id }));
    }
    if (q === T.updateLinks(t)) { for (const row of p.rows as Row[]) for (const r of ofType().filter((x) => x.props.id === row.id)) setAll(r.props, row.set as Row); return []; }
  }
  throw new Error(`the model does not know this statement:\n${q}`);
}

/** A driver over the model: reads see the committed graph, a write transaction its own copy until commit. */
function modelDriver(db: { graph: Graph }): DriverLike {
  const runner = (g: () => Graph): QueryRunner => ({
    run: (query, params = {}) => {
      try {
        return Promise.resolve({ records: execute(g(), query, params).map((r) => ({ toObject: () => r })) });
      } catch (err) {
        return Promise.reject(err);
      }
    },
  });
  const write = async <T>(work: (tx: QueryRunner) => Promise<T>) => {
    const local = db.graph.clone();
    const out = await work(runner(() => local));
    db.graph = local;
    return out;
  };
  return {
    session: () => ({
      executeRead: (work) => work(runner(() => db.graph)),
      executeWrite: write,
      beginTransaction: () => {
        const local = db.graph.clone();
        let open = true;
        return {
          ...runner(() => local),
          commit: async () => { open = false; db.graph = local; },
          rollback: async () => { open = false; },
          isOpen: () => open,
        };
      },
      run: (query, params) => runner(() => db.graph).run(query, params),
      close: async () => undefined,
    }),
    verifyConnectivity: async () => ({}),
    getServerInfo: async () => ({ address: 'model', agent: 'Neo4j/5.26.0' }),
    close: async () => undefined,
  };
}

const CFG = { uri: 'bolt://model:7687', user: 'neo4j', password: '', database: 'neo4j' };
const openModel = async (db = { graph: new Graph() }) => openNeo4jStore(CFG, { driver: modelDriver(db) });

graphStoreContract('neo4j adapter over an in-memory model of its Cypher (no server)', async () => {
  const store = await openModel();
  return { store, fresh: () => openModel(), cleanup: () => store.close() };
});

describe('neo4j adapter over the model: copy round trip and cross-store parity', () => {
  it('embedded → neo4j (model) → embedded recreates the same dump and views as the embedded original', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-model-copy-'));
    const a = new EmbeddedGraphStore({ file: join(dir, 'a.sqlite') });
    const b = new EmbeddedGraphStore({ file: join(dir, 'b.sqlite') });
    const n = await openModel();
    try {
      const at = (batch: Batch, s: number): Batch => ({ ...batch, source: { ...batch.source, importedAt: `2024-01-01T00:00:0${s}.000Z` } });
      await a.apply(at(buildCell({ name: 'a.xml', content: 'a' }).b.build(), 1));
      await a.apply(at(buildCell({ name: 'b.xml', content: 'b' }).b.build(), 2));
      await a.appendAnnotation({ kind: 'note', entityId: buildCell().ids.p1, text: 'n', by: 'ana', at: '2026-01-01T00:00:00.000Z' });
      const there = await copyStore(a, n);
      expect(await copyStore(n, b)).toEqual(there);
      const dump = async (s: typeof a | typeof n) => { const out = []; for await (const x of s.dump()) out.push(x); return out; };
      expect(await dump(n)).toEqual(await dump(a));
      expect(await dump(b)).toEqual(await dump(a));
      const { ids } = buildCell();
      for (const id of Object.values(ids)) expect(await n.getEntity(id)).toEqual(await a.getEntity(id));
      expect(await n.counts()).toEqual(await a.counts());
      expect(await n.listCases()).toEqual(await a.listCases());
      expect(await copyStore(a, n)).toMatchObject({ applied: 0, skipped: 2, annotations: 0 });
    } finally {
      await a.close();
      await b.close();
      await n.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
