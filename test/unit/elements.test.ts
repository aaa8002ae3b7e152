// toElements: the pure mapping from API GraphViews to cytoscape elements (ids, types, classes, endpoints,
// styles from the ontology, labels kept verbatim), and the small data-driven stylesheet it feeds.
import { describe, expect, it } from 'vitest';
import type { EntityView, GraphView, LinkView } from '../../backend/src/model/schemas.ts';
import { ENTITY_SPECS, ENTITY_TYPES, LINK_SPECS, LINK_TYPES } from '../../backend/src/model/ontology.ts';
import { countByType, edgeWidth, nodeSize, toElements, type EdgeData, type NodeData } from '../../frontend/src/graph/elements.ts';
import { BULK_EDGES, BULK_NODES, buildStylesheet, detailLevelFor } from '../../frontend/src/graph/style.ts';

function entity(over: Partial<EntityView> & Pick<EntityView, 'id'>): EntityView {
  return { type: 'Person', label: over.id, props: {}, ...over };
}

function link(over: Partial<LinkView> & Pick<LinkView, 'id' | 'from' | 'to'>): LinkView {
  return { type: 'RELATED_TO', props: {}, ...over };
}

function view(entities: EntityView[], links: LinkView[] = []): GraphView {
  return { entities, links, capped: false };
}

const nodes = (els: ReturnType<typeof toElements>) => els.filter((e) => e.group === 'nodes').map((e) => e.data as NodeData);
const edges = (els: ReturnType<typeof toElements>) => els.filter((e) => e.group === 'edges').map((e) => e.data as EdgeData);

describe('toElements', () => {
  const v = view(
    [
      entity({ id: 'per_1', type: 'Person', label: 'Ana', props: { nationality: 'PE' } }),
      entity({ id: 'ph_1', type: 'Phone', label: '+51 987 654 321' }),
      entity({ id: 'ph_2', type: 'Phone', label: '+60 12 345 6789' }),
      entity({ id: 'org_1', type: 'Organization', label: 'Red Dragon' }),
    ],
    [
      link({ id: 'l_use', type: 'USES_PHONE', from: 'per_1', to: 'ph_1' }),
      link({ id: 'l_call', type: 'CALLED', from: 'ph_1', to: 'ph_2', count: 12, durationS: 3600, firstAt: '2023-09-01T10:00:00Z', lastAt: '2023-09-30T10:00:00Z' }),
      link({ id: 'l_mem', type: 'MEMBER_OF', from: 'per_1', to: 'org_1', props: { role: 'leader' } }),
    ],
  );
  const els = toElements(v);

  it('maps every entity to a node and every link to an edge, nodes first, ids kept', () => {
    expect(els.map((e) => [e.group, e.data.id])).toEqual([
      ['nodes', 'per_1'],
      ['nodes', 'ph_1'],
      ['nodes', 'ph_2'],
      ['nodes', 'org_1'],
      ['edges', 'l_use'],
      ['edges', 'l_call'],
      ['edges', 'l_mem'],
    ]);
  });

  it('gives nodes their type, type class, and colour and shape from the ontology', () => {
    const person = els.find((e) => e.data.id === 'per_1')!;
    expect(person.classes).toEqual(['entity', 't-Person']);
    expect(person.data).toMatchObject({ type: 'Person', label: 'Ana', color: ENTITY_SPECS.Person.style.color, shape: ENTITY_SPECS.Person.style.shape, props: { nationality: 'PE' } });
    const org = els.find((e) => e.data.id === 'org_1')!;
    expect(org.data).toMatchObject({ type: 'Organization', color: ENTITY_SPECS.Organization.style.color, shape: ENTITY_SPECS.Organization.style.shape });
  });

  it('maps link endpoints to edge source and target, with type, classes and line style', () => {
    const use = edges(els).find((e) => e.id === 'l_use')!;
    expect(use).toMatchObject({ source: 'per_1', target: 'ph_1', type: 'USES_PHONE', label: 'USES_PHONE', color: LINK_SPECS.USES_PHONE.style.color, lineStyle: LINK_SPECS.USES_PHONE.style.lineStyle, communication: false, count: null });
    expect(els.find((e) => e.data.id === 'l_use')!.classes).toEqual(['link', 't-USES_PHONE']);
    expect(edges(els).find((e) => e.id === 'l_mem')!.props).toEqual({ role: 'leader' });
  });

  it('marks communication links, labels them with their count and widens them by count', () => {
    const call = edges(els).find((e) => e.id === 'l_call')!;
    expect(els.find((e) => e.data.id === 'l_call')!.classes).toEqual(['link', 't-CALLED', 'comm']);
    expect(call).toMatchObject({ communication: true, count: 12, durationS: 3600, firstAt: '2023-09-01T10:00:00Z', lastAt: '2023-09-30T10:00:00Z', label: 'CALLED ×12' });
    expect(call.width).toBeGreaterThan(edges(els).find((e) => e.id === 'l_use')!.width);
    expect(edgeWidth('CALLED', 1000)).toBeGreaterThan(edgeWidth('CALLED', 10));
    expect(edgeWidth('CALLED', 10)).toBeGreaterThan(edgeWidth('CALLED', 1));
    expect(edgeWidth('MEMBER_OF', 1000)).toBe(edgeWidth('MEMBER_OF', undefined));
  });

  it('keeps labels verbatim, markup included', () => {
    const hostile = '<img src=x onerror="window.__xss=1">';
    const [node] = nodes(toElements(view([entity({ id: 'per_x', label: hostile })])));
    expect(node.label).toBe(hostile);
    const amp = 'Müller & Söhne — "Ltd" \u202e';
    expect(nodes(toElements(view([entity({ id: 'o', type: 'Organization', label: amp })])))[0].label).toBe(amp);
  });

  it('drops links whose endpoints are neither in the view nor already on the canvas', () => {
    const partial = view([entity({ id: 'a' })], [link({ id: 'l1', from: 'a', to: 'b' }), link({ id: 'l2', from: 'a', to: 'c' })]);
    expect(edges(toElements(partial)).map((e) => e.id)).toEqual([]);
    expect(edges(toElements(partial, { hasNode: (id) => id === 'b' })).map((e) => e.id)).toEqual(['l1']);
  });

  it('keeps the first of duplicated ids and marks self-loops', () => {
    const dup = view([entity({ id: 'a', label: 'first' }), entity({ id: 'a', label: 'second' })], [link({ id: 'l', from: 'a', to: 'a' }), link({ id: 'l', from: 'a', to: 'a' })]);
    const out = toElements(dup);
    expect(nodes(out).map((n) => n.label)).toEqual(['first']);
    expect(out.filter((e) => e.group === 'edges')).toHaveLength(1);
    expect(out.find((e) => e.group === 'edges')!.classes).toContain('loop');
  });

  it('sizes nodes by API degree, else by degree within the view', () => {
    const hub = view(
      [entity({ id: 'hub' }), entity({ id: 'n1' }), entity({ id: 'n2' }), entity({ id: 'n3' }), entity({ id: 'big', degree: 500 })],
      [link({ id: 'a', from: 'hub', to: 'n1' }), link({ id: 'b', from: 'hub', to: 'n2' }), link({ id: 'c', from: 'n3', to: 'hub' })],
    );
    const byId = new Map(nodes(toElements(hub)).map((n) => [n.id, n]));
    expect(byId.get('hub')!.size).toBe(nodeSize(3));
    expect(byId.get('hub')!.size).toBeGreaterThan(byId.get('n1')!.size);
    expect(byId.get('big')!.size).toBe(nodeSize(500));
    expect(byId.get('big')!.degree).toBe(500);
    expect(byId.get('n1')!.degree).toBeNull();
  });

  it('falls back to a neutral style for a type the ontology does not know', () => {
    const odd = { id: 'x', type: 'Spaceship', label: 'x', props: {} } as unknown as EntityView;
    const [node] = nodes(toElements(view([odd])));
    expect(node).toMatchObject({ type: 'Spaceship', shape: 'ellipse' });
    expect(node.color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('has a distinct colour and shape pair for every entity type', () => {
    const pairs = ENTITY_TYPES.map((t) => `${ENTITY_SPECS[t].style.color}/${ENTITY_SPECS[t].style.shape}`);
    expect(new Set(pairs).size).toBe(ENTITY_TYPES.length);
  });
});

describe('countByType', () => {
  it('counts in the given order, unknown values last', () => {
    const counts = countByType(['Place', 'Person', 'Zeppelin', 'Person', 'Alien'], ENTITY_TYPES);
    expect([...counts]).toEqual([
      ['Person', 2],
      ['Place', 1],
      ['Alien', 1],
      ['Zeppelin', 1],
    ]);
    expect([...countByType(['CALLED', 'MEMBER_OF'], LINK_TYPES).keys()]).toEqual(['MEMBER_OF', 'CALLED']);
  });
});

describe('stylesheet', () => {
  it('stays a handful of selectors driven by data() mappers, at both levels of detail', () => {
    for (const level of ['detail', 'bulk'] as const) {
      const sheet = buildStylesheet(level) as { selector: string; style: Record<string, unknown> }[];
      // a handful per feature (analysis panels add marks), never one per node: thousands froze rendering
      expect(sheet.length).toBeLessThanOrEqual(24);
      const node = sheet.find((b) => b.selector === 'node')!.style;
      expect(node).toMatchObject({ 'background-color': 'data(color)', shape: 'data(shape)', label: 'data(label)' });
      const edge = sheet.find((b) => b.selector === 'edge')!.style;
      expect(edge).toMatchObject({ 'line-color': 'data(color)', width: 'data(width)' });
    }
    const detailEdge = (buildStylesheet('detail') as { selector: string; style: Record<string, unknown> }[]).find((b) => b.selector === 'edge')!.style;
    expect(detailEdge).toMatchObject({ label: 'data(label)', 'line-style': 'data(lineStyle)' });
  });

  it('switches to the bulk level above the node or edge cap', () => {
    expect(detailLevelFor(BULK_NODES, BULK_EDGES)).toBe('detail');
    expect(detailLevelFor(BULK_NODES + 1, 0)).toBe('bulk');
    expect(detailLevelFor(10, BULK_EDGES + 1)).toBe('bulk');
  });
});
