// The view on the canvas as data: which entities and links are on it, where, what is hidden (by type or
// one by one), what is pinned, and the camera. Snapshots of it drive undo/redo and the URL state;
// restoring one diffs against the canvas in a single batch, so nothing is re-fetched from the server.
import type { CollectionArgument, Core, ElementDefinition, NodeCollection, NodeSingular, SingularElementArgument } from 'cytoscape';

/** Classes that carry view state or transient emphasis, never part of an element's definition. */
// (out-of-window and diff-*: the timeline's window and Compare periods' marks, taken off when those panels close)
const VIEW_CLASSES = new Set(['hl', 'faded', 'path', 'hidden', 'type-hidden', 'link-hidden', 'pinned', 'out-of-window', 'diff-appeared', 'diff-disappeared', 'diff-rose', 'diff-fell', 'diff-successor']);

export interface TypeFilters {
  /** entity types hidden from the canvas */
  hiddenTypes: Set<string>;
  /** link types hidden from the canvas */
  hiddenLinkTypes: Set<string>;
}

export interface CanvasSnapshot {
  nodes: string[];
  /** x, y of nodes[i] at 2i, 2i + 1 */
  xy: Float64Array;
  edges: string[];
  /** elements hidden one by one */
  hidden: string[];
  pinned: string[];
  hiddenTypes: string[];
  hiddenLinkTypes: string[];
  zoom: number;
  pan: { x: number; y: number };
}

/**
 * Remembers the definition (data and classes) of every element that was on the canvas in this page, so
 * undo and redo can bring elements back without asking the server.
 */
export class ElementRegistry {
  private readonly defs = new Map<string, ElementDefinition>();

  note(ele: SingularElementArgument): void {
    const data = ele.data() as Record<string, unknown>;
    const known = this.defs.get(ele.id());
    if (known && known.data === data) return; // cytoscape hands out its own data object: same object, same element
    const classes = (ele.classes() as unknown as string[]).filter((c) => !VIEW_CLASSES.has(c));
    this.defs.set(ele.id(), { group: ele.isNode() ? 'nodes' : 'edges', data: data as ElementDefinition['data'], classes });
  }

  get(id: string): ElementDefinition | undefined {
    return this.defs.get(id);
  }

  forget(id: string): void {
    this.defs.delete(id);
  }

  clear(): void {
    this.defs.clear();
  }
}

/** Sets the type-filter classes on `eles` (everything by default) from `filters`. */
export function applyTypeFilters(cy: Core, filters: TypeFilters, which: CollectionArgument = cy.elements()): void {
  const eles = cy.collection().union(which);
  cy.batch(() => {
    eles.nodes().forEach((n) => {
      n.toggleClass('type-hidden', filters.hiddenTypes.has(n.data('type') as string));
    });
    eles.edges().forEach((e) => {
      e.toggleClass('link-hidden', filters.hiddenLinkTypes.has(e.data('type') as string));
    });
  });
}

/** Pins (locks in place) or unpins nodes; pinned nodes show a double border and layouts leave them. */
export function setPinned(nodes: NodeCollection, on: boolean): void {
  if (on) nodes.addClass('pinned').lock();
  else nodes.unlock().removeClass('pinned');
}

export function captureSnapshot(cy: Core, filters: TypeFilters, registry: ElementRegistry): CanvasSnapshot {
  const nodes = cy.nodes();
  const ids = new Array<string>(nodes.length);
  const xy = new Float64Array(nodes.length * 2);
  const hidden: string[] = [];
  const pinned: string[] = [];
  nodes.forEach((n, i) => {
    ids[i] = n.id();
    const p = n.position();
    xy[2 * i] = p.x;
    xy[2 * i + 1] = p.y;
    registry.note(n);
    if (n.hasClass('hidden')) hidden.push(n.id());
    if (n.locked()) pinned.push(n.id());
  });
  const edges = cy.edges();
  const edgeIds = new Array<string>(edges.length);
  edges.forEach((e, i) => {
    edgeIds[i] = e.id();
    registry.note(e);
    if (e.hasClass('hidden')) hidden.push(e.id());
  });
  return {
    nodes: ids,
    xy,
    edges: edgeIds,
    hidden,
    pinned,
    hiddenTypes: [...filters.hiddenTypes].sort(),
    hiddenLinkTypes: [...filters.hiddenLinkTypes].sort(),
    zoom: cy.zoom(),
    pan: { ...cy.pan() },
  };
}

export interface RestoreResult {
  /** ids the snapshot names that the registry could not bring back */
  missing: string[];
}

/**
 * Makes the canvas match `snap` in one batch: removes what it lacks, adds back what it has (from the
 * registry), moves nodes to their recorded positions and re-applies filters, hidden and pinned. Updates
 * `filters` in place. The camera moves only when `viewport` is set.
 */
export function restoreSnapshot(cy: Core, snap: CanvasSnapshot, registry: ElementRegistry, filters: TypeFilters, viewport: boolean): RestoreResult {
  const missing: string[] = [];
  const nodeSet = new Set(snap.nodes);
  const edgeSet = new Set(snap.edges);
  const positions = new Map<string, { x: number; y: number }>();
  snap.nodes.forEach((id, i) => positions.set(id, { x: snap.xy[2 * i], y: snap.xy[2 * i + 1] }));
  filters.hiddenTypes = new Set(snap.hiddenTypes);
  filters.hiddenLinkTypes = new Set(snap.hiddenLinkTypes);

  cy.batch(() => {
    cy.elements()
      .filter((e) => !(e.isNode() ? nodeSet.has(e.id()) : edgeSet.has(e.id())))
      .remove();
    const add: ElementDefinition[] = [];
    for (const id of snap.nodes) {
      if (cy.getElementById(id).nonempty()) continue;
      const def = registry.get(id);
      if (!def) {
        missing.push(id);
        continue;
      }
      add.push({ ...def, data: { ...def.data }, position: { ...positions.get(id)! } });
    }
    const addedNodes = new Set(add.map((d) => d.data.id!));
    const present = (id: string) => addedNodes.has(id) || cy.getElementById(id).isNode();
    for (const id of snap.edges) {
      if (cy.getElementById(id).nonempty()) continue;
      const def = registry.get(id);
      if (!def || !present(String(def.data.source)) || !present(String(def.data.target))) {
        missing.push(id);
        continue;
      }
      add.push({ ...def, data: { ...def.data } });
    }
    if (add.length) cy.add(add);

    const all = cy.nodes();
    all.filter((n) => n.locked()).unlock();
    all.positions((n) => positions.get((n as NodeSingular).id()) ?? (n as NodeSingular).position());
    all.removeClass('pinned');
    const pinned = cy.collection();
    for (const id of snap.pinned) pinned.merge(cy.getElementById(id));
    setPinned(pinned.nodes(), true);

    cy.elements('.hidden').removeClass('hidden');
    for (const id of snap.hidden) cy.getElementById(id).addClass('hidden');
    applyTypeFilters(cy, filters);
  });
  if (viewport) cy.viewport({ zoom: snap.zoom, pan: { ...snap.pan } });
  return { missing };
}

/** Whether two snapshots show the same elements, positions (within half a unit), filters and pins. */
export function sameView(a: CanvasSnapshot, b: CanvasSnapshot): boolean {
  const eq = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  if (!eq(a.nodes, b.nodes) || !eq(a.edges, b.edges) || !eq(a.hidden, b.hidden) || !eq(a.pinned, b.pinned)) return false;
  if (!eq(a.hiddenTypes, b.hiddenTypes) || !eq(a.hiddenLinkTypes, b.hiddenLinkTypes)) return false;
  for (let i = 0; i < a.xy.length; i++) if (Math.abs(a.xy[i] - b.xy[i]) > 0.5) return false;
  return true;
}
