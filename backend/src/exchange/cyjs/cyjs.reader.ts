// Reads Cytoscape.js JSON back: `{ elements: { nodes, edges } }` or `{ elements: [ { group, data } ] }`.
// A Casegraph file (data.casegraph = cyjs/1 with cg_sources) restores exactly; other files are imported
// as one source (the file) when their nodes carry a Casegraph entity type in data.type.
// A JSON document is parsed whole: files are bounded by the upload limit (MAX_CYJS_BYTES here).
import { readFile, stat } from 'node:fs/promises';
import { importError } from '../../errors.ts';
import { BatchBuilder, ENTITY_TYPES, isLinkType, linkAllowed, ModelError, type EntityType, type LinkType, type Props } from '../../model/index.ts';
import type { ImportContext, ImportInput } from '../../importers/types.ts';
import { CarriedEntity, CarriedEvent, CarriedLink, CarriedSources, decodeProv, parseCarried, toBatches, type Carried } from '../carried.ts';
import { batchesAsSources, exchangeImporter, type ExchangeRead } from '../exchange-importer.ts';
import { propOf } from '../props-codec.ts';
import { CYJS_VERSION } from './cyjs.writer.ts';

export const MAX_CYJS_BYTES = 1024 * 1024 * 1024;

interface RawElement { group?: string; data?: Record<string, unknown>; position?: unknown }

function elementsOf(doc: unknown, file: string): { nodes: RawElement[]; edges: RawElement[] } {
  const d = doc as { elements?: unknown };
  if (!d || typeof d !== 'object' || !d.elements) throw importError(file, '(root)', 'no "elements" (expected Cytoscape.js JSON: { elements: { nodes, edges } })');
  if (Array.isArray(d.elements)) {
    const all = d.elements as RawElement[];
    return {
      nodes: all.filter((e) => e?.group !== 'edges' && !(e?.data && 'source' in e.data)),
      edges: all.filter((e) => e?.group === 'edges' || (e?.data && 'source' in e.data)),
    };
  }
  const el = d.elements as { nodes?: unknown; edges?: unknown };
  if ((el.nodes !== undefined && !Array.isArray(el.nodes)) || (el.edges !== undefined && !Array.isArray(el.edges))) {
    throw importError(file, 'elements', 'nodes and edges must be lists');
  }
  return { nodes: (el.nodes ?? []) as RawElement[], edges: (el.edges ?? []) as RawElement[] };
}

function propsOf(data: Record<string, unknown>): Props {
  const props: Props = {};
  for (const [k, v] of Object.entries(data)) {
    const p = propOf(k);
    if (p !== null) props[p] = v as Props[string];
  }
  return props;
}

function carriedFrom(doc: { data: Record<string, unknown> }, els: ReturnType<typeof elementsOf>, file: string): Carried {
  const sources = parseCarried(CarriedSources, doc.data.cg_sources, file, 'data.cg_sources');
  const c: Carried = { sources, entities: [], links: [], events: [] };
  els.nodes.forEach((n, i) => {
    const d = n?.data ?? {};
    const where = `elements.nodes[${i}]`;
    const e = parseCarried(CarriedEntity, { id: d.id, type: d.type, label: d.label, props: propsOf(d), search: d.cg_search ?? [], prov: d.cg_prov }, file, where);
    c.entities.push({ ...e, prov: decodeProv(e.prov) });
  });
  els.edges.forEach((x, i) => {
    const d = x?.data ?? {};
    const where = `elements.edges[${i}]`;
    const l = parseCarried(CarriedLink, { id: d.id, type: d.type, from: d.source, to: d.target, props: propsOf(d), prov: d.cg_prov }, file, where);
    c.links.push({ ...l, prov: decodeProv(l.prov) });
    if (d.cg_events !== undefined) {
      if (!Array.isArray(d.cg_events)) throw importError(file, `${where}.data.cg_events`, 'expected a list');
      d.cg_events.forEach((ev: unknown, j: number) => {
        const r = parseCarried(CarriedEvent, { from: l.from, to: l.to, ...(ev as object), linkId: l.id }, file, `${where}.data.cg_events[${j}]`);
        c.events.push({ ...r, prov: decodeProv(r.prov) });
      });
    }
  });
  return c;
}

const TYPE_BY_LOWER = new Map(ENTITY_TYPES.map((t) => [t.toLowerCase(), t]));
const NOT_PROPS = new Set(['id', 'label', 'name', 'type', 'source', 'target', 'color', 'weight', 'parent', 'shared_name', 'SUID', 'selected']);

function thirdParty(els: ReturnType<typeof elementsOf>, input: ImportInput, ctx: ImportContext) {
  const caseName = ctx.case ?? ctx.defaultCase;
  const b = new BatchBuilder({ sha256: input.sha256, kind: 'cyjs', name: input.name, case: caseName, importedBy: ctx.importedBy });
  const ids = new Map<string, string>();
  const types = new Map<string, EntityType>();
  const scalarProps = (d: Record<string, unknown>): Props => {
    const props: Props = {};
    for (const [k, v] of Object.entries(d)) {
      if (NOT_PROPS.has(k)) continue;
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k.slice(0, 100)] = v as Props[string];
      else if (Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) props[k.slice(0, 100)] = v as Props[string];
    }
    return props;
  };
  els.nodes.forEach((n, i) => {
    const d = n?.data ?? {};
    const nodeId = String(d.id ?? '');
    const locator = `elements.nodes[${i}]${nodeId ? ` (${nodeId.slice(0, 80)})` : ''}`;
    if (!nodeId) throw importError(input.name, locator, 'a node without data.id');
    const type = TYPE_BY_LOWER.get(String(d.type ?? '').toLowerCase());
    if (!type) throw importError(input.name, locator, `data.type must name a Casegraph entity type (${ENTITY_TYPES.join(', ')})`);
    const label = String(d.label ?? d.name ?? nodeId).slice(0, 500);
    const props = scalarProps(d);
    try {
      const { number, ...rest } = props;
      const id = type === 'Phone'
        ? b.phone(String(number ?? label), { region: ctx.defaultRegion, scope: `${input.sha256}/${nodeId}`, label, props: rest, locator })
          .id
        : b.entity(type, { key: `${caseName}/cyjs/${input.sha256.slice(0, 16)}/${nodeId}`, label, props, locator });
      ids.set(nodeId, id);
      types.set(id, type);
    } catch (err) {
      if (err instanceof ModelError) throw importError(input.name, locator, err.message);
      throw err;
    }
  });
  let related = 0;
  els.edges.forEach((x, i) => {
    const d = x?.data ?? {};
    const where = `elements.edges[${i}]`;
    const from = ids.get(String(d.source));
    const to = ids.get(String(d.target));
    if (!from || !to) throw importError(input.name, where, `refers to node ${!from ? String(d.source) : String(d.target)}, which the file does not contain`);
    const raw = String(d.type ?? d.label ?? d.interaction ?? '').trim();
    const norm = raw.toUpperCase().replace(/[\s-]+/g, '_');
    const props = scalarProps(d);
    let type: LinkType = 'RELATED_TO';
    if (isLinkType(norm) && linkAllowed(norm, types.get(from)!, types.get(to)!)) type = norm;
    else {
      if (raw) props.relation = raw.slice(0, 200);
      related++;
    }
    b.link(type, from, to, where, props);
  });
  if (related) b.warn(`${related} edge(s) had no Casegraph link type valid for their ends and were imported as RELATED_TO (their own type kept in "relation")`);
  return b.build();
}

export async function readCyjs(input: ImportInput, ctx: ImportContext): Promise<ExchangeRead> {
  const size = (await stat(input.path)).size;
  if (size > MAX_CYJS_BYTES) throw importError(input.name, '', `Cytoscape JSON files are limited to ${MAX_CYJS_BYTES / 1024 / 1024} MiB`);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(input.path, 'utf8'));
  } catch (err) {
    throw importError(input.name, '', `invalid JSON: ${(err as Error).message}`);
  }
  const els = elementsOf(doc, input.name);
  const data = (doc as { data?: Record<string, unknown> }).data;
  if (data && typeof data === 'object' && data.casegraph !== undefined && data.cg_sources !== undefined) {
    if (data.casegraph !== CYJS_VERSION) throw importError(input.name, 'data.casegraph', `version "${String(data.casegraph).slice(0, 40)}" is not supported (this Casegraph reads ${CYJS_VERSION})`);
    const batches = toBatches(carriedFrom({ data }, els, input.name), input.name, ctx.case);
    return { format: 'cyjs', provenance: 'original', sourceCount: batches.length, sources: batchesAsSources(batches), warnings: [] };
  }
  const batch = thirdParty(els, input, ctx);
  return { format: 'cyjs', provenance: 'file', sourceCount: 1, sources: batchesAsSources([batch]), warnings: batch.warnings };
}

export const cyjsImporter = exchangeImporter({
  format: 'cyjs',
  description: 'Cytoscape.js JSON (Casegraph exports restore exactly; other files need data.type naming a Casegraph entity type)',
  detect(head, name) {
    const text = head.toString('utf8');
    return (/^\s*\{/.test(text) && /"(elements|target_cytoscapejs_version)"\s*:/.test(text) && !/"casegraph"\s*:\s*"(snapshot|report)\//.test(text)) || /\.cyjs$/i.test(name);
  },
  read: readCyjs,
});
