// Key players on graphs with known answers: stars, paths, two triangles, Zachary's karate club (values
// from networkx 3, pasted below), sampled against exact betweenness, determinism and degenerate graphs.
import { describe, expect, it } from 'vitest';
import { keyPlayers, seededRandom } from '../../backend/src/analysis/centrality.ts';
import { KeyPlayers } from '../../backend/src/analysis/analysis.schema.ts';

function edges(spec: string): { from: string; to: string }[] {
  return spec.split(' ').map((p) => {
    const [from, to] = p.split('-');
    return { from, to };
  });
}

function byId(r: KeyPlayers) {
  return new Map(r.nodes.map((n) => [n.id, n]));
}

function top(r: KeyPlayers, measure: 'betweenness' | 'eigenvector', k: number): string[] {
  return [...r.nodes].sort((a, b) => b[measure] - a[measure]).slice(0, k).map((n) => n.id);
}

// Zachary's karate club, nodes 0..33 as in networkx.karate_club_graph() (weights dropped)
const KARATE = edges(
  '0-1 0-2 0-3 0-4 0-5 0-6 0-7 0-8 0-10 0-11 0-12 0-13 0-17 0-19 0-21 0-31 1-2 1-3 1-7 1-13 1-17 1-19 1-21 1-30 ' +
    '2-3 2-7 2-8 2-9 2-13 2-27 2-28 2-32 3-7 3-12 3-13 4-6 4-10 5-6 5-10 5-16 6-16 8-30 8-32 8-33 9-33 13-33 14-32 ' +
    '14-33 15-32 15-33 18-32 18-33 19-33 20-32 20-33 22-32 22-33 23-25 23-27 23-29 23-32 23-33 24-25 24-27 24-31 ' +
    '25-31 26-29 26-33 27-33 28-31 28-33 29-32 29-33 30-32 30-33 31-32 31-33 32-33',
);

/** Preferential attachment (Barabási–Albert, m = 2) from a seed: hubs with clearly ranked betweenness. */
function preferential(n: number, seed: number): { nodes: string[]; edges: { from: string; to: string }[] } {
  const rng = seededRandom(seed);
  const out: { from: string; to: string }[] = [{ from: 'n0', to: 'n1' }];
  const ends = ['n0', 'n1'];
  for (let i = 2; i < n; i++) {
    const picked = new Set<string>();
    while (picked.size < Math.min(2, i)) picked.add(ends[Math.floor(rng() * ends.length)]);
    for (const t of picked) {
      out.push({ from: `n${i}`, to: t });
      ends.push(`n${i}`, t);
    }
  }
  return { nodes: Array.from({ length: n }, (_, i) => `n${i}`), edges: out };
}

describe('keyPlayers', () => {
  it('star: the centre carries all betweenness and is a cut vertex, but strands only leaves (no bridge); degree counts distinct neighbours', () => {
    const r = keyPlayers({ nodes: ['c', 'l1', 'l2', 'l3', 'l4'], edges: edges('c-l1 l2-c c-l3 c-l4 c-l1 l1-c') });
    expect(KeyPlayers.parse(r)).toEqual(r);
    const n = byId(r);
    expect(r.edgeCount).toBe(4); // the repeated and reversed c-l1 links merge into one edge
    expect(n.get('c')).toMatchObject({ degree: 4, betweenness: 1, bridge: false, cut: true });
    for (const leaf of ['l1', 'l2', 'l3', 'l4']) expect(n.get(leaf)).toMatchObject({ degree: 1, betweenness: 0, bridge: false });
    // eigenvector uses the summed weights: c-l1 weighs 3, the others 1, so λ = √(9+1+1+1) = 2√3,
    // the centre gets 1/√2 and each leaf w/λ of that (networkx with weight='weight' agrees)
    expect(n.get('c')!.eigenvector).toBeCloseTo(Math.SQRT1_2, 4);
    expect(n.get('l1')!.eigenvector).toBeCloseTo((Math.SQRT1_2 * 3) / (2 * Math.sqrt(3)), 4);
    expect(n.get('l3')!.eigenvector).toBeCloseTo(Math.SQRT1_2 / (2 * Math.sqrt(3)), 4);
    expect(r.betweennessSampled).toBe(false);
  });

  it('path P5: betweenness 0, 1/2, 2/3, 1/2, 0 (normalised like networkx); inner nodes are cut vertices', () => {
    const r = keyPlayers({ nodes: ['p0', 'p1', 'p2', 'p3', 'p4'], edges: edges('p0-p1 p1-p2 p2-p3 p3-p4') });
    const b = r.nodes.map((x) => x.betweenness);
    [0, 0.5, 2 / 3, 0.5, 0].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 10));
    expect(r.nodes.map((x) => x.cut)).toEqual([false, true, true, true, false]);
    // networkx.eigenvector_centrality(path_graph(5)): 0.2887, 0.5, 0.5774, 0.5, 0.2887
    [0.2887, 0.5, 0.5774, 0.5, 0.2887].forEach((v, i) => expect(r.nodes[i].eigenvector).toBeCloseTo(v, 3));
  });

  it('two triangles joined through x: two communities, x is the cut vertex, and its attachment splits x’s community', () => {
    const r = keyPlayers({ nodes: [], edges: edges('a1-a2 a2-a3 a3-a1 b1-b2 b2-b3 b3-b1 x-a1 x-b1') });
    const n = byId(r);
    expect(r.communities).toEqual([{ id: 0, size: 4 }, { id: 1, size: 3 }]);
    // the triangles are never split, and x joins one of them (modularity 0.3672 by networkx for that split)
    expect(new Set(['a1', 'a2', 'a3'].map((id) => n.get(id)!.community)).size).toBe(1);
    expect(new Set(['b1', 'b2', 'b3'].map((id) => n.get(id)!.community)).size).toBe(1);
    expect(n.get('a1')!.community).not.toBe(n.get('b1')!.community);
    expect(r.modularity).toBeCloseTo(0.3671875, 6);
    // networkx.betweenness_centrality: x 0.6, a1 = b1 = 0.5333
    expect(n.get('x')!.betweenness).toBeCloseTo(0.6, 10);
    expect(n.get('a1')!.betweenness).toBeCloseTo(0.5333333, 6);
    // networkx.articulation_points: a1, b1, x
    expect(r.nodes.filter((x) => x.cut).map((x) => x.id).sort()).toEqual(['a1', 'b1', 'x']);
    // each of them splits the network into two groups of ≥ 2 (x the two triangles; a1 its triangle's other two from the rest)
    expect(r.nodes.filter((x) => x.bridge).map((x) => x.id).sort()).toEqual(['a1', 'b1', 'x']);
  });

  it("Zachary's karate club matches networkx", () => {
    const r = keyPlayers({ nodes: Array.from({ length: 34 }, (_, i) => String(i)), edges: KARATE });
    expect(r.nodeCount).toBe(34);
    expect(r.edgeCount).toBe(78);
    const n = byId(r);
    // networkx.betweenness_centrality: 0 → 0.437635, 33 → 0.304075, 32 → 0.145247 (then 2 → 0.143657)
    expect(top(r, 'betweenness', 3)).toEqual(['0', '33', '32']);
    expect(n.get('0')!.betweenness).toBeCloseTo(0.437635, 5);
    expect(n.get('33')!.betweenness).toBeCloseTo(0.304075, 5);
    expect(n.get('32')!.betweenness).toBeCloseTo(0.145247, 5);
    // networkx.eigenvector_centrality: 33 → 0.373371, 0 → 0.355483, 2 → 0.317189
    expect(top(r, 'eigenvector', 3)).toEqual(['33', '0', '2']);
    expect(n.get('33')!.eigenvector).toBeCloseTo(0.373371, 4);
    expect(n.get('0')!.eigenvector).toBeCloseTo(0.355483, 4);
    expect(n.get('2')!.eigenvector).toBeCloseTo(0.317189, 4);
    expect(n.get('33')!.degree).toBe(17);
    // best known partition has modularity 0.4198; Louvain reaches ≥ 0.41 on it
    expect(r.modularity).toBeGreaterThanOrEqual(0.38);
    expect(r.communities.length).toBeGreaterThanOrEqual(3);
    expect(r.communities.map((c) => c.size)).toEqual([...r.communities.map((c) => c.size)].sort((a, b) => b - a));
    expect(r.communities.reduce((s, c) => s + c.size, 0)).toBe(34);
    // 0 is the club's only articulation point (networkx.articulation_points), through leaf 11
    expect(r.nodes.filter((x) => x.cut).map((x) => x.id)).toEqual(['0']);
  });

  it('falls back to its own bounded iteration where graphology-metrics fails to converge (a 200-node path)', () => {
    // graphology-metrics' eigenvector throws "failed to converge" on P200 within 1000 iterations
    const r = keyPlayers({ nodes: [], edges: Array.from({ length: 199 }, (_, i) => ({ from: `p${i}`, to: `p${i + 1}` })) });
    const ev = r.nodes.map((x) => x.eigenvector);
    // networkx.eigenvector_centrality_numpy(path_graph(200)): ends 0.001559, middle 0.099748
    expect(ev[0]).toBeCloseTo(0.001559, 4);
    expect(ev[99]).toBeCloseTo(0.099748, 3);
    expect(ev[199]).toBeCloseTo(ev[0], 8);
    expect(Math.hypot(...ev)).toBeCloseTo(1, 8);
  });

  it('sampled betweenness on a 2,000-node graph ranks the same top 10 as the exact one, on the same scale', () => {
    const g = preferential(2000, 42);
    const exact = keyPlayers(g, { betweennessSamples: 2000 });
    const progress: [number, number][] = [];
    const sampled = keyPlayers(g, { betweennessSamples: 200, seed: 9, onProgress: (d, t) => progress.push([d, t]) });
    expect(exact.betweennessSampled).toBe(false);
    expect(sampled.betweennessSampled).toBe(true);
    const want = new Set(top(exact, 'betweenness', 10));
    expect(top(sampled, 'betweenness', 10).filter((id) => want.has(id)).length).toBeGreaterThanOrEqual(7);
    const [hub] = top(exact, 'betweenness', 1);
    const ratio = byId(sampled).get(hub)!.betweenness / byId(exact).get(hub)!.betweenness;
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
    // progress rises to the number of sampled sources
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([200, 200]);
    expect(progress.every(([d], i) => i === 0 || d > progress[i - 1][0])).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const g = preferential(600, 3);
    const a = keyPlayers(g, { betweennessSamples: 50, seed: 5 });
    const b = keyPlayers(g, { betweennessSamples: 50, seed: 5 });
    expect(b).toEqual(a);
    expect(a.betweennessSampled).toBe(true);
  });

  it('handles empty, single-node, self-loop-only and disconnected graphs', () => {
    expect(keyPlayers({ nodes: [], edges: [] })).toEqual({ nodes: [], communities: [], nodeCount: 0, edgeCount: 0, betweennessSampled: false, modularity: 0 });
    const one = keyPlayers({ nodes: ['solo'], edges: [{ from: 'solo', to: 'solo' }] });
    expect(one.edgeCount).toBe(0);
    expect(one.nodes).toEqual([{ id: 'solo', degree: 0, betweenness: 0, eigenvector: 0, community: 0, bridge: false, cut: false }]);
    expect(one.communities).toEqual([{ id: 0, size: 1 }]);
    expect(keyPlayers({ nodes: ['a', 'b'], edges: edges('a-b') }, { betweennessSamples: 1 }).nodes.map((x) => x.betweenness)).toEqual([0, 0]);

    // a triangle, a star and an isolated entity; an edge end missing from nodes is added
    const r = keyPlayers({ nodes: ['t1', 't2', 't3', 's', 'l1', 'l2', 'lonely'], edges: edges('t1-t2 t2-t3 t3-t1 s-l1 s-l2 s-l3') });
    const n = byId(r);
    expect(r.nodeCount).toBe(8);
    expect(n.has('l3')).toBe(true);
    expect(Number.isFinite(r.modularity)).toBe(true);
    for (const x of r.nodes) {
      expect(Number.isFinite(x.betweenness) && Number.isFinite(x.eigenvector)).toBe(true);
    }
    // each component gets its own eigenvector (scaled by √(size/n)), not the near-zero of a global one
    expect(n.get('t1')!.eigenvector).toBeCloseTo(Math.sqrt(1 / 3) * Math.sqrt(3 / 8), 4);
    expect(n.get('s')!.eigenvector).toBeCloseTo(Math.SQRT1_2 * Math.sqrt(4 / 8), 4);
    expect(n.get('lonely')).toMatchObject({ degree: 0, eigenvector: 0, betweenness: 0 });
    // betweenness of the star centre: 3 of its component's pairs, normalised over the whole graph (n = 8)
    expect(n.get('s')!.betweenness).toBeCloseTo(3 / 21, 10);
    expect(n.get('s')!.bridge).toBe(false); // a star's centre strands single leaves
    expect(new Set(['t1', 't2', 't3'].map((id) => n.get(id)!.community)).size).toBe(1);
    expect(n.get('lonely')!.community).not.toBe(n.get('t1')!.community);
  });
});

describe('bridges', () => {
  it('marks entities whose removal splits groups of two or more apart, and not those that strand leaves', () => {
    // a phone p with three leaf accounts and a triangle p-q-r plus s: p strands only leaves → no bridge
    const leaves = byId(keyPlayers({ nodes: [], edges: edges('p-a1 p-a2 p-a3 p-q q-r r-p q-s s-r') }));
    expect([...leaves.values()].filter((x) => x.bridge)).toEqual([]);
    expect(leaves.get('p')!.cut).toBe(true);
    // two 4-cliques joined through m: m and both attachment points split the network into real groups
    const barbell = keyPlayers({ nodes: [], edges: edges('a1-a2 a1-a3 a1-a4 a2-a3 a2-a4 a3-a4 b1-b2 b1-b3 b1-b4 b2-b3 b2-b4 b3-b4 a1-m m-b1') });
    expect(barbell.nodes.filter((x) => x.bridge).map((x) => x.id).sort()).toEqual(['a1', 'b1', 'm']);
  });
});
