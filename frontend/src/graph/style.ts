// The cytoscape stylesheet as data. Per-type colours, shapes, sizes and widths live in element data
// (computed by toElements from the ontology), so one selector per element kind covers every type;
// thousands of selectors freeze rendering, a handful does not.
import type { StylesheetJson } from 'cytoscape';

export const FONT = 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif';

export const COLORS = {
  label: '#1e293b',
  labelOutline: '#f8fafc',
  edgeLabel: '#64748b',
  selection: '#0f172a',
  highlight: '#0ea5e9',
} as const;

export function buildStylesheet(): StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        'background-color': 'data(color)',
        shape: 'data(shape)' as never,
        width: 'data(size)',
        height: 'data(size)',
        'border-width': 1.5,
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
        'text-outline-width': 2,
        'text-outline-opacity': 0.9,
        'min-zoomed-font-size': 7,
      },
    },
    {
      selector: 'edge',
      style: {
        'curve-style': 'bezier',
        'line-color': 'data(color)',
        'line-style': 'data(lineStyle)' as never,
        width: 'data(width)',
        opacity: 0.85,
        'target-arrow-shape': 'triangle',
        'target-arrow-color': 'data(color)',
        'arrow-scale': 0.7,
        label: 'data(label)',
        'font-family': FONT,
        'font-size': 7,
        color: COLORS.edgeLabel,
        'text-rotation': 'autorotate',
        'text-background-color': '#f8fafc',
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        'min-zoomed-font-size': 9,
      },
    },
    {
      selector: 'node:selected',
      style: {
        'border-width': 4,
        'border-color': COLORS.selection,
        'font-weight': 'bold',
        'z-index': 20,
      },
    },
    {
      selector: 'edge:selected',
      style: {
        opacity: 1,
        'overlay-color': COLORS.highlight,
        'overlay-opacity': 0.25,
        'overlay-padding': 3,
        color: COLORS.selection,
        'z-index': 20,
      },
    },
    {
      // neighbourhood of the selected node stays vivid; everything else steps back
      selector: '.faded',
      style: { opacity: 0.18, 'text-opacity': 0.3 },
    },
    {
      selector: '.type-hidden',
      style: { display: 'none' },
    },
  ];
}
