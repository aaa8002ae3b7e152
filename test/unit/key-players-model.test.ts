// Pure parts of the key-players panel: ranking, node sizes from scores, community colours and the graph
// handed to keyPlayers() — plus that keyPlayers' degree on that graph matches distinct neighbours.
import { describe, expect, it } from 'vitest';
import type { NodeScore } from '../../backend/src/analysis/analysis.schema.ts';
import { keyPlayers } from '../../backend/src/analysis/centrality.ts';
import { analysisGraph, COMMUNITY_PALETTE, communityColours, formatScore, MAX_SIZE, MIN_SIZE, OTHER_COMMUNITY, rankBy, sizeFor, sizesBy } from '../../frontend/src/panels/key-players-model.ts';

const score = (id: string, degree: number, betweenness = 0, eigenvector = 0, community = 0): NodeScore => ({ id, degree, betweenness, eigenvector, community, bridge: false });

describe('ranking', () => {
  const nodes = [score('a', 2, 0.5), score('b', 5, 0.1), score('c', 5, 0.9), score('d', 1, 0.9)];
  it('sorts by the measure, then degree, then id, and cuts to the limit', () => {
    expect(rankBy(nodes, 'degree').map((n) => n.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(rankBy(nodes, 'betweenness').map((n) => n.id)).toEqual(['c', 'd', 'a', 'b']);
    expect(rankBy(nodes, 'degree', 2).map((n) => n.id)).toEqual(['b', 'c']);
    expect(rankBy(nodes, 'degree', -1)).toEqual([]);
  });
  it('leaves the input alone', () => {
    rankBy(nodes, 'betweenness');
    expect(nodes.map((n) => n.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('sizes', () => {
  it('grows strictly with the score between MIN_SIZE and MAX_SIZE', () => {
    expect(sizeFor(0, 10)).toBe(MIN_SIZE);
    expect(sizeFor(10, 10)).toBe(MAX_SIZE);
    const steps = [0.5, 1, 2, 5, 9].map((v) => sizeFor(v, 10));
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]);
  });
  it('is the minimum for no spread, negative or non-finite scores, and capped above max', () => {
    expect(sizeFor(3, 0)).toBe(MIN_SIZE);
    expect(sizeFor(-1, 10)).toBe(MIN_SIZE);
    expect(sizeFor(Number.NaN, 10)).toBe(MIN_SIZE);
    expect(sizeFor(20, 10)).toBe(MAX_SIZE);
  });
  it('sizes every node relative to the highest score of the measure', () => {
    const sizes = sizesBy([score('a', 1, 0), score('b', 2, 0.25), score('c', 3, 1)], 'betweenness');
    expect(sizes.get('a')).toBe(MIN_SIZE);
    expect(sizes.get('c')).toBe(MAX_SIZE);
    expect(sizes.get('b')).toBeCloseTo(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * 0.5, 1);
  });
});

describe('community colours', () => {
  it('gives the largest communities distinct palette colours and singletons grey', () => {
    const communities = Array.from({ length: 15 }, (_, i) => ({ id: i, size: 20 - i }));
    communities.push({ id: 15, size: 1 });
    const colours = communityColours(communities);
    const firstTwelve = communities.slice(0, 12).map((c) => colours.get(c.id));
    expect(new Set(firstTwelve).size).toBe(12);
    expect(firstTwelve).toEqual([...COMMUNITY_PALETTE]);
    expect(colours.get(12)).toBe(OTHER_COMMUNITY);
    expect(colours.get(15)).toBe(OTHER_COMMUNITY);
  });
  it('ranks by size even when ids are not in size order', () => {
    const colours = communityColours([{ id: 0, size: 2 }, { id: 1, size: 9 }]);
    expect(colours.get(1)).toBe(COMMUNITY_PALETTE[0]);
    expect(colours.get(0)).toBe(COMMUNITY_PALETTE[1]);
  });
  it('keeps the palette readable: distinct, valid hex colours, none the grey', () => {
    expect(new Set(COMMUNITY_PALETTE).size).toBe(COMMUNITY_PALETTE.length);
    for (const c of COMMUNITY_PALETTE) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(COMMUNITY_PALETTE).not.toContain(OTHER_COMMUNITY);
  });
});

describe('scores and the analysed graph', () => {
  it('formats degree as an integer and other measures briefly', () => {
    expect(formatScore('degree', 7)).toBe('7');
    expect(formatScore('betweenness', 0.12345)).toBe('0.123');
    expect(formatScore('eigenvector', 0)).toBe('0');
    expect(formatScore('eigenvector', 0.00002)).toBe('2.0e-5');
  });

  it('keeps only edges between the given nodes, and keyPlayers counts distinct neighbours', () => {
    const g = analysisGraph(['a', 'b', 'c', 'a'], [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
      { source: 'a', target: 'c' },
      { source: 'a', target: 'hidden' },
    ]);
    expect(g.nodes).toEqual(['a', 'b', 'c']);
    expect(g.edges).toHaveLength(3);
    const result = keyPlayers(g);
    expect(Object.fromEntries(result.nodes.map((n) => [n.id, n.degree]))).toEqual({ a: 2, b: 1, c: 1 });
    expect(rankBy(result.nodes, 'degree')[0].id).toBe('a');
  });
});
