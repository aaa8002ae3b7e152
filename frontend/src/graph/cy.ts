// Cytoscape setup and graph operations: creating the canvas, whole-graph fcose layouts, merging API views
// into the canvas and placing new nodes around the node they were expanded from (existing nodes never
// move on expand, so the picture the investigator built stays put).
import cytoscape, { type Core, type EdgeCollection, type NodeCollection, type NodeSingular, type Position } from 'cytoscape';
import fcose from 'cytoscape-fcose';
// views as the API sends them (WireGraphView: links without props omit them)
import type { WireGraphView as GraphView } from '../../../backend/src/model/schemas.ts';
import { buildStylesheet, detailLevelFor, type DetailLevel } from './style.ts';
import { toElements } from './elements.ts';
import { ENTITY_TYPES } from '../../../backend/src/model/ontology.ts';

let registered = false;

/** Graphs up to this many nodes get fcose 'default' quality; larger ones 'draft' (default is too slow). */
export const DEFAULT_QUALITY_MAX_NODES = 300;
/** Fitting a handful of nodes would blow them up; stop zooming in at this level. */
export const MAX_FIT_ZOOM = 1.6;

const levels = new WeakMap<Core, DetailLevel>();

/** The id cytoscape looks for before it injects its one-rule <style> element into <head>. */
const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet';

export function createCy(container: HTMLElement): Core {
  if (!registered) {
    cytoscape.use(fcose);
    registered = true;
  }
  // the CSP (style-src 'self') refuses injected <style> elements: a marker with cytoscape's id stops the
  // injection, and its rule (`position: relative` on the container) lives in accounts.css
  if (!document.getElementById(CYTOSCAPE_STYLESHEET_ID)) {
    document.head.append(Object.assign(document.createElement('meta'), { id: CYTOSCAPE_STYLESHEET_ID, name: 'cytoscape-stylesheet', content: 'in the explorer stylesheets' }));
  }
  const cy = cytoscape({
    container,
    style: buildStylesheet('detail'),
    minZoom: 0.05,
    maxZoom: 4,
    // Shift+drag draws a selection box; Shift/Ctrl+click adds to the selection
    boxSelectionEnabled: true,
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
  // pinned (locked) nodes keep their place (cytoscape does not move locked nodes); at 'default' quality
  // fcose also arranges the rest around them (its 'draft' spectral pass ignores constraints)
  const pinned = collection.nodes(':locked');
  const fixed = pinned.length && pinned.length < n ? pinned.map((p) => ({ nodeId: p.id(), position: { ...p.position() } })) : undefined;
  return runAndWait(cy, collection, {
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
    fixedNodeConstraint: fixed,
  } as cytoscape.BaseLayoutOptions).then(() => quality);
}

function runAndWait(cy: Core, eles: cytoscape.Collection, options: cytoscape.LayoutOptions): Promise<void> {
  const layout = eles.layout(options);
  const done = new Promise<void>((resolve) =>
    layout.one('layoutstop', () => {
      capZoom(cy);
      resolve();
    }),
  );
  layout.run();
  return done;
}

/** The layouts offered in the toolbar, with their labels. */
export const LAYOUTS = {
  fcose: 'Force-directed',
  concentric: 'Concentric (by degree)',
  breadthfirst: 'Hierarchy (breadth-first)',
  grid: 'Grid (by type)',
} as const;
export type LayoutName = keyof typeof LAYOUTS;

export function isLayoutName(name: unknown): name is LayoutName {
  return typeof name === 'string' && Object.hasOwn(LAYOUTS, name);
}

/**
 * Lays out `eles` (nodes and the links among them) with the named layout and resolves with a short
 * description of what ran ("fcose draft", "grid"). Pinned nodes stay where they are. `roots` seeds the
 * breadth-first hierarchy (the selection, typically); without it the busiest node of each part is used.
 */
export async function runLayout(cy: Core, name: LayoutName, eles: cytoscape.Collection, roots?: NodeCollection): Promise<string | null> {
  const n = eles.nodes().length;
  if (n === 0) return null;
  if (name === 'fcose') {
    const quality = await layoutAll(cy, eles);
    return quality ? `fcose ${quality}` : null;
  }
  const common = { animate: false, fit: true, padding: 40, avoidOverlap: true, nodeDimensionsIncludeLabels: false };
  if (name === 'concentric') {
    const max = eles.nodes().max((node) => node.degree(false)).value || 1;
    await runAndWait(cy, eles, {
      ...common,
      name: 'concentric',
      concentric: (node: NodeSingular) => node.degree(false),
      // about eight rings from the hubs outwards
      levelWidth: () => Math.max(1, max / 8),
      minNodeSpacing: 24,
      spacingFactor: 1,
    } as cytoscape.LayoutOptions);
  } else if (name === 'breadthfirst') {
    const inEles = roots?.intersection(eles.nodes());
    await runAndWait(cy, eles, {
      ...common,
      name: 'breadthfirst',
      directed: false,
      spacingFactor: 1.1,
      roots: inEles && inEles.nonempty() ? inEles : undefined,
    } as cytoscape.LayoutOptions);
  } else {
    const order = (t: string) => {
      const i = (ENTITY_TYPES as readonly string[]).indexOf(t);
      return i < 0 ? ENTITY_TYPES.length : i;
    };
    await runAndWait(cy, eles, {
      ...common,
      name: 'grid',
      condense: true,
      avoidOverlapPadding: 14,
      sort: (a: NodeSingular, b: NodeSingular) =>
        order(a.data('type')) - order(b.data('type')) || String(a.data('label')).localeCompare(String(b.data('label'))),
    } as cytoscape.LayoutOptions);
  }
  return name;
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
 * placed around `anchor` when it is a node, by `anchor` when it is a function; otherwise they are left
 * for a layout to place.
 */
export function mergeView(cy: Core, view: GraphView, anchor?: NodeSingular | ((added: NodeCollection) => void)): MergeResult {
  const elements = toElements(view, { hasNode: (id) => cy.getElementById(id).isNode() });
  const fresh = elements.filter((el) => cy.getElementById(el.data.id!).empty());
  let added = cy.collection();
  cy.batch(() => {
    added = cy.add(fresh);
    if (typeof anchor === 'function') anchor(added.nodes());
    else if (anchor) placeAround(cy, anchor, added.nodes());
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

/**
 * Positions the `fresh` nodes of `paths` (each a list of entity ids from one end to the other) between
 * the path's nodes that already have a place: along the straight line joining them, bowed sideways per
 * path so parallel paths stay apart. Nothing already on the canvas moves.
 */
export function placeOnPaths(cy: Core, paths: readonly (readonly string[])[], fresh: NodeCollection): void {
  const todo = new Set(fresh.map((n) => n.id()));
  const placed = new Map<string, Position>();
  cy.nodes().forEach((n) => {
    if (!todo.has(n.id())) placed.set(n.id(), { ...n.position() });
  });
  paths.forEach((path, pi) => {
    const bow = ((pi % 9) - 4) * 46;
    for (let i = 0; i < path.length; i++) {
      const id = path[i];
      if (!todo.has(id) || placed.has(id)) continue;
      let a = i - 1;
      while (a >= 0 && !placed.has(path[a])) a--;
      let b = i + 1;
      while (b < path.length && !placed.has(path[b])) b++;
      const pa = a >= 0 ? placed.get(path[a])! : null;
      const pb = b < path.length ? placed.get(path[b])! : null;
      let pos: Position;
      if (pa && pb && Math.hypot(pb.x - pa.x, pb.y - pa.y) > 60) {
        const t = (i - a) / (b - a);
        const dx = pb.x - pa.x;
        const dy = pb.y - pa.y;
        const len = Math.hypot(dx, dy);
        const off = bow * Math.sin(Math.PI * t);
        pos = { x: pa.x + dx * t - (dy / len) * off, y: pa.y + dy * t + (dx / len) * off };
      } else {
        // one known end (or both ends on top of each other): step out from it on a ray per path
        const from = pa ?? pb ?? { x: 0, y: 0 };
        const steps = pa ? i - a : b - i;
        const angle = -Math.PI / 2 + pi * 0.7;
        pos = { x: from.x + 120 * steps * Math.cos(angle), y: from.y + 120 * steps * Math.sin(angle) };
      }
      placed.set(id, pos);
    }
  });
  cy.batch(() => {
    fresh.forEach((n) => {
      const p = placed.get(n.id());
      if (p) n.position(p);
    });
  });
  // fresh nodes on no path (should not happen) go around the first placed one
  const stray = fresh.filter((n) => !placed.has(n.id()));
  const anchor = cy.nodes().difference(stray).first();
  if (stray.nonempty() && anchor.nonempty()) placeAround(cy, anchor as NodeSingular, stray);
}
