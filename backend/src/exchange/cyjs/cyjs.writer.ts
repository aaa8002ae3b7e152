// Cytoscape.js JSON (`cy.json()` shape, also read by Cytoscape desktop's .cyjs import):
// { elements: { nodes: [{ data, position }], edges: [{ data }] } }. Props are data fields (names our
// fields use are prefixed `prop_`), values keep their JSON types. Casegraph extras for exact round
// trips: graph `data.cg_sources`, per element `cg_prov`, `cg_search`, `cg_events`. One element per line.
import { ENTITY_SPECS } from '../../model/index.ts';
import { encodeProv } from '../carried.ts';
import type { GraphWriteOptions } from '../graphml/graphml.writer.ts';
import { carriedEvents } from '../graphml/graphml.writer.ts';
import { columnOf } from '../props-codec.ts';
import { aggregate, eventsByLink, scopeCounts, type Scope } from '../scope.ts';
import type { Sink } from '../sink.ts';

export const CYJS_VERSION = 'cyjs/1';

export async function writeCyjs(scope: Scope, sink: Sink, o: GraphWriteOptions): Promise<void> {
  const byLink = eventsByLink(scope);
  const head = {
    format_version: '1.0', generated_by: o.meta.generator, target_cytoscapejs_version: '~3.35',
    data: { name: o.meta.scope.case ?? `casegraph-${o.meta.scope.kind}`, casegraph: CYJS_VERSION, cg_meta: { ...o.meta, counts: scopeCounts(scope) }, cg_sources: scope.sources },
  };
  const json = JSON.stringify(head);
  sink.write(`${json.slice(0, -1)},\n"elements":{"nodes":[\n`);
  let first = true;
  for (const e of scope.entities.values()) {
    const data: Record<string, unknown> = { id: e.id, label: e.label, type: e.type, color: ENTITY_SPECS[e.type].style.color };
    for (const [k, v] of Object.entries(e.props)) data[columnOf(k)] = v;
    if (e.search.length) data.cg_search = e.search;
    data.cg_prov = encodeProv(e.prov);
    const el: Record<string, unknown> = { group: 'nodes', data };
    const p = o.positions?.[e.id];
    if (p) el.position = { x: p.x, y: p.y };
    sink.write(`${first ? '' : ',\n'}${JSON.stringify(el)}`);
    first = false;
    await sink.ready();
  }
  sink.write('\n],"edges":[\n');
  first = true;
  for (const l of scope.links.values()) {
    const evs = byLink.get(l.id);
    const agg = aggregate(evs);
    const data: Record<string, unknown> = { id: l.id, source: l.from, target: l.to, type: l.type, label: l.type, weight: agg?.count ?? 1 };
    if (agg) Object.assign(data, { cg_count: agg.count, cg_duration_s: agg.durationS, cg_first_at: agg.firstAt, cg_last_at: agg.lastAt });
    for (const [k, v] of Object.entries(l.props)) data[columnOf(k)] = v;
    data.cg_prov = encodeProv(l.prov);
    if (evs) data.cg_events = carriedEvents(evs, l.from, l.to);
    sink.write(`${first ? '' : ',\n'}${JSON.stringify({ group: 'edges', data })}`);
    first = false;
    await sink.ready();
  }
  sink.write('\n]}}\n');
}
