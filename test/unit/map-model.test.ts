// Pure parts of the map panel: reading coordinates from untrusted props, ordering TRAVELLED_VIA legs into
// journeys (the Lima case: Kuala Lumpur → Amsterdam → Lima), fanning out dots that overlap, arc paths.
import { describe, expect, it } from 'vitest';
import { arcControl, arcMidpoint, arcPath, chainJourneys, coordinate, mapLabel, MAX_MAP_LABEL, mergePlaces, placesOf, routeLegs, spreadCollisions, type RouteLink } from '../../frontend/src/panels/map-model.ts';

const place = (id: string, lat: unknown, lon: unknown) => ({ id, type: 'Place', label: id.toUpperCase(), props: { lat, lon } });
const leg = (id: string, from: string, to: string, legNo?: unknown, type = 'TRAVELLED_VIA'): RouteLink => ({ id, type, from, to, props: legNo === undefined ? {} : { leg: legNo } });
const all = () => true;

describe('coordinates', () => {
  it.each([
    [12.5, 90, 12.5],
    ['-76.9333', 180, -76.9333],
    [' 4.9 ', 180, 4.9],
    [91, 90, null],
    [-180.5, 180, null],
    [Number.NaN, 90, null],
    [Infinity, 90, null],
    ['', 90, null],
    ['12abc', 90, null],
    ['1'.repeat(40), 90, null],
    [null, 90, null],
    [{ valueOf: () => 3 }, 90, null],
    [true, 90, null],
  ])('%s within %s → %s', (value, limit, expected) => {
    expect(coordinate(value, limit)).toBe(expected);
  });

  it('keeps entities with both coordinates valid, once each', () => {
    const places = placesOf([place('lima', -12.05, -77.04), place('lima', 0, 0), place('nowhere', 100, 0), { id: 'p', type: 'Person', label: 'P', props: { lat: 1 } }, { id: 'q', type: 'Person', label: 'Q', props: null }, place('ams', '52.37', '4.90')], true);
    expect(places.map((p) => [p.id, p.lat, p.lon, p.onCanvas])).toEqual([
      ['lima', -12.05, -77.04, true],
      ['ams', 52.37, 4.9, true],
    ]);
  });

  it('adds case places that are not on the canvas, canvas first', () => {
    const canvas = placesOf([place('lima', -12, -77)], true);
    const caseOnly = placesOf([place('lima', -12, -77), place('ams', 52, 5)], false);
    expect(mergePlaces(canvas, caseOnly).map((p) => [p.id, p.onCanvas])).toEqual([
      ['lima', true],
      ['ams', false],
    ]);
  });
});

describe('route legs and journeys', () => {
  const placed = new Set(['kl', 'ams', 'lima', 'tw']);

  it('orders the Lima journey by leg whatever the input order', () => {
    const legs = routeLegs([leg('l2', 'ams', 'lima', 2), leg('l1', 'kl', 'ams', 1)], placed, all);
    expect(legs.map((l) => l.id)).toEqual(['l1', 'l2']);
    const journeys = chainJourneys(legs);
    expect(journeys).toHaveLength(1);
    expect(journeys[0].places).toEqual(['kl', 'ams', 'lima']);
  });

  it('drops links that are not TRAVELLED_VIA, end off the map, loop, or repeat', () => {
    const legs = routeLegs(
      [leg('a', 'kl', 'ams', 1), leg('a', 'kl', 'ams', 1), leg('b', 'victims', 'ams', 1), leg('c', 'kl', 'ams', 1, 'LOCATED_IN'), leg('d', 'ams', 'ams', 2)],
      placed,
      (id) => id === 'a',
    );
    expect(legs.map((l) => [l.id, l.onCanvas])).toEqual([['a', true]]);
  });

  it('puts unnumbered legs after numbered ones, by id; bad leg values count as unnumbered', () => {
    const legs = routeLegs([leg('z', 'tw', 'kl'), leg('y', 'kl', 'ams', 'first'), leg('x', 'ams', 'lima', 3)], placed, all);
    expect(legs.map((l) => [l.id, l.leg])).toEqual([
      ['x', 3],
      ['y', null],
      ['z', null],
    ]);
  });

  it('starts a new journey when a leg does not continue one, or would go back in leg order', () => {
    const journeys = chainJourneys(routeLegs([leg('a', 'kl', 'ams', 2), leg('b', 'ams', 'lima', 1), leg('c', 'tw', 'kl', 5)], placed, all));
    expect(journeys.map((j) => j.places)).toEqual([
      ['ams', 'lima'],
      ['kl', 'ams'],
      ['tw', 'kl'],
    ]);
  });

  it('does not chain a leg back to a place the journey already visited', () => {
    const journeys = chainJourneys(routeLegs([leg('a', 'kl', 'ams', 1), leg('b', 'ams', 'kl', 2)], placed, all));
    expect(journeys.map((j) => j.places)).toEqual([
      ['kl', 'ams'],
      ['ams', 'kl'],
    ]);
  });
});

describe('spreading overlapping dots', () => {
  it('leaves distant points alone and rings close ones at least minDist apart', () => {
    const pts = [
      { x: 100, y: 100 },
      { x: 101, y: 100 },
      { x: 100, y: 101 },
      { x: 300, y: 300 },
    ];
    const out = spreadCollisions(pts, 12);
    expect(out[3]).toEqual({ x: 300, y: 300 });
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) expect(Math.hypot(out[i].x - out[j].x, out[i].y - out[j].y)).toBeGreaterThanOrEqual(12 - 1e-9);
      // still near where they were
      expect(Math.hypot(out[i].x - 100.3, out[i].y - 100.3)).toBeLessThan(15);
    }
  });

  it('groups chains of near points transitively and handles identical points', () => {
    const out = spreadCollisions([{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 10, y: 0 }, { x: 20, y: 0 }], 12);
    const d = (a: number, b: number) => Math.hypot(out[a].x - out[b].x, out[a].y - out[b].y);
    expect(d(0, 1)).toBeGreaterThan(11);
    expect(d(0, 3)).toBeGreaterThan(11);
    expect(spreadCollisions([], 10)).toEqual([]);
  });
});

describe('arcs', () => {
  it('bows towards the top of the map whichever way the leg goes', () => {
    expect(arcControl({ x: 0, y: 100 }, { x: 100, y: 100 }, 0.2).y).toBeLessThan(100);
    expect(arcControl({ x: 100, y: 100 }, { x: 0, y: 100 }, 0.2).y).toBeLessThan(100);
    const mid = arcMidpoint({ x: 0, y: 100 }, { x: 100, y: 100 }, 0.2);
    expect(mid.x).toBeCloseTo(50);
    expect(mid.y).toBeCloseTo(90); // half the control point's offset of 20
  });

  it('writes a quadratic path trimmed at both ends', () => {
    expect(arcPath({ x: 0, y: 100 }, { x: 100, y: 100 }, 0.2, 10)).toBe('M10,100 Q50,80 90,100');
    expect(arcPath({ x: 5, y: 5 }, { x: 5, y: 5 }, 0.2, 10)).toBe('M5,5');
  });

  it('shortens long labels', () => {
    expect(mapLabel('  Lima \n city ')).toBe('Lima city');
    const long = mapLabel('x'.repeat(100));
    expect(long).toHaveLength(MAX_MAP_LABEL);
    expect(long.endsWith('…')).toBe(true);
  });
});
