// GraphML for networkx, Gephi, yEd and Neo4j's apoc: a typed <key> for every property (long, double,
// boolean, string; arrays and mixed values as JSON text), node label/type/colour (and x/y when the view
// gave positions), edge type/weight. For Casegraph's own reader it also carries, as JSON text: the source
// table (graph `cg_sources`), each record's provenance (`cg_prov`), search terms, the raw events of each
// link (`cg_events`) and, for the rare text XML cannot hold, an exact copy (`cg_exact`).
import { ENTITY_SPECS } from '../../model/index.ts';
import { needsExact, propColumns, type Column, type Positions } from '../columns.ts';
import { encodeProv } from '../carried.ts';
import { encodeValue, type PropKind } from '../props-codec.ts';
import { aggregate, eventsByLink, scopeCounts, type Scope, type ScopeEvent } from '../scope.ts';
import type { Sink } from '../sink.ts';
import type { SnapshotMeta } from '../snapshot/snapshot.schema.ts';
import { xmlAttr, xmlSafeJson, xmlText } from '../xml-escape.ts';

export const GRAPHML_VERSION = 'graphml/1';
const XML_TYPE: Record<PropKind, string> = { string: 'string', long: 'long', double: 'double', boolean: 'boolean', json: 'string' };

export interface GraphWriteOptions {
  meta: Omit<SnapshotMeta, 'counts'>;
  positions?: Positions;
}

/** Events as carried on their link: the link's ends are implied, other fields as the store has them. */
export function carriedEvents(list: readonly ScopeEvent[], from: string, to: string): unknown[] {
  return list.map((e) => ({
    id: e.id, kind: e.kind, at: e.at, durationS: e.durationS, deleted: e.deleted, original: e.original, props: e.props, prov: encodeProv(e.prov),
    ...(e.from !== from || e.to !== to ? { from: e.from, to: e.to } : {}),
  }));
}

export async function writeGraphml(scope: Scope, sink: Sink, o: GraphWriteOptions): Promise<void> {
  const cols = propColumns(scope, true);
  const byLink = eventsByLink(scope);
  const keys: string[] = [];
  let nextKey = 0;
  const key = (domain: 'graph' | 'node' | 'edge', name: string, type: string) => {
    const id = `d${nextKey++}`;
    keys.push(`<key id="${id}" for="${domain}" attr.name="${xmlAttr(name)}" attr.type="${type}"/>`);
    return id;
  };
  const g = { version: key('graph', 'casegraph', 'string'), meta: key('graph', 'cg_meta', 'string'), sources: key('graph', 'cg_sources', 'string'), keys: key('graph', 'cg_keys', 'string') };
  const hasPos = !!o.positions && Object.keys(o.positions).length > 0;
  const n = {
    label: key('node', 'label', 'string'), type: key('node', 'type', 'string'), color: key('node', 'color', 'string'),
    x: hasPos ? key('node', 'x', 'double') : '', y: hasPos ? key('node', 'y', 'double') : '',
    search: key('node', 'cg_search', 'string'), prov: key('node', 'cg_prov', 'string'), exact: key('node', 'cg_exact', 'string'),
  };
  const e = {
    label: key('edge', 'label', 'string'), type: key('edge', 'type', 'string'), weight: key('edge', 'weight', 'double'),
    count: key('edge', 'cg_count', 'long'), duration: key('edge', 'cg_duration_s', 'double'), first: key('edge', 'cg_first_at', 'string'), last: key('edge', 'cg_last_at', 'string'),
    prov: key('edge', 'cg_prov', 'string'), events: key('edge', 'cg_events', 'string'), exact: key('edge', 'cg_exact', 'string'),
  };
  const nodeCols = cols.node.map((c) => ({ ...c, id: key('node', c.column, XML_TYPE[c.kind]) }));
  const edgeCols = cols.edge.map((c) => ({ ...c, id: key('edge', c.column, XML_TYPE[c.kind]) }));
  const kinds = (list: Column[]) => Object.fromEntries(list.map((c) => [c.column, c.kind]));

  sink.write('<?xml version="1.0" encoding="UTF-8"?>\n');
  sink.write(`<!-- Casegraph ${xmlText(o.meta.generator).replace(/--/g, '- -')}: ${o.meta.redacted ? 'victims redacted' : 'NOT REDACTED'}; provenance in cg_sources/cg_prov -->\n`);
  sink.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n');
  for (const k of keys) sink.write(`${k}\n`);
  sink.write('<graph id="casegraph" edgedefault="directed">\n');
  const data = (k: string, v: string) => `<data key="${k}">${xmlText(v)}</data>`;
  sink.write(`${data(g.version, GRAPHML_VERSION)}\n${data(g.meta, xmlSafeJson({ ...o.meta, counts: scopeCounts(scope) }))}\n`);
  sink.write(`${data(g.sources, xmlSafeJson(scope.sources))}\n${data(g.keys, JSON.stringify({ node: kinds(cols.node), edge: kinds(cols.edge) }))}\n`);

  for (const ent of scope.entities.values()) {
    let s = `<node id="${xmlAttr(ent.id)}">${data(n.label, ent.label)}${data(n.type, ent.type)}${data(n.color, ENTITY_SPECS[ent.type].style.color)}`;
    const p = o.positions?.[ent.id];
    if (hasPos && p) s += `${data(n.x, String(p.x))}${data(n.y, String(p.y))}`;
    for (const c of nodeCols) {
      const v = ent.props[c.prop];
      if (v !== undefined) s += data(c.id, encodeValue(v, c.kind));
    }
    if (ent.search.length) s += data(n.search, xmlSafeJson(ent.search));
    s += data(n.prov, xmlSafeJson(encodeProv(ent.prov)));
    if (needsExact(ent.label, ent.props, ent.search)) s += data(n.exact, xmlSafeJson({ label: ent.label, props: ent.props, search: ent.search }));
    sink.write(`${s}</node>\n`);
    await sink.ready();
  }
  for (const l of scope.links.values()) {
    let s = `<edge id="${xmlAttr(l.id)}" source="${xmlAttr(l.from)}" target="${xmlAttr(l.to)}">${data(e.label, l.type)}${data(e.type, l.type)}`;
    const evs = byLink.get(l.id);
    const agg = aggregate(evs);
    s += data(e.weight, String(agg?.count ?? 1));
    if (agg) s += `${data(e.count, String(agg.count))}${data(e.duration, String(agg.durationS))}${data(e.first, agg.firstAt)}${data(e.last, agg.lastAt)}`;
    for (const c of edgeCols) {
      const v = l.props[c.prop];
      if (v !== undefined) s += data(c.id, encodeValue(v, c.kind));
    }
    s += data(e.prov, xmlSafeJson(encodeProv(l.prov)));
    if (evs) s += data(e.events, xmlSafeJson(carriedEvents(evs, l.from, l.to)));
    if (needsExact(null, l.props)) s += data(e.exact, xmlSafeJson({ props: l.props }));
    sink.write(`${s}</edge>\n`);
    await sink.ready();
  }
  sink.write('</graph>\n</graphml>\n');
}
