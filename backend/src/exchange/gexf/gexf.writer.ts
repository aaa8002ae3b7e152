// GEXF 1.3 for Gephi: typed node and edge attributes, viz:color from the ontology's style of each
// entity type, viz:position from the view (when the request gave positions), edge weight = number of
// calls/messages. Provenance travels on every node and edge as `cg_sources` (JSON: source name, file
// sha256, case, locators). Casegraph does not read GEXF back: use GraphML or a snapshot for round trips.
import { ENTITY_SPECS } from '../../model/index.ts';
import { propColumns, rgb } from '../columns.ts';
import type { GraphWriteOptions } from '../graphml/graphml.writer.ts';
import { encodeValue, type PropKind } from '../props-codec.ts';
import { aggregate, eventsByLink, type Prov, type Scope } from '../scope.ts';
import type { Sink } from '../sink.ts';
import { xmlAttr, xmlSafeJson, xmlText } from '../xml-escape.ts';

const GEXF_TYPE: Record<PropKind, string> = { string: 'string', long: 'long', double: 'double', boolean: 'boolean', json: 'string' };

/** Self-contained provenance for formats without a source table: [{ source, sha256, case, locators }]. */
export function readableProvenance(scope: Scope, prov: readonly Prov[]): unknown[] {
  return prov.map((p) => {
    const s = scope.sources[p.s];
    return { source: s.name, kind: s.kind, sha256: s.sha256, case: s.case, importedAt: s.importedAt, locators: p.l };
  });
}

export async function writeGexf(scope: Scope, sink: Sink, o: GraphWriteOptions): Promise<void> {
  const cols = propColumns(scope, true);
  const byLink = eventsByLink(scope);
  const nodeAttrs: { id: string; title: string; type: string }[] = [];
  const edgeAttrs: { id: string; title: string; type: string }[] = [];
  const nAttr = (title: string, type: string) => {
    const id = `n${nodeAttrs.length}`;
    nodeAttrs.push({ id, title, type });
    return id;
  };
  const eAttr = (title: string, type: string) => {
    const id = `e${edgeAttrs.length}`;
    edgeAttrs.push({ id, title, type });
    return id;
  };
  const n = { type: nAttr('type', 'string'), sources: nAttr('cg_sources', 'string') };
  const e = {
    type: eAttr('type', 'string'), count: eAttr('cg_count', 'long'), duration: eAttr('cg_duration_s', 'double'), first: eAttr('cg_first_at', 'string'),
    last: eAttr('cg_last_at', 'string'), sources: eAttr('cg_sources', 'string'),
  };
  const nodeCols = cols.node.map((c) => ({ ...c, id: nAttr(c.column, GEXF_TYPE[c.kind]) }));
  const edgeCols = cols.edge.map((c) => ({ ...c, id: eAttr(c.column, GEXF_TYPE[c.kind]) }));
  const attrDecl = (list: typeof nodeAttrs) => list.map((a) => `<attribute id="${a.id}" title="${xmlAttr(a.title)}" type="${a.type}"/>`).join('\n');
  const av = (id: string, v: string) => `<attvalue for="${id}" value="${xmlAttr(v)}"/>`;

  sink.write('<?xml version="1.0" encoding="UTF-8"?>\n');
  sink.write('<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n');
  sink.write(`<meta lastmodifieddate="${o.meta.createdAt.slice(0, 10)}"><creator>${xmlText(o.meta.generator)}</creator>`);
  sink.write(`<description>${xmlText(`Casegraph export of ${o.meta.scope.kind === 'case' ? `case ${o.meta.scope.case}` : o.meta.scope.kind === 'view' ? 'a view' : 'the store'}; ${o.meta.redacted ? `victims redacted (${o.meta.victimsRedacted})` : 'NOT REDACTED'}; provenance in cg_sources`)}</description></meta>\n`);
  sink.write('<graph defaultedgetype="directed" mode="static">\n');
  sink.write(`<attributes class="node" mode="static">\n${attrDecl(nodeAttrs)}\n</attributes>\n<attributes class="edge" mode="static">\n${attrDecl(edgeAttrs)}\n</attributes>\n<nodes>\n`);
  for (const ent of scope.entities.values()) {
    let s = `<node id="${xmlAttr(ent.id)}" label="${xmlAttr(ent.label)}"><attvalues>${av(n.type, ent.type)}`;
    for (const c of nodeCols) {
      const v = ent.props[c.prop];
      if (v !== undefined) s += av(c.id, encodeValue(v, c.kind));
    }
    s += `${av(n.sources, xmlSafeJson(readableProvenance(scope, ent.prov)))}</attvalues>`;
    const { r, g, b } = rgb(ENTITY_SPECS[ent.type].style.color);
    s += `<viz:color r="${r}" g="${g}" b="${b}"/>`;
    const p = o.positions?.[ent.id];
    if (p) s += `<viz:position x="${p.x}" y="${p.y}" z="0"/>`;
    sink.write(`${s}</node>\n`);
    await sink.ready();
  }
  sink.write('</nodes>\n<edges>\n');
  for (const l of scope.links.values()) {
    const agg = aggregate(byLink.get(l.id));
    let s = `<edge id="${xmlAttr(l.id)}" source="${xmlAttr(l.from)}" target="${xmlAttr(l.to)}" label="${l.type}" weight="${agg?.count ?? 1}"><attvalues>${av(e.type, l.type)}`;
    if (agg) s += `${av(e.count, String(agg.count))}${av(e.duration, String(agg.durationS))}${av(e.first, agg.firstAt)}${av(e.last, agg.lastAt)}`;
    for (const c of edgeCols) {
      const v = l.props[c.prop];
      if (v !== undefined) s += av(c.id, encodeValue(v, c.kind));
    }
    sink.write(`${s}${av(e.sources, xmlSafeJson(readableProvenance(scope, l.prov)))}</attvalues></edge>\n`);
    await sink.ready();
  }
  sink.write('</edges>\n</graph>\n</gexf>\n');
}
