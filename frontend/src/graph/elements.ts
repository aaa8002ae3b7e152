// Pure mapping from the API's GraphView to cytoscape element definitions. Everything the stylesheet needs
// (colour, shape, size, width) is computed here from the ontology and stored as element data, so the
// stylesheet stays a handful of selectors driven by data() mappers.
import type { ElementDefinition } from 'cytoscape';
// views as the API sends them (WireGraphView: links without props omit them)
import type { EntityView, Props, WireGraphView as GraphView, WireLinkView as LinkView } from '../../../backend/src/model/schemas.ts';
import { ENTITY_SPECS, LINK_SPECS, isEntityType, isLinkType } from '../../../backend/src/model/ontology.ts';

/** Data carried by every entity node. */
export interface NodeData {
  id: string;
  type: string;
  label: string;
  color: string;
  shape: string;
  size: number;
  degree: number | null;
  props: Props;
}

/** Data carried by every link edge. */
export interface EdgeData {
  id: string;
  source: string;
  target: string;
  type: string;
  /** the text drawn on the edge: the link type, plus ×count for communication links */
  label: string;
  color: string;
  lineStyle: 'solid' | 'dashed' | 'dotted';
  width: number;
  communication: boolean;
  count: number | null;
  durationS: number | null;
  firstAt: string | null;
  lastAt: string | null;
  props: Props;
}

export const FALLBACK_ENTITY_STYLE = { color: '#94a3b8', shape: 'ellipse' } as const;
export const FALLBACK_LINK_STYLE = { color: '#94a3b8', lineStyle: 'solid' } as const;

export function entityStyle(type: string): { color: string; shape: string } {
  return isEntityType(type) ? ENTITY_SPECS[type].style : FALLBACK_ENTITY_STYLE;
}

export function linkStyle(type: string): { color: string; lineStyle: 'solid' | 'dashed' | 'dotted' } {
  return isLinkType(type) ? LINK_SPECS[type].style : FALLBACK_LINK_STYLE;
}

export function isCommunication(type: string): boolean {
  return isLinkType(type) && LINK_SPECS[type].communication === true;
}

/** Node diameter: grows with the log of the degree so hubs stand out without swamping the canvas. */
export function nodeSize(degree: number | undefined): number {
  if (degree === undefined || degree <= 1) return 26;
  return Math.round(26 + Math.min(30, 5 * Math.log2(degree)));
}

/** Edge width: communication links thicken with the log of their event count; others are thin. */
export function edgeWidth(type: string, count: number | undefined): number {
  if (!isCommunication(type)) return 1.5;
  const c = count ?? 1;
  return Math.round((1.5 + Math.min(8, 1.4 * Math.log2(Math.max(1, c)))) * 10) / 10;
}

export function edgeLabel(link: Pick<LinkView, 'type' | 'count'>): string {
  return isCommunication(link.type) && link.count !== undefined && link.count > 1 ? `${link.type} ×${link.count}` : link.type;
}

/** `sizeDegree` sizes the node when the API gave no degree (e.g. its degree within the view). */
export function nodeElement(e: EntityView, sizeDegree?: number): ElementDefinition {
  const style = entityStyle(e.type);
  const data: NodeData = {
    id: e.id,
    type: e.type,
    label: e.label,
    color: style.color,
    shape: style.shape,
    size: nodeSize(e.degree ?? sizeDegree),
    degree: e.degree ?? null,
    props: e.props ?? {},
  };
  return { group: 'nodes', data, classes: ['entity', `t-${e.type}`] };
}

export function edgeElement(l: LinkView): ElementDefinition {
  const style = linkStyle(l.type);
  const communication = isCommunication(l.type);
  const data: EdgeData = {
    id: l.id,
    source: l.from,
    target: l.to,
    type: l.type,
    label: edgeLabel(l),
    color: style.color,
    lineStyle: style.lineStyle,
    width: edgeWidth(l.type, l.count),
    communication,
    count: l.count ?? null,
    durationS: l.durationS ?? null,
    firstAt: l.firstAt ?? null,
    lastAt: l.lastAt ?? null,
    props: l.props ?? {},
  };
  const classes = ['link', `t-${l.type}`];
  if (communication) classes.push('comm');
  if (l.from === l.to) classes.push('loop');
  return { group: 'edges', data, classes };
}

export interface ToElementsOptions {
  /** ids already on the canvas: links may end on them even when the view does not list them */
  hasNode?: (id: string) => boolean;
}

/**
 * Maps a GraphView to cytoscape elements: nodes first, then the links whose both endpoints are in the
 * view (or already on the canvas). Duplicate ids keep their first occurrence. Labels are kept verbatim.
 * Nodes are sized by their API degree, or by their degree within the view when the API gave none.
 */
export function toElements(view: GraphView, opts: ToElementsOptions = {}): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  const nodeIds = new Set<string>();
  const viewDegree = new Map<string, number>();
  for (const l of view.links) {
    viewDegree.set(l.from, (viewDegree.get(l.from) ?? 0) + 1);
    if (l.to !== l.from) viewDegree.set(l.to, (viewDegree.get(l.to) ?? 0) + 1);
  }
  for (const e of view.entities) {
    if (nodeIds.has(e.id)) continue;
    nodeIds.add(e.id);
    out.push(nodeElement(e, viewDegree.get(e.id)));
  }
  const known = (id: string) => nodeIds.has(id) || (opts.hasNode?.(id) ?? false);
  const linkIds = new Set<string>();
  for (const l of view.links) {
    if (linkIds.has(l.id) || nodeIds.has(l.id)) continue;
    if (!known(l.from) || !known(l.to)) continue;
    linkIds.add(l.id);
    out.push(edgeElement(l));
  }
  return out;
}

/** Counts values (entity or link types) in the given order; values not in it come last, alphabetically. */
export function countByType(types: Iterable<string>, order: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  const known = order.filter((t) => counts.has(t));
  const unknown = [...counts.keys()].filter((t) => !order.includes(t)).sort();
  return new Map([...known, ...unknown].map((t) => [t, counts.get(t)!]));
}
