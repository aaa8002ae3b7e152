// SVG swatches that mirror the canvas styles: a node shape in its type colour, or a line in its link
// colour and dash pattern. Built with createElementNS only.
import { s } from '../dom.ts';
import { entityStyle, linkStyle } from '../graph/elements.ts';

const C = 10; // centre of the 20×20 view box

function ngon(n: number, r: number, rotation = 0): string {
  const pts: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = rotation + (2 * Math.PI * i) / n;
    pts.push(`${(C + r * Math.cos(a)).toFixed(2)},${(C + r * Math.sin(a)).toFixed(2)}`);
  }
  return pts.join(' ');
}

function star(points: number, outer: number, inner: number): string {
  const pts: string[] = [];
  for (let i = 0; i < points * 2; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (Math.PI * i) / points;
    pts.push(`${(C + r * Math.cos(a)).toFixed(2)},${(C + r * Math.sin(a)).toFixed(2)}`);
  }
  return pts.join(' ');
}

function shapeElement(shape: string, fill: string): SVGElement {
  const common = { fill, stroke: 'rgba(15,23,42,0.35)', 'stroke-width': 1 };
  switch (shape) {
    case 'ellipse':
      return s('circle', { cx: C, cy: C, r: 8, ...common });
    case 'rectangle':
      return s('rect', { x: 2.5, y: 2.5, width: 15, height: 15, ...common });
    case 'round-rectangle':
      return s('rect', { x: 2.5, y: 2.5, width: 15, height: 15, rx: 4, ...common });
    case 'cut-rectangle':
      return s('polygon', { points: '6,2.5 14,2.5 17.5,6 17.5,14 14,17.5 6,17.5 2.5,14 2.5,6', ...common });
    case 'triangle':
      return s('polygon', { points: '10,2 18,17 2,17', ...common });
    case 'diamond':
      return s('polygon', { points: '10,1.5 18.5,10 10,18.5 1.5,10', ...common });
    case 'hexagon':
      return s('polygon', { points: ngon(6, 8.5), ...common });
    case 'octagon':
      return s('polygon', { points: ngon(8, 8.5, Math.PI / 8), ...common });
    case 'pentagon':
      return s('polygon', { points: ngon(5, 8.5, -Math.PI / 2), ...common });
    case 'star':
      return s('polygon', { points: star(5, 9, 4), ...common });
    case 'tag':
      return s('polygon', { points: '2.5,4 13,4 18,10 13,16 2.5,16', ...common });
    case 'round-tag':
      return s('polygon', { points: '2.5,4 13,4 18,10 13,16 2.5,16', 'stroke-linejoin': 'round', ...common, stroke: fill, 'stroke-width': 2.5 });
    case 'barrel':
      return s('path', { d: 'M4,3 Q10,1 16,3 Q18.5,10 16,17 Q10,19 4,17 Q1.5,10 4,3 Z', ...common });
    default:
      return s('circle', { cx: C, cy: C, r: 8, ...common });
  }
}

/** The node swatch of an entity type. */
export function entitySwatch(type: string, size = 16): SVGSVGElement {
  const { color, shape } = entityStyle(type);
  const svg = s('svg', { viewBox: '0 0 20 20', width: size, height: size, class: 'swatch', 'aria-hidden': 'true', 'data-shape': shape });
  svg.appendChild(shapeElement(shape, color));
  return svg;
}

/** The line swatch of a link type. */
export function linkSwatch(type: string): SVGSVGElement {
  const { color, lineStyle } = linkStyle(type);
  const dash = lineStyle === 'dashed' ? '5 3' : lineStyle === 'dotted' ? '1.5 2.5' : null;
  const svg = s('svg', { viewBox: '0 0 28 10', width: 28, height: 10, class: 'swatch line', 'aria-hidden': 'true' });
  svg.appendChild(s('line', { x1: 1, y1: 5, x2: 27, y2: 5, stroke: color, 'stroke-width': 2.5, 'stroke-dasharray': dash, 'stroke-linecap': 'round' }));
  return svg;
}
