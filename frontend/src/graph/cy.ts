// Cytoscape setup and graph operations: creating the canvas, whole-graph fcose layouts, merging API views
// into the canvas and placing new nodes around the node they were expanded from (existing nodes never
// move on expand, so the picture the investigator built stays put).
import cytoscape, { type Core, type EdgeCollection, type NodeCollection, type NodeSingular, type Position } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { GraphView } from '../../../backend/src/model/schemas.ts';
import { buildStylesheet, detailLevelFor, type DetailLevel } from './style.ts';
import { toElements } from './elements.ts';

let registered = false;

/** Graphs up to this many nodes get fcose 'default' quality; larger ones 'draft' (default is too slow). */
export const DEFAULT_QUALITY_MAX_NODES = 300;
/** Fitting a handful of nodes would blow them up; stop zooming in at this level. */
export const MAX_FIT_ZOOM = 1.6;

const levels = new WeakMap<Core, DetailLevel>();

export function createCy(container: HTMLElement): Core {
  if (!registered) {
    cytoscape.use(fcose);
    registered = true;
  }
  const cy = cytoscape({
    container,
    style: buildStylesheet('detail'),
    minZoom: 0.05,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: 'single',
    // canvas renderer only: WebGL runs through software rendering here and is far slower
    renderer: { name: 'canvas' },
  } as cytoscape.CytoscapeOptions);
  levels.set(cy, 'detail');
  return cy;
}

/** The level of detail the canvas is drawn at. */
export function detailLevel(cy: Core): DetailLevel {
  return levels.get(cy) ?? 'detail';
}

/** Sets the stylesheet's level of detail (a no-op when unchanged). */
export function setDetailLevel(cy: Core, level: DetailLevel): void {
  if (level === levels.get(cy)) return;
  levels.set(cy, level);
  cy.style(buildStylesheet(level));
}

/** Switches the level of detail to suit the number of elements on the canvas; returns the level. */
export function updateDetailLevel(cy: Core): DetailLevel {
  const level = detailLevelFor(cy.nodes().length, cy.edges().length);
  setDetailLevel(cy, level);
  return level;
}

export type LayoutQuality = 'default' | 'draft';

export function qualityFor(nodes: number): LayoutQuality {
  return nodes <= DEFAULT_QUALITY_MAX_NODES ? 'default' : 'draft';
}

/** Runs fcose over the whole graph (or `eles`) and resolves with the quality used when it stops. */
export function layoutAll(cy: Core, eles: cytoscape.CollectionArgument = cy.elements()): Promise<LayoutQuality | null> {
  const collection = cy.collection().union(eles);
  const n = collection.nodes().length;
  if (n === 0) return Promise.resolve(null);
  const quality = qualityFor(n);
  const layout = collection.layout({
    name: 'fcose',
    quality,
    randomize: true,
    animate: false,
    fit: true,
    padding: 40,
    nodeDimensionsIncludeLabels: false,
    nodeSeparation: 110,
    nodeRepulsion: () => 30000,
    idealEdgeLength: () => 140,
    edgeElasticity: () => 0.45,
    gravity: 0.3,
    numIter: 2500,
  } as cytoscape.BaseLayoutOptions);
  const done = new Promise<LayoutQuality>((resolve) =>
    layout.one('layoutstop', () => {
      capZoom(cy);
      resolve(quality);
    }),
  );
  layout.run();
  return done;
}

/** Fits `eles` (everything visible by default) in view, without zooming in past MAX_FIT_ZOOM. */
export function fitView(cy: Core, eles: cytoscape.CollectionArgument = cy.elements(':visible'), padding = 40): void {
  cy.fit(eles, padding);
  capZoom(cy, eles);
}

function capZoom(cy: Core, eles?: cytoscape.CollectionArgument): void {
  if (cy.zoom() <= MAX_FIT_ZOOM) return;
  cy.zoom(MAX_FIT_ZOOM);
  cy.center(eles);
}

function centroid(nodes: NodeCollection): Position | null {
  if (nodes.length === 0) return null;
  let x = 0;
  let y = 0;
  nodes.forEach((n) => {
    const p = n.position();
    x += p.x;
    y += p.y;
  });
  return { x: x / nodes.length, y: y / nodes.length };
}

/**
 * Positions `nodes` around `anchor` without moving anything else: a fan facing away from the rest of the
 * graph for a few nodes, a sunflower disk hanging off the anchor for many.
 */
export function placeAround(cy: Core, anchor: NodeSingular, nodes: NodeCollection): void {
  const n = nodes.length;
  if (n === 0) return;
  const a = anchor.position();
  const rest = cy.nodes().difference(nodes).difference(anchor);
  const c = centroid(rest);
  let dx = 0;
  let dy = 0;
  if (c) {
    dx = a.x - c.x;
    dy = a.y - c.y;
    const len = Math.hypot(dx, dy);
    if (len > 1e-6) {
      dx /= len;
      dy /= len;
    } else {
      dx = 0;
      dy = 0;
    }
  }
  const directed = dx !== 0 || dy !== 0;
  const sorted = nodes.sort((p, q) => (p.data('type') as string).localeCompare(q.data('type')) || p.id().localeCompare(q.id()));

  if (n <= 12) {
    const radius = 110 + n * 4;
    const base = directed ? Math.atan2(dy, dx) : -Math.PI / 2;
    const span = directed ? Math.min(Math.PI * 1.1, 0.42 * n) : 2 * Math.PI;
    sorted.forEach((node, i) => {
      const t = directed ? (n === 1 ? 0 : i / (n - 1) - 0.5) : i / n;
      const angle = base + t * span;
      node.position({ x: a.x + radius * Math.cos(angle), y: a.y + radius * Math.sin(angle) });
    });
    return;
  }

  // sunflower (Vogel) spiral: even density, each point ~spacing apart
  const spacing = 52;
  const k = spacing / Math.sqrt(Math.PI);
  const diskRadius = k * Math.sqrt(n);
  const hole = directed ? 0 : 90;
  const centre = directed ? { x: a.x + dx * (diskRadius + 110), y: a.y + dy * (diskRadius + 110) } : a;
  const golden = Math.PI * (3 - Math.sqrt(5));
  sorted.forEach((node, i) => {
    const r = Math.sqrt(hole * hole + k * k * (i + 0.5));
    const angle = i * golden;
    node.position({ x: centre.x + r * Math.cos(angle), y: centre.y + r * Math.sin(angle) });
  });
}

export interface MergeResult {
  nodes: NodeCollection;
  edges: EdgeCollection;
}

/**
 * Adds the entities and links of `view` that are not on the canvas yet, in one batch. New nodes are
 * placed around `anchor` when given; otherwise they are left for a layout to place.
 */
export function mergeView(cy: Core, view: GraphView, anchor?: NodeSingular): MergeResult {
  const elements = toElements(view, { hasNode: (id) => cy.getElementById(id).isNode() });
  const fresh = elements.filter((el) => cy.getElementById(el.data.id!).empty());
  let added = cy.collection();
  cy.batch(() => {
    added = cy.add(fresh);
    if (anchor) placeAround(cy, anchor, added.nodes());
  });
  return { nodes: added.nodes(), edges: added.edges() };
}

/** Replaces everything on the canvas with `view`, spread on a spiral until a layout places it. */
export function replaceAll(cy: Core, view: GraphView): void {
  const elements = toElements(view);
  // nodes stacked at the origin would give their edges no drawable endpoints (and cytoscape warns)
  const golden = Math.PI * (3 - Math.sqrt(5));
  let i = 0;
  for (const el of elements) {
    if (el.group !== 'nodes') continue;
    const r = 40 * Math.sqrt(i + 0.5);
    el.position = { x: r * Math.cos(i * golden), y: r * Math.sin(i * golden) };
    i++;
  }
  // pick the level first: styling thousands of elements twice costs seconds
  const nodeCount = i;
  setDetailLevel(cy, detailLevelFor(nodeCount, elements.length - nodeCount));
  cy.batch(() => {
    cy.elements().remove();
    cy.add(elements);
  });
}

/** Selects `node` alone, zooms in if the view is far out and centres on it. */
export function focusNode(cy: Core, node: NodeSingular): void {
  cy.batch(() => {
    cy.elements(':selected').unselect();
    node.select();
  });
  const zoom = Math.min(Math.max(cy.zoom(), 1.2), 2);
  cy.zoom(zoom);
  cy.center(node);
}

/** Whether the node's centre is inside the visible viewport. */
export function inViewport(cy: Core, node: NodeSingular): boolean {
  const p = node.renderedPosition();
  return p.x >= 0 && p.y >= 0 && p.x <= cy.width() && p.y <= cy.height();
}
