// Reads GraphML back. A Casegraph file (graph data `casegraph` = graphml/1 with `cg_sources`) restores
// exactly what was written: every entity, link, event and prop, each original source with its sha256
// and locators. Any other GraphML (networkx, Gephi, yEd…) is imported as one source — the file — when its
// nodes say their Casegraph entity type in a `type` attribute; edges without a known link type become
// RELATED_TO with the edge's own type or label kept in `relation`. Streams the XML with DOCTYPE refused.
import { open } from 'node:fs/promises';
import { importError } from '../../errors.ts';
import {
  BatchBuilder, ENTITY_TYPES, isLinkType, linkAllowed, ModelError, type EntityType, type LinkType, type Props,
} from '../../model/index.ts';
import type { ImportContext, ImportInput } from '../../importers/types.ts';
import { SafeXmlReader } from '../../importers/shared/xml.ts';
import {
  CarriedEntity, CarriedEvent, CarriedLink, CarriedSources, decodeProv, parseCarried, toBatches, type Carried,
} from '../carried.ts';
import { batchesAsSources, exchangeImporter, type ExchangeRead } from '../exchange-importer.ts';
import { decodeValue, propOf, type PropKind } from '../props-codec.ts';
import { GRAPHML_VERSION } from './graphml.writer.ts';

interface Key { domain: string; name: string; type: string; def?: string }
interface Element { id: string; source?: string; target?: string; data: Map<string, string>; no: number }

/** Longest text we accept in one data element (a link's carried events can be long). */
const MAX_RUN = 256 * 1024 * 1024;

async function parseGraphml(input: ImportInput) {
  const keys = new Map<string, Key>();
  const graphData = new Map<string, string>();
  const nodes: Element[] = [];
  const edges: Element[] = [];
  let current: Element | null = null;
  let dataKey: string | null = null;
  let text: string[] = [];
  let defaultFor: Key | null = null;
  let depth = 0;
  let graphDepth = 0;
  let hyperedges = 0;
  const reader: SafeXmlReader = new SafeXmlReader({
    file: input.name,
    maxRunChars: MAX_RUN,
    handlers: {
      open(name, attrs) {
        depth++;
        if (name === 'key') {
          const k: Key = { domain: attrs.for ?? 'all', name: attrs['attr.name'] ?? attrs.id ?? '', type: attrs['attr.type'] ?? 'string' };
          if (attrs.id !== undefined) keys.set(attrs.id, k);
          defaultFor = k;
        } else if (name === 'default') {
          text = [];
        } else if (name === 'graph') {
          if (!graphDepth) graphDepth = depth;
        } else if (name === 'node') {
          if (attrs.id === undefined) throw reader.error('a node without an id');
          current = { id: attrs.id, data: new Map(), no: nodes.length + 1 };
          nodes.push(current);
        } else if (name === 'edge') {
          if (attrs.source === undefined || attrs.target === undefined) throw reader.error('an edge without source or target');
          current = { id: attrs.id ?? '', source: attrs.source, target: attrs.target, data: new Map(), no: edges.length + 1 };
          edges.push(current);
        } else if (name === 'hyperedge') {
          hyperedges++;
        } else if (name === 'data') {
          if (attrs.key === undefined) throw reader.error('a data element without a key');
          dataKey = attrs.key;
          text = [];
        }
      },
      close(name) {
        depth--;
        if (name === 'data' && dataKey !== null) {
          const v = text.join('');
          if (current) current.data.set(dataKey, v);
          else if (depth === graphDepth) graphData.set(dataKey, v);
          dataKey = null;
        } else if (name === 'default' && defaultFor) {
          defaultFor.def = text.join('');
        } else if (name === 'key') defaultFor = null;
        else if (name === 'node' || name === 'edge') current = null;
      },
      text(t) {
        if (dataKey !== null || defaultFor) text.push(t);
      },
    },
  });
  const fh = await open(input.path, 'r');
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 1024 * 1024 })) reader.write(chunk as Buffer);
  } finally {
    await fh.close();
  }
  reader.end();
  return { keys, graphData, nodes, edges, hyperedges, repaired: reader.repaired, firstRepair: reader.firstRepair };
}

type Parsed = Awaited<ReturnType<typeof parseGraphml>>;

const defaultsCache = new WeakMap<Parsed, Record<string, [string, { text: string; type: string }][]>>();

/** Values of an element by attribute name (with the key's default when the element lacks it). */
function byName(p: Parsed, el: Element, domain: 'node' | 'edge'): Map<string, { text: string; type: string }> {
  let defaults = defaultsCache.get(p);
  if (!defaults) {
    defaults = { node: [], edge: [] };
    for (const k of p.keys.values()) {
      if (k.def === undefined) continue;
      for (const d of ['node', 'edge'] as const) if (k.domain === d || k.domain === 'all') defaults[d].push([k.name, { text: k.def, type: k.type }]);
    }
    defaultsCache.set(p, defaults);
  }
  const out = new Map<string, { text: string; type: string }>(defaults[domain]);
  for (const [id, v] of el.data) {
    const k = p.keys.get(id);
    out.set(k?.name ?? id, { text: v, type: k?.type ?? 'string' });
  }
  return out;
}

function graphValue(p: Parsed, name: string): string | undefined {
  for (const [id, v] of p.graphData) if ((p.keys.get(id)?.name ?? id) === name) return v;
  return undefined;
}

function json(text: string, file: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw importError(file, where, `invalid JSON: ${(err as Error).message}`);
  }
}

/** A Casegraph GraphML back to the records it was written from. */
function carriedFrom(p: Parsed, file: string): Carried {
  const sources = parseCarried(CarriedSources, json(graphValue(p, 'cg_sources')!, file, 'graph cg_sources'), file, 'graph cg_sources');
  const colKinds = json(graphValue(p, 'cg_keys') ?? '{}', file, 'graph cg_keys') as { node?: Record<string, PropKind>; edge?: Record<string, PropKind> };
  const propsOf = (vals: Map<string, { text: string }>, kinds: Record<string, PropKind>, where: string): Props => {
    const props: Props = {};
    for (const [name, v] of vals) {
      const kind = kinds[name];
      const prop = propOf(name);
      if (!kind || prop === null) continue;
      try {
        props[prop] = decodeValue(v.text, kind) as Props[string];
      } catch (err) {
        throw importError(file, `${where} ${name}`, (err as Error).message);
      }
    }
    return props;
  };
  const c: Carried = { sources, entities: [], links: [], events: [] };
  for (const el of p.nodes) {
    const where = `node ${el.id}`;
    const v = byName(p, el, 'node');
    const exact = v.get('cg_exact') ? (json(v.get('cg_exact')!.text, file, `${where} cg_exact`) as Record<string, unknown>) : null;
    const raw = {
      id: el.id, type: v.get('type')?.text, label: exact?.label ?? v.get('label')?.text ?? '',
      props: exact?.props ?? propsOf(v, colKinds.node ?? {}, where),
      search: exact?.search ?? (v.get('cg_search') ? json(v.get('cg_search')!.text, file, `${where} cg_search`) : []),
      prov: v.get('cg_prov') ? json(v.get('cg_prov')!.text, file, `${where} cg_prov`) : undefined,
    };
    const e = parseCarried(CarriedEntity, raw, file, where);
    c.entities.push({ ...e, prov: decodeProv(e.prov) });
  }
  for (const el of p.edges) {
    const where = `edge ${el.id || `#${el.no}`}`;
    const v = byName(p, el, 'edge');
    const exact = v.get('cg_exact') ? (json(v.get('cg_exact')!.text, file, `${where} cg_exact`) as Record<string, unknown>) : null;
    const raw = {
      id: el.id, type: v.get('type')?.text, from: el.source, to: el.target, props: exact?.props ?? propsOf(v, colKinds.edge ?? {}, where),
      prov: v.get('cg_prov') ? json(v.get('cg_prov')!.text, file, `${where} cg_prov`) : undefined,
    };
    const l = parseCarried(CarriedLink, raw, file, where);
    c.links.push({ ...l, prov: decodeProv(l.prov) });
    const evs = v.get('cg_events');
    if (evs) {
      const list = json(evs.text, file, `${where} cg_events`);
      if (!Array.isArray(list)) throw importError(file, `${where} cg_events`, 'expected a list of events');
      list.forEach((x, i) => {
        const ev = parseCarried(CarriedEvent, { from: l.from, to: l.to, ...(x as object), linkId: l.id }, file, `${where} cg_events[${i}]`);
        c.events.push({ ...ev, prov: decodeProv(ev.prov) });
      });
    }
  }
  return c;
}

const TYPE_BY_LOWER = new Map(ENTITY_TYPES.map((t) => [t.toLowerCase(), t]));
const NOT_PROPS = new Set(['label', 'type', 'name', 'color', 'x', 'y', 'z', 'size', 'r', 'g', 'b', 'weight', 'id']);

function typedValue(text: string, type: string): Props[string] {
  if (type === 'boolean') return ['true', '1'].includes(text.trim().toLowerCase());
  if (['int', 'long', 'integer', 'float', 'double'].includes(type)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** Third-party GraphML: the file is the source; nodes need a Casegraph entity type. */
function thirdParty(p: Parsed, input: ImportInput, ctx: ImportContext) {
  const caseName = ctx.case ?? ctx.defaultCase;
  const b = new BatchBuilder({ sha256: input.sha256, kind: 'graphml', name: input.name, case: caseName, importedBy: ctx.importedBy });
  const ids = new Map<string, string>();
  const types = new Map<string, EntityType>();
  for (const el of p.nodes) {
    const v = byName(p, el, 'node');
    const typeText = (v.get('type')?.text ?? v.get('entity_type')?.text ?? '').trim();
    const type = TYPE_BY_LOWER.get(typeText.toLowerCase());
    if (!type) {
      throw importError(input.name, `node ${el.id}`, `${typeText ? `type "${typeText.slice(0, 40)}" is not` : 'no `type` attribute naming'} a Casegraph entity type (${ENTITY_TYPES.join(', ')})`);
    }
    const label = (v.get('label')?.text ?? v.get('name')?.text ?? el.id).slice(0, 500);
    const props: Props = {};
    for (const [name, x] of v) if (!NOT_PROPS.has(name)) props[name.slice(0, 100)] = typedValue(x.text, x.type);
    const locator = `node ${el.id}`.slice(0, 500);
    try {
      const { number, ...rest } = props;
      const id = type === 'Phone'
        ? b.phone(String(number ?? label), { region: ctx.defaultRegion, scope: `${input.sha256}/${el.id}`, label, props: rest, locator }).id
        : b.entity(type, { key: `${caseName}/graphml/${input.sha256.slice(0, 16)}/${el.id}`, label, props, locator });
      ids.set(el.id, id);
      types.set(id, type);
    } catch (err) {
      if (err instanceof ModelError) throw importError(input.name, locator, err.message);
      throw err;
    }
  }
  let related = 0;
  for (const el of p.edges) {
    const v = byName(p, el, 'edge');
    const where = `edge ${el.id || `#${el.no}`}`;
    const from = ids.get(el.source!);
    const to = ids.get(el.target!);
    if (!from || !to) throw importError(input.name, where, `refers to node ${!from ? el.source : el.target}, which the file does not contain`);
    const raw = (v.get('type')?.text ?? v.get('label')?.text ?? '').trim();
    const norm = raw.toUpperCase().replace(/[\s-]+/g, '_');
    const props: Props = {};
    for (const [name, x] of v) if (!NOT_PROPS.has(name)) props[name.slice(0, 100)] = typedValue(x.text, x.type);
    let type: LinkType = 'RELATED_TO';
    if (isLinkType(norm) && linkAllowed(norm, types.get(from)!, types.get(to)!)) type = norm;
    else {
      if (raw) props.relation = raw.slice(0, 200);
      related++;
    }
    b.link(type, from, to, where.slice(0, 500), props);
  }
  if (related) b.warn(`${related} edge(s) had no Casegraph link type valid for their ends and were imported as RELATED_TO (their own type kept in "relation")`);
  if (p.hyperedges) b.warn(`${p.hyperedges} hyperedge(s) ignored`);
  if (p.repaired) b.warn(`${p.repaired} XML-illegal character(s) replaced (first ${p.firstRepair})`);
  return b.build();
}

export async function readGraphml(input: ImportInput, ctx: ImportContext): Promise<ExchangeRead> {
  const p = await parseGraphml(input);
  const ours = graphValue(p, 'casegraph');
  if (ours !== undefined && graphValue(p, 'cg_sources') !== undefined) {
    if (ours !== GRAPHML_VERSION) throw importError(input.name, 'graph casegraph', `version "${ours.slice(0, 40)}" is not supported (this Casegraph reads ${GRAPHML_VERSION})`);
    const batches = toBatches(carriedFrom(p, input.name), input.name, ctx.case);
    return { format: 'graphml', provenance: 'original', sourceCount: batches.length, sources: batchesAsSources(batches), warnings: [] };
  }
  const batch = thirdParty(p, input, ctx);
  return { format: 'graphml', provenance: 'file', sourceCount: 1, sources: batchesAsSources([batch]), warnings: batch.warnings };
}

export const graphmlImporter = exchangeImporter({
  format: 'graphml',
  description: 'GraphML (Casegraph exports restore exactly; other GraphML needs a `type` node attribute naming a Casegraph entity type)',
  detect(head, name) {
    const text = head.toString('utf8', 0, Math.min(head.length, 4096));
    return /<graphml[\s>]/.test(text) || /\.graphml$/i.test(name);
  },
  read: readGraphml,
});
