// Map panel: the places on the canvas (entities with props.lat/lon) as dots on an offline world outline
// (world-atlas 110m, bundled by vite: no tile server, no network) and TRAVELLED_VIA journeys between them
// as curved arrows in leg order. A dot click selects and centres the entity; the graph's selection
// highlights its dot. Optionally adds the places of the whole case (from the case overview).
import type { Core, EdgeSingular, NodeSingular } from 'cytoscape';
import { geoGraticule10, geoNaturalEarth1, geoPath, type GeoPermissibleObjects, type GeoProjection } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { FeatureCollection, MultiLineString } from 'geojson';
import world from 'world-atlas/countries-110m.json';
import { h, replaceChildren, s } from '../dom.ts';
import type { GraphView } from '../api.ts';
import { plural } from '../format.ts';
import { arcMidpoint, arcPath, chainJourneys, mapLabel, mergePlaces, placesOf, routeLegs, spreadCollisions, type Journey, type MapPlace, type Point, type RouteLink } from './map-model.ts';

export interface MapHandlers {
  cy: Core;
  /** the case overview (entities with props, links) for "all places of the case" */
  overview(caseName: string): Promise<GraphView>;
  caseName(): string | null;
  /** selects and centres entity `id` in the graph, bringing it onto the canvas when absent */
  onFocus(id: string): void;
  onError(err: unknown): void;
  /** the panel opened or closed (the toolbar button shows it) */
  onToggle?(open: boolean): void;
}

export interface MapPanel {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** another case was opened: forget the case's places fetched before */
  caseChanged(): void;
}

type Fit = 'places' | 'world';

/** Dots closer than this (px) are fanned out on a ring. */
const MIN_DOT_DISTANCE = 13;
const MARGIN = 28;
const ROUTE_COLOR = '#ea580c';
/** How far route arcs bow, as a share of their length. */
const ARC_BEND = 0.18;

interface WorldShapes {
  land: FeatureCollection;
  borders: MultiLineString;
}

let shapes: WorldShapes | null = null;

/** The world outline, converted from TopoJSON once. */
function worldShapes(): WorldShapes {
  if (!shapes) {
    const topo = world as unknown as Topology<{ countries: GeometryCollection }>;
    shapes = {
      land: feature(topo, topo.objects.countries) as FeatureCollection,
      borders: mesh(topo, topo.objects.countries, (a, b) => a !== b),
    };
  }
  return shapes;
}

/** What to fit for the drawn places: their lon/lat box padded so dots do not sit on the frame. */
function placesExtent(places: readonly MapPlace[]): GeoPermissibleObjects {
  const lons = places.map((p) => p.lon);
  const lats = places.map((p) => p.lat);
  const [w, e] = [Math.min(...lons), Math.max(...lons)];
  const [south, north] = [Math.min(...lats), Math.max(...lats)];
  const padLon = Math.max(8, (e - w) * 0.12);
  const padLat = Math.max(6, (north - south) * 0.18);
  const x0 = Math.max(-180, w - padLon);
  const x1 = Math.min(180, e + padLon);
  const y0 = Math.max(-85, south - padLat);
  const y1 = Math.min(85, north + padLat);
  return { type: 'MultiPoint', coordinates: [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [(x0 + x1) / 2, y0], [(x0 + x1) / 2, y1]] };
}

export function createMapPanel(root: HTMLElement, handlers: MapHandlers): MapPanel {
  const { cy } = handlers;
  root.dataset.testid = 'map-panel';
  let fit: Fit = 'places';
  let allOfCase = false;
  /** the case's overview, fetched for "all places of the case" */
  let caseView: { name: string; view: GraphView } | null = null;
  let renderQueued = false;
  /** signature of what was drawn last: unchanged canvases are not redrawn */
  let drawn = '';

  const closeBtn = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close the map', 'data-testid': 'map-close' }, '×');
  const fitBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'map-fit', title: 'Zoom to the places drawn' }, 'Fit places');
  const worldBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'map-world', title: 'Show the whole world' }, 'Whole world');
  const allBox = h('input', { type: 'checkbox', 'data-testid': 'map-all' });
  const summary = h('span', { class: 'map-summary muted', 'data-testid': 'map-summary', role: 'status' });
  const hint = h('p', { class: 'geo-hint', 'data-testid': 'map-hint', hidden: true });
  const frame = h('div', { class: 'map-frame' });
  const journeysList = h('ol', { class: 'map-journeys', 'data-testid': 'map-journeys' });

  const svg = s('svg', { class: 'map-svg', 'data-testid': 'map-svg', role: 'img', 'aria-label': 'Map of the places on the canvas' });
  const marker = (id: string, color: string) =>
    s('marker', { id, viewBox: '0 0 10 10', refX: '8.5', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
  const defs = s('defs', {}, marker('map-arrow', ROUTE_COLOR), marker('map-arrow-case', '#fdba74'));
  const sphere = s('path', { class: 'map-sphere' });
  const graticule = s('path', { class: 'map-graticule' });
  const land = s('path', { class: 'map-land' });
  const borders = s('path', { class: 'map-borders' });
  const routeLayer = s('g', { class: 'map-routes' });
  const leaderLayer = s('g', { class: 'map-leaders' });
  const placeLayer = s('g', { class: 'map-places' });
  const labelLayer = s('g', { class: 'map-labels' });
  svg.append(defs, sphere, graticule, land, borders, routeLayer, leaderLayer, placeLayer, labelLayer);
  frame.append(svg, hint);

  replaceChildren(
    root,
    h('header', { class: 'tool-head' }, h('h2', { class: 'section-title' }, 'Map'), closeBtn),
    h(
      'div',
      { class: 'tool-body map-body' },
      h('div', { class: 'tool-row' }, fitBtn, worldBtn, h('label', { class: 'inline-field', title: 'Also draw the places of the whole case that are not on the canvas (hollow dots)' }, allBox, 'All places of the case'), summary),
      frame,
      journeysList,
    ),
  );

  const isHidden = (el: NodeSingular | EdgeSingular) => el.hasClass('hidden') || el.hasClass('type-hidden') || el.hasClass('link-hidden');

  /** The places and TRAVELLED_VIA links to draw: the canvas's visible ones, plus the case's when asked. */
  function collect(): { places: MapPlace[]; links: RouteLink[]; canvasLinks: Set<string> } {
    const nodes = cy.nodes().filter((n) => !isHidden(n));
    const canvasPlaces = placesOf(
      nodes.map((n) => ({ id: n.id(), type: String(n.data('type')), label: String(n.data('label')), props: n.data('props') as Record<string, unknown> })),
      true,
    );
    const canvasLinks = new Set<string>();
    const links: RouteLink[] = [];
    cy.edges().forEach((e) => {
      if (e.data('type') !== 'TRAVELLED_VIA' || isHidden(e) || isHidden(e.source()) || isHidden(e.target())) return;
      canvasLinks.add(e.id());
      links.push({ id: e.id(), type: 'TRAVELLED_VIA', from: e.source().id(), to: e.target().id(), props: e.data('props') as Record<string, unknown> });
    });
    let places = canvasPlaces;
    if (allOfCase && caseView && caseView.name === handlers.caseName()) {
      places = mergePlaces(canvasPlaces, placesOf(caseView.view.entities, false));
      for (const l of caseView.view.links) links.push(l);
    }
    return { places, links, canvasLinks };
  }

  function size(): { w: number; h: number } {
    const box = frame.getBoundingClientRect();
    return { w: Math.max(120, Math.round(box.width)), h: Math.max(90, Math.round(box.height)) };
  }

  function project(places: readonly MapPlace[], w: number, hgt: number): GeoProjection {
    const projection = geoNaturalEarth1();
    const extent: [[number, number], [number, number]] = [
      [MARGIN, MARGIN],
      [w - MARGIN, hgt - MARGIN],
    ];
    projection.fitExtent(extent, fit === 'world' || places.length === 0 ? { type: 'Sphere' } : placesExtent(places));
    return projection;
  }

  let lastProjectionKey = '';

  function drawWorld(projection: GeoProjection, key: string): void {
    if (key === lastProjectionKey) return;
    lastProjectionKey = key;
    const path = geoPath(projection);
    const outline = worldShapes();
    sphere.setAttribute('d', path({ type: 'Sphere' }) ?? '');
    graticule.setAttribute('d', path(geoGraticule10()) ?? '');
    land.setAttribute('d', path(outline.land) ?? '');
    borders.setAttribute('d', path(outline.borders) ?? '');
  }

  function render(): void {
    if (root.hidden) return;
    const { places, links, canvasLinks } = collect();
    const { w, h: hgt } = size();
    const selected = new Set(cy.nodes(':selected').map((n) => n.id()));
    const signature = JSON.stringify([w, hgt, fit, places.map((p) => [p.id, p.lat, p.lon, p.label, p.onCanvas]), links.map((l) => [l.id, l.from, l.to]), [...selected]]);
    if (signature === drawn) return;
    drawn = signature;

    svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(hgt));
    const projection = project(places, w, hgt);
    drawWorld(projection, JSON.stringify([w, hgt, fit, fit === 'world' ? [] : places.map((p) => [p.lat, p.lon])]));

    const legs = routeLegs(links, new Set(places.map((p) => p.id)), (id) => canvasLinks.has(id));
    const journeys = chainJourneys(legs);
    const onRoute = new Set(legs.flatMap((l) => [l.from, l.to]));

    // route places first: they win label space and sit on top
    const ordered = [...places].sort((a, b) => Number(onRoute.has(b.id)) - Number(onRoute.has(a.id)) || Number(b.onCanvas) - Number(a.onCanvas));
    const exact = ordered.map((p) => {
      const xy = projection([p.lon, p.lat]);
      return xy ? { x: xy[0], y: xy[1] } : { x: -1000, y: -1000 };
    });
    const shown = spreadCollisions(exact, MIN_DOT_DISTANCE);
    const at = new Map(ordered.map((p, i) => [p.id, shown[i]]));

    drawRoutes(journeys, at);
    drawPlaces(ordered, exact, shown, onRoute, selected);
    drawJourneys(journeys, new Map(places.map((p) => [p.id, p])));

    const offCanvas = places.filter((p) => !p.onCanvas).length;
    summary.textContent = places.length
      ? `${plural(places.length, 'place')}${offCanvas ? ` (${offCanvas} not on the canvas)` : ''} · ${plural(legs.length, 'route leg')}`
      : '';
    hint.hidden = places.length > 0;
    hint.textContent = places.length
      ? ''
      : allOfCase
        ? 'No entity of this case has coordinates (props.lat and props.lon).'
        : 'No entity on the canvas has coordinates (props.lat and props.lon). Tick “All places of the case” or bring places onto the canvas.';
    root.dataset.places = String(places.length);
    root.dataset.legs = String(legs.length);
  }

  function drawRoutes(journeys: Journey[], at: Map<string, Point>): void {
    const items: SVGElement[] = [];
    const badges: SVGElement[] = [];
    journeys.forEach((j, ji) => {
      j.legs.forEach((leg, li) => {
        const a = at.get(leg.from)!;
        const b = at.get(leg.to)!;
        const d = arcPath(a, b, ARC_BEND, 8);
        const path = s('path', {
          class: `map-route${leg.onCanvas ? '' : ' case-only'}`,
          d,
          'marker-end': `url(#${leg.onCanvas ? 'map-arrow' : 'map-arrow-case'})`,
          'data-testid': 'map-route',
          'data-id': leg.id,
          'data-from': leg.from,
          'data-to': leg.to,
          'data-journey': ji + 1,
          'data-order': li + 1,
          'data-leg': leg.leg ?? '',
        });
        path.append(s('title', {}, `Leg ${leg.leg ?? li + 1}`));
        items.push(path);
        // the leg's number at the top of its arc (the curve's midpoint)
        const mid = arcMidpoint(a, b, ARC_BEND);
        badges.push(s('g', { class: 'map-leg-badge', transform: `translate(${mid.x.toFixed(1)},${mid.y.toFixed(1)})` }, s('circle', { r: 7 }), s('text', { 'text-anchor': 'middle', dy: '3' }, String(li + 1))));
      });
    });
    replaceChildren(routeLayer, ...items, ...badges);
  }

  function drawPlaces(ordered: MapPlace[], exact: Point[], shown: Point[], onRoute: Set<string>, selected: Set<string>): void {
    const dots: SVGElement[] = [];
    const leaders: SVGElement[] = [];
    const labels: SVGElement[] = [];
    const taken: Box[] = [];
    // dots reserve their own space first so labels do not cover them
    for (const p of shown) taken.push({ x0: p.x - 5, y0: p.y - 5, x1: p.x + 5, y1: p.y + 5 });
    ordered.forEach((place, i) => {
      const p = shown[i];
      const e = exact[i];
      const moved = Math.hypot(p.x - e.x, p.y - e.y) > 0.5;
      if (moved) leaders.push(s('line', { x1: e.x.toFixed(1), y1: e.y.toFixed(1), x2: p.x.toFixed(1), y2: p.y.toFixed(1) }), s('circle', { class: 'map-anchor', cx: e.x.toFixed(1), cy: e.y.toFixed(1), r: 1.8 }));
      const classes = ['map-place'];
      if (!place.onCanvas) classes.push('case-only');
      if (onRoute.has(place.id)) classes.push('on-route');
      if (selected.has(place.id)) classes.push('selected');
      const g = s(
        'g',
        {
          class: classes.join(' '),
          transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`,
          'data-testid': 'map-place',
          'data-id': place.id,
          'data-selected': selected.has(place.id) ? 'true' : 'false',
          role: 'button',
          tabindex: '0',
          'aria-label': `${place.label} (${place.type})${place.onCanvas ? '' : ', not on the canvas'}`,
        },
        s('title', {}, `${place.label} · ${place.type} · ${place.lat.toFixed(4)}, ${place.lon.toFixed(4)}${place.onCanvas ? '' : ' · not on the canvas: click to add it'}`),
        s('circle', { class: 'map-hit', r: 9 }),
        s('circle', { class: 'map-dot', r: onRoute.has(place.id) ? 5.5 : 4.5 }),
      );
      g.addEventListener('click', () => handlers.onFocus(place.id));
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          handlers.onFocus(place.id);
        }
      });
      dots.push(g);

      // label beside the dot: on the side facing away from the true location when the dot was fanned out,
      // else right; the first of four sides that covers no dot or earlier label wins. A label that fits
      // nowhere is dropped (the tooltip still names the place), unless the place is selected.
      const text = mapLabel(place.label);
      const spot = labelSpot(p, moved ? { x: p.x - e.x, y: p.y - e.y } : { x: 1, y: 0 }, text.length * 6.2 + 4, taken, selected.has(place.id));
      if (!spot) return;
      taken.push(spot.box);
      labels.push(s('text', { class: `map-label${selected.has(place.id) ? ' selected' : ''}${place.onCanvas ? '' : ' case-only'}`, x: spot.x.toFixed(1), y: spot.y.toFixed(1), 'text-anchor': spot.anchor, 'data-id': place.id }, text));
    });
    replaceChildren(leaderLayer, ...leaders);
    replaceChildren(placeLayer, ...dots);
    replaceChildren(labelLayer, ...labels);
  }

  function drawJourneys(journeys: Journey[], byId: Map<string, MapPlace>): void {
    replaceChildren(
      journeysList,
      ...journeys.map((j) =>
        h(
          'li',
          { 'data-testid': 'map-journey' },
          ...j.places.flatMap((id, i) => {
            const place = byId.get(id);
            const btn = h('button', { type: 'button', class: 'link-btn', 'data-id': id }, place ? mapLabel(place.label) : id);
            btn.addEventListener('click', () => handlers.onFocus(id));
            return i ? [h('span', { class: 'hop' }, ' → '), btn] : [btn];
          }),
        ),
      ),
    );
    journeysList.hidden = journeys.length === 0;
  }

  function queueRender(): void {
    if (renderQueued || root.hidden) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  async function loadCase(): Promise<void> {
    const name = handlers.caseName();
    if (!name || caseView?.name === name) return;
    try {
      const view = await handlers.overview(name);
      if (handlers.caseName() === name) caseView = { name, view };
    } catch (err) {
      handlers.onError(err);
    }
  }

  fitBtn.addEventListener('click', () => {
    fit = 'places';
    queueRender();
  });
  worldBtn.addEventListener('click', () => {
    fit = 'world';
    queueRender();
  });
  allBox.addEventListener('change', () => {
    allOfCase = allBox.checked;
    if (allOfCase) void loadCase().then(queueRender);
    else queueRender();
  });
  closeBtn.addEventListener('click', () => panel.close());

  cy.on('add remove select unselect class', queueRender);
  new ResizeObserver(queueRender).observe(frame);

  const panel: MapPanel = {
    open() {
      if (!root.hidden) return;
      root.hidden = false;
      drawn = '';
      document.body.dataset.map = 'open';
      handlers.onToggle?.(true);
      render();
      if (allOfCase) void loadCase().then(queueRender);
    },
    close() {
      root.hidden = true;
      document.body.dataset.map = 'closed';
      handlers.onToggle?.(false);
    },
    toggle() {
      if (root.hidden) panel.open();
      else panel.close();
    },
    isOpen: () => !root.hidden,
    caseChanged() {
      caseView = null;
      drawn = '';
      if (allOfCase && !root.hidden) void loadCase().then(queueRender);
      queueRender();
    },
  };
  return panel;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Where to put a label of `width` px beside dot `p`, preferring the side `dir` points to. */
function labelSpot(p: Point, dir: Point, width: number, taken: readonly Box[], force: boolean): { x: number; y: number; anchor: 'start' | 'end' | 'middle'; box: Box } | null {
  const right = { x: p.x + 8, y: p.y + 3.5, anchor: 'start' as const, box: { x0: p.x + 7, y0: p.y - 7, x1: p.x + 8 + width, y1: p.y + 5 } };
  const left = { x: p.x - 8, y: p.y + 3.5, anchor: 'end' as const, box: { x0: p.x - 8 - width, y0: p.y - 7, x1: p.x - 7, y1: p.y + 5 } };
  const above = { x: p.x, y: p.y - 9, anchor: 'middle' as const, box: { x0: p.x - width / 2, y0: p.y - 19, x1: p.x + width / 2, y1: p.y - 6 } };
  const below = { x: p.x, y: p.y + 17, anchor: 'middle' as const, box: { x0: p.x - width / 2, y0: p.y + 6, x1: p.x + width / 2, y1: p.y + 19 } };
  const horizontal = Math.abs(dir.x) >= Math.abs(dir.y);
  const order = horizontal ? (dir.x >= 0 ? [right, left, above, below] : [left, right, above, below]) : dir.y < 0 ? [above, right, left, below] : [below, right, left, above];
  const free = (b: Box) => !taken.some((t) => t.x0 < b.x1 && b.x0 < t.x1 && t.y0 < b.y1 && b.y0 < t.y1);
  return order.find((c) => free(c.box)) ?? (force ? order[0] : null);
}
