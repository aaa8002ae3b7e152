// The cytoscape stylesheet as data. Per-type colours, shapes, sizes and widths live in element data
// (computed by toElements from the ontology), so one selector per element kind covers every type;
// thousands of selectors freeze rendering, a handful does not.
//
// Two levels of detail: 'detail' draws curved, arrowed, dashed/dotted edges with their type as label;
// 'bulk' (large canvases) draws straight solid edges without labels except around the selection, because
// software canvas rendering spends most of a frame on edge labels, dash patterns and bezier arrows.
import type { StylesheetJson } from 'cytoscape';

export const FONT = 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif';

export const COLORS = {
  label: '#1e293b',
  labelOutline: '#f8fafc',
  edgeLabel: '#64748b',
  selection: '#0f172a',
  highlight: '#0ea5e9',
  /** paths and common neighbours found by the Paths panel */
  path: '#f59e0b',
  pinned: '#475569',
  /** Compare periods: appeared, gone, much more / less active in period B, successor of a gone number */
  diffAppeared: '#16a34a',
  diffGone: '#dc2626',
  diffRose: '#ea580c',
  diffFell: '#0891b2',
  diffSuccessor: '#7c3aed',
  /** key players that hold their community together */
  bridge: '#be123c',
} as const;

export type DetailLevel = 'detail' | 'bulk';

/** Above either count the canvas switches to the 'bulk' level of detail. */
export const BULK_NODES = 600;
export const BULK_EDGES = 1200;

export function detailLevelFor(nodes: number, edges: number): DetailLevel {
  return nodes > BULK_NODES || edges > BULK_EDGES ? 'bulk' : 'detail';
}

/** A data() mapper for properties whose typings only list literal values (shape, line-style). */
function mapped(field: string): never {
  return `data(${field})` as never;
}

const edgeLabel = {
  label: 'data(label)',
  'font-family': FONT,
  'font-size': 8,
  color: COLORS.edgeLabel,
  'text-rotation': 'autorotate',
  'text-background-color': '#f8fafc',
  'text-background-opacity': 0.85,
  'text-background-padding': '1px',
  'min-zoomed-font-size': 7,
} as const;

const edgeDetail = {
  'curve-style': 'bezier',
  'line-style': mapped('lineStyle'),
  'target-arrow-shape': 'triangle',
  'target-arrow-color': 'data(color)',
  'arrow-scale': 0.7,
} as const;

export function buildStylesheet(level: DetailLevel = 'detail'): StylesheetJson {
  const bulk = level === 'bulk';
  return [
    {
      selector: 'node',
      style: {
        'background-color': 'data(color)',
        shape: mapped('shape'),
        width: 'data(size)',
        height: 'data(size)',
        'border-width': bulk ? 0 : 1.5,
        'border-color': '#ffffff',
        label: 'data(label)',
        'font-family': FONT,
        'font-size': 11,
        color: COLORS.label,
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 4,
        'text-wrap': 'ellipsis',
        'text-max-width': '150px',
        'text-outline-color': COLORS.labelOutline,
        'text-outline-width': bulk ? 0 : 2,
        'text-outline-opacity': 0.9,
        'min-zoomed-font-size': bulk ? 10 : 7,
      },
    },
    {
      selector: 'edge',
      style: bulk
        ? { 'curve-style': 'haystack', 'haystack-radius': 0, 'line-color': 'data(color)', width: 'data(width)' }
        : { ...edgeDetail, ...edgeLabel, 'line-color': 'data(color)', width: 'data(width)', opacity: 0.85 },
    },
    {
      // the selection's neighbourhood always shows full detail, whatever the level
      selector: 'edge.hl',
      style: { ...edgeDetail, ...edgeLabel, opacity: 1, 'z-index': 10 },
    },
    {
      selector: 'node.hl',
      style: { 'min-zoomed-font-size': 5, 'z-index': 10 },
    },
    {
      // pinned: locked in place (layouts leave it); a double ring tells it apart
      selector: 'node.pinned',
      style: { 'border-width': 4, 'border-style': 'double', 'border-color': COLORS.pinned },
    },
    {
      // key players (Key players panel): sized by a centrality score held in data, so one rule covers
      // every node. The class switches the rule (cytoscape restyles on class changes, not on removeData)
      selector: 'node.kp-sized',
      style: { width: 'data(kpSize)', height: 'data(kpSize)' },
    },
    {
      // community colour as a thick border: the type's fill colour and shape stay readable
      selector: 'node.kp-community',
      style: { 'border-width': 5, 'border-color': 'data(kpColor)', 'border-style': 'solid' },
    },
    {
      // holds its community together (removing it splits the community): a double border, in the
      // community's colour when communities are coloured, else COLORS.bridge (kpColor either way)
      selector: 'node.bridge',
      style: { 'border-width': 7, 'border-style': 'double', 'border-color': 'data(kpColor)' },
    },
    {
      // a communication link with no event in the timeline's window: nearly gone, no label
      selector: 'edge.out-of-window',
      style: { opacity: 0.08, label: '', 'target-arrow-shape': 'none', 'z-index': 0 },
    },
    // Compare periods (panels/diff.ts): one rule per mark for nodes and links alike (node-only and
    // edge-only properties do nothing on the other kind)
    {
      selector: '.diff-appeared',
      style: { 'border-width': 4, 'border-style': 'solid', 'border-color': COLORS.diffAppeared, 'line-color': COLORS.diffAppeared, 'target-arrow-color': COLORS.diffAppeared, opacity: 1 },
    },
    {
      selector: '.diff-disappeared',
      style: { 'border-width': 3, 'border-style': 'dashed', 'border-color': COLORS.diffGone, 'line-color': COLORS.diffGone, 'target-arrow-color': COLORS.diffGone, 'line-style': 'dashed', opacity: 0.5 },
    },
    {
      selector: '.diff-rose',
      style: { 'border-width': 4, 'border-style': 'solid', 'border-color': COLORS.diffRose, 'line-color': COLORS.diffRose, 'target-arrow-color': COLORS.diffRose, opacity: 1 },
    },
    {
      selector: '.diff-fell',
      style: { 'border-width': 3, 'border-style': 'dotted', 'border-color': COLORS.diffFell, 'line-color': COLORS.diffFell, 'target-arrow-color': COLORS.diffFell, 'line-style': 'dotted' },
    },
    {
      // took over a gone number's contacts: a double ring and a badge naming the gone number
      selector: 'node.diff-successor[diffBadge]',
      style: {
        'border-width': 6,
        'border-style': 'double',
        'border-color': COLORS.diffSuccessor,
        label: 'data(diffBadge)',
        'text-wrap': 'wrap',
        'font-weight': 'bold',
        color: COLORS.diffSuccessor,
        'min-zoomed-font-size': 0,
        'z-index': 12,
      },
    },
    {
      // outside the selection's neighbourhood (detail level only: restyling every element is too slow
      // on a bulk canvas)
      selector: '.faded',
      style: { opacity: 0.22, 'text-opacity': 0.35 },
    },
    {
      // on a path or among common neighbours: an amber halo under nodes and links, labels always drawn.
      // One rule for both (edge-only properties do nothing on nodes; node size and edge width stay data)
      selector: '.path',
      style: {
        'underlay-color': COLORS.path,
        'underlay-opacity': 0.5,
        'underlay-padding': 6,
        'underlay-shape': 'ellipse',
        'line-color': COLORS.path,
        'target-arrow-color': COLORS.path,
        'target-arrow-shape': 'triangle',
        'line-style': 'solid',
        'curve-style': 'bezier',
        'min-zoomed-font-size': 0,
        'font-weight': 'bold',
        opacity: 1,
        'text-opacity': 1,
        'z-index': 15,
      },
    },
    {
      selector: 'node:selected',
      style: {
        'border-width': 4,
        'border-color': COLORS.selection,
        'font-weight': 'bold',
        'min-zoomed-font-size': 0,
        'z-index': 20,
      },
    },
    {
      selector: 'edge:selected',
      style: {
        ...edgeDetail,
        ...edgeLabel,
        opacity: 1,
        'overlay-color': COLORS.highlight,
        'overlay-opacity': 0.25,
        'overlay-padding': 3,
        color: COLORS.selection,
        'z-index': 20,
      },
    },
    {
      // hidden by the entity or link type filter, or one by one
      selector: '.type-hidden, .link-hidden, .hidden',
      style: { display: 'none' },
    },
  ];
}
