// Graph read routes: search, entity details, neighbourhood, cases and their overview. Each passes the
// user's granted cases to the service, which shows only what a source of those cases asserts.
import { z } from 'zod';
import { CaseSummary, CrossDeviceHit, EntityDetail, GraphView, LinkTypeSchema, ENTITY_TYPES, LINK_TYPES, SearchHit, WireGraphView, type EntityView, type LinkView, type WireLinkView } from '../model/index.ts';
import { COMPACT_SHAPE, compactView, type CompactGraphView } from '../model/compact-view.ts';
import type { GraphService } from '../services/graph.service.ts';
import { csvEnum, defineRoute } from './route.ts';

const EntityIdParams = z.object({ id: z.string().min(1).max(100) });

export const SearchQuery = z.object({
  q: z.string().trim().min(1, 'type something to search for').max(200),
  types: csvEnum(ENTITY_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** `shape=compact`: the view as rows (model/compact-view.ts), what the explorer asks for */
const Shape = z.object({ shape: z.enum(['plain', 'compact']).default('plain') });
const CompactView = GraphView.omit({ links: true }).extend({
  shape: z.literal(COMPACT_SHAPE),
  linkTypes: z.array(LinkTypeSchema),
  links: z.array(z.array(z.unknown())).describe('rows: [id, index into linkTypes, from, to, count, durationS, firstAt, lastAt, props?]; from and to are indexes into entities (an id for an end outside the view); null where the link has no value'),
}).describe('A graph view as rows (shape=compact): the same content as the plain view in about half the bytes (the explorer decodes it with expandView in model/compact-view.ts)');
const ShapedView = WireGraphView.or(CompactView);

export const NeighboursQuery = Shape.extend({
  depth: z.coerce.number().int().min(1).max(3).default(1),
  entityTypes: csvEnum(ENTITY_TYPES).optional(),
  linkTypes: csvEnum(LINK_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const OverviewQuery = Shape.extend({ limit: z.coerce.number().int().min(1).max(20_000).default(2000) });
const CaseParams = z.object({ name: z.string().min(1).max(120) });
const PathsQuery = z.object({
  from: z.string().min(1).max(100),
  to: z.string().min(1).max(100),
  k: z.coerce.number().int().min(1).max(6).default(4),
  mode: z.enum(['shortest', 'all']).default('shortest'),
  linkTypes: csvEnum(LINK_TYPES).optional(),
  maxPaths: z.coerce.number().int().min(1).max(500).default(50),
});
const PathResponse = z.object({
  paths: z.array(z.object({ entities: z.array(z.string()), links: z.array(z.string()) })),
  hubs: z.array(z.string()),
  truncated: z.boolean(),
  message: z.string(),
  view: WireGraphView,
});
const CommonQuery = z.object({
  ids: z.string().max(2000).transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))]).pipe(z.array(z.string().max(100)).min(2, 'select at least two entities').max(20)),
  linkTypes: csvEnum(LINK_TYPES).optional(),
});
const HitsQuery = z.object({
  case: z.string().min(1).max(120).optional(),
  minDevices: z.coerce.number().int().min(2).max(1000).default(2),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * A view as the API sends it (WireGraphView): links without properties lose their empty `props`, phones
 * their search aliases. Every byte of a ~1 MB 2-hop view is serialised, copied and parsed again on the
 * other side; the canvas uses neither (the details panel reads the entity itself).
 */
export function wireView(view: GraphView): WireGraphView {
  return { ...view, entities: view.entities.map(wireEntity), links: view.links.map(wireLink) };
}

/** The wire view in the shape the request asked for. */
function shaped(view: GraphView, shape: 'plain' | 'compact'): WireGraphView | CompactGraphView {
  // rows straight from the store's links (no intermediate wire objects); entities trimmed as on the wire
  return shape === 'compact' ? compactView({ ...view, entities: view.entities.map(wireEntity) }) : wireView(view);
}

function wireEntity(e: EntityView): EntityView {
  if (e.type !== 'Phone' || e.props.aliases === undefined) return e;
  const { aliases: _search, ...props } = e.props;
  return { ...e, props };
}

function wireLink(l: LinkView): WireLinkView {
  for (const _key in l.props) return l; // has props: sent as it is
  // the store's keys in the store's order, without props (an object literal costs least)
  return l.count === undefined
    ? { id: l.id, type: l.type, from: l.from, to: l.to }
    : { id: l.id, type: l.type, from: l.from, to: l.to, count: l.count, durationS: l.durationS, firstAt: l.firstAt, lastAt: l.lastAt };
}

export function graphRoutes(graph: GraphService) {
  return [
    defineRoute({
      method: 'get', path: '/search', tag: 'graph', access: 'read', queued: true, summary: 'Full-text search over labels, aliases and identifiers (partial phone digits too)',
      query: SearchQuery, response: z.object({ hits: z.array(SearchHit) }),
      handler: async ({ query, principal }) => ({ hits: await graph.search(query, principal.cases) }),
    }),
    defineRoute({
      method: 'get', path: '/entities/:id', tag: 'graph', access: 'read', queued: true, summary: 'One entity with every property, source and locator',
      params: EntityIdParams, response: EntityDetail,
      handler: ({ params, principal }) => graph.entity(params.id, principal.cases),
    }),
    defineRoute({
      method: 'get', path: '/entities/:id/neighbours', tag: 'graph', access: 'read', queued: true, summary: 'Neighbourhood with depth, type filters, a cap and paging; says when it capped',
      params: EntityIdParams, query: NeighboursQuery, response: ShapedView,
      handler: async ({ params, query, principal }) => shaped(await graph.neighbours(params.id, query, principal.cases), query.shape),
    }),
    defineRoute({
      method: 'get', path: '/cases', tag: 'cases', access: 'read', queued: true, summary: 'Cases with their source and entity counts',
      response: z.object({ cases: z.array(CaseSummary) }),
      handler: async ({ principal }) => ({ cases: await graph.cases(principal.cases) }),
    }),
    defineRoute({
      method: 'get', path: '/cases/:name/overview', tag: 'cases', access: 'read', queued: true, summary: 'The entities of a case (capped) and the links among them',
      params: CaseParams, query: OverviewQuery, response: ShapedView,
      handler: async ({ params, query, principal }) => shaped(await graph.caseOverview(params.name, query.limit, principal.cases), query.shape),
    }),
    defineRoute({
      method: 'get', path: '/subgraph', tag: 'graph', access: 'read', queued: true, summary: 'The given entities and the links among them (restores a saved view; at most 2000 ids)',
      query: Shape.extend({
        ids: z.string().max(200_000).transform((v) => [...new Set(v.split(',').map((x) => x.trim()).filter(Boolean))]).pipe(z.array(z.string().max(100)).min(1).max(2000)),
        linkTypes: csvEnum(LINK_TYPES).optional(),
      }),
      response: ShapedView,
      handler: async ({ query, principal }) => shaped(await graph.subgraph(query.ids, query.linkTypes, principal.cases), query.shape),
    }),
    defineRoute({
      method: 'post', path: '/subgraph', tag: 'graph', access: 'read', queued: true, summary: 'The same as GET /subgraph with the ids in a JSON body (large saved views)',
      body: z.object({ ids: z.array(z.string().max(100)).min(1).max(5000), linkTypes: z.array(LinkTypeSchema).max(LINK_TYPES.length).optional() }),
      query: Shape, response: ShapedView,
      handler: async ({ body, query, principal }) => shaped(await graph.subgraph([...new Set(body.ids)], body.linkTypes, principal.cases), query.shape),
    }),
    defineRoute({
      method: 'get', path: '/paths', tag: 'graph', access: 'read', queued: true, summary: 'Shortest path or all simple paths (k ≤ 6) between two entities, optionally by link type',
      query: PathsQuery, response: PathResponse,
      handler: async ({ query, principal }) => {
        const r = await graph.paths(query, principal.cases);
        return { ...r, view: wireView(r.view) };
      },
    }),
    defineRoute({
      method: 'get', path: '/common-neighbours', tag: 'graph', access: 'read', queued: true, summary: 'Entities linked to every one of the selected entities',
      query: CommonQuery, response: z.object({ common: z.array(z.string()), hubs: z.array(z.string()), view: WireGraphView }),
      handler: async ({ query, principal }) => {
        const r = await graph.commonNeighbours(query.ids, query.linkTypes, principal.cases);
        return { ...r, view: wireView(r.view) };
      },
    }),
    defineRoute({
      method: 'get', path: '/cross-device-hits', tag: 'graph', access: 'read', queued: true, summary: 'Numbers and accounts found in the data of two or more seized devices, ranked',
      query: HitsQuery, response: z.object({ hits: z.array(CrossDeviceHit) }),
      handler: async ({ query, principal }) => ({ hits: await graph.crossDeviceHits({ case: query.case, limit: query.limit, minDevices: query.minDevices }, principal.cases) }),
    }),
  ];
}
