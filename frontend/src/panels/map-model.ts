// Pure parts of the map panel: which entities are places (valid lat/lon in their props), how
// TRAVELLED_VIA links between places chain into ordered journeys, and how dots that land on the same
// pixels are fanned out so each stays clickable. No DOM, no projection: unit-tested under test/unit.

/** An entity as the map reads it (canvas node data or an API entity). */
export interface LocatableEntity {
  id: string;
  type: string;
  label: string;
  props?: Record<string, unknown> | null;
}

export interface MapPlace {
  id: string;
  type: string;
  label: string;
  lat: number;
  lon: number;
  /** on the canvas (false: only in the case, shown when "all places of the case" is on) */
  onCanvas: boolean;
}

/** A link as the map reads it. */
export interface RouteLink {
  id: string;
  type: string;
  from: string;
  to: string;
  props?: Record<string, unknown> | null;
}

export interface RouteLeg {
  id: string;
  from: string;
  to: string;
  /** props.leg when it is a usable number */
  leg: number | null;
  onCanvas: boolean;
}

/** Legs chained end to start: origin → transit… → destination. */
export interface Journey {
  places: string[];
  legs: RouteLeg[];
}

export const ROUTE_LINK_TYPE = 'TRAVELLED_VIA';
/** Labels longer than this are cut on the map (the full text stays in the dot's tooltip). */
export const MAX_MAP_LABEL = 40;

/**
 * A coordinate from untrusted props: a finite number (or a numeric string, as CSV imports give) within
 * `limit` degrees of zero; anything else is null.
 */
export function coordinate(value: unknown, limit: number): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '' && value.length <= 32) n = Number(value);
  else return null;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

/** The entities that carry a usable props.lat / props.lon, once each (first occurrence wins). */
export function placesOf(entities: Iterable<LocatableEntity>, onCanvas: boolean): MapPlace[] {
  const out: MapPlace[] = [];
  const seen = new Set<string>();
  for (const e of entities) {
    if (seen.has(e.id)) continue;
    const lat = coordinate(e.props?.lat, 90);
    const lon = coordinate(e.props?.lon, 180);
    if (lat === null || lon === null) continue;
    seen.add(e.id);
    out.push({ id: e.id, type: e.type, label: e.label, lat, lon, onCanvas });
  }
  return out;
}

/** Canvas places first; places only in the case are added when not already on the canvas. */
export function mergePlaces(canvas: readonly MapPlace[], caseOnly: readonly MapPlace[]): MapPlace[] {
  const ids = new Set(canvas.map((p) => p.id));
  return [...canvas, ...caseOnly.filter((p) => !ids.has(p.id))];
}

function legNumber(props: RouteLink['props']): number | null {
  const n = coordinate(props?.leg, 1e6);
  return n === null ? null : n;
}

/**
 * The TRAVELLED_VIA links whose two ends are both places on the map, as legs sorted by props.leg (legs
 * without a number after the numbered ones, then by id so the order is stable), without duplicates.
 */
export function routeLegs(links: Iterable<RouteLink>, placeIds: ReadonlySet<string>, onCanvas: (id: string) => boolean): RouteLeg[] {
  const legs: RouteLeg[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    if (l.type !== ROUTE_LINK_TYPE || l.from === l.to || seen.has(l.id)) continue;
    if (!placeIds.has(l.from) || !placeIds.has(l.to)) continue;
    seen.add(l.id);
    legs.push({ id: l.id, from: l.from, to: l.to, leg: legNumber(l.props), onCanvas: onCanvas(l.id) });
  }
  return legs.sort((a, b) => (a.leg ?? Infinity) - (b.leg ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Chains sorted legs into journeys: a leg continues the first journey that ends where it starts (and
 * whose last leg number is lower, when both are numbered); otherwise it starts a journey of its own.
 * Kuala Lumpur → Amsterdam (leg 1) and Amsterdam → Lima (leg 2) become one journey of three places.
 */
export function chainJourneys(sortedLegs: readonly RouteLeg[]): Journey[] {
  const journeys: Journey[] = [];
  for (const leg of sortedLegs) {
    const next = journeys.find((j) => {
      const last = j.legs[j.legs.length - 1];
      if (last.to !== leg.from) return false;
      if (j.places.includes(leg.to)) return false; // a loop back would hide the journey's shape
      return last.leg === null || leg.leg === null || last.leg < leg.leg;
    });
    if (next) {
      next.legs.push(leg);
      next.places.push(leg.to);
    } else {
      journeys.push({ places: [leg.from, leg.to], legs: [leg] });
    }
  }
  return journeys;
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Moves points that lie closer than `minDist` to one another onto a small ring around their group's
 * centre (in the input order, starting at the top, clockwise), so every dot can be seen and clicked.
 * Groups are the connected components of "closer than minDist"; lone points keep their place.
 */
export function spreadCollisions(points: readonly Point[], minDist: number): Point[] {
  const n = points.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y) < minDist) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  const out = points.map((p) => ({ x: p.x, y: p.y }));
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const cx = members.reduce((a, i) => a + points[i].x, 0) / members.length;
    const cy = members.reduce((a, i) => a + points[i].y, 0) / members.length;
    // neighbours on the ring are a chord 2r·sin(π/n) apart: at least minDist
    const radius = Math.max(minDist, minDist / (2 * Math.sin(Math.PI / members.length)));
    members.forEach((i, k) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * k) / members.length;
      out[i] = { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle) };
    });
  }
  return out;
}

/** The control point of the quadratic arc from `a` to `b`: the midpoint pushed sideways by `bend` times
 * the distance, towards the top of the map (flight-map arcs bow north). */
export function arcControl(a: Point, b: Point, bend: number): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  if (len < 1e-6) return { x: a.x, y: a.y };
  let nx = dy / len;
  let ny = -dx / len;
  if (ny > 0) {
    nx = -nx;
    ny = -ny;
  }
  return { x: (a.x + b.x) / 2 + nx * bend * len, y: (a.y + b.y) / 2 + ny * bend * len };
}

/** Where the arc peaks (t = 0.5): B(0.5) = (a + 2c + b) / 4. */
export function arcMidpoint(a: Point, b: Point, bend: number): Point {
  const c = arcControl(a, b, bend);
  return { x: (a.x + 2 * c.x + b.x) / 4, y: (a.y + 2 * c.y + b.y) / 4 };
}

/**
 * A curved arrow from `a` to `b` as an SVG quadratic path (see arcControl); `shorten` pixels are left free
 * at both ends, where the dots are.
 */
export function arcPath(a: Point, b: Point, bend = 0.2, shorten = 0): string {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  if (len < 1e-6) return `M${r(a.x)},${r(a.y)}`;
  const s = Math.min(shorten, len / 3);
  const p0 = { x: a.x + (dx / len) * s, y: a.y + (dy / len) * s };
  const p2 = { x: b.x - (dx / len) * s, y: b.y - (dy / len) * s };
  const c = arcControl(a, b, bend);
  return `M${r(p0.x)},${r(p0.y)} Q${r(c.x)},${r(c.y)} ${r(p2.x)},${r(p2.y)}`;
}

function r(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** A label short enough for the map. */
export function mapLabel(label: string): string {
  const t = label.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MAP_LABEL ? `${t.slice(0, MAX_MAP_LABEL - 1)}…` : t;
}
