// Path algorithms on small graphs with known answers.
import { describe, expect, it } from 'vitest';
import { allSimplePaths, commonNeighbours, shortestPath, type AdjacencyFn } from '../../backend/src/analysis/paths.ts';
import type { EdgeRef } from '../../backend/src/storage/port.ts';

function graph(pairs: string, perNode = 1000): { adj: AdjacencyFn; calls: string[][] } {
  const edges: EdgeRef[] = pairs.split(' ').map((p, i) => {
    const [from, to] = p.split('-');
    return { id: `e${i}:${from}${to}`, type: 'CALLED', from, to };
  });
  const calls: string[][] = [];
  const adj: AdjacencyFn = async (ids) => {
    calls.push(ids);
    const out: EdgeRef[] = [];
    const hubs: string[] = [];
    for (const id of ids) {
      const mine = edges.filter((e) => e.from === id || e.to === id);
      if (mine.length > perNode) hubs.push(id);
      out.push(...mine.slice(0, perNode));
    }
    return { edges: out, hubs };
  };
  return { adj, calls };
}

describe('shortestPath', () => {
  // a - b - c - d - e, plus a long way a - x - y - z - w - e
  const g = 'a-b b-c c-d d-e a-x x-y y-z z-w w-e';
  it('finds the shortest route regardless of link direction', async () => {
    const r = await shortestPath(graph(g).adj, 'e', 'a', 6);
    expect(r.paths[0].entities).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(r.paths[0].links).toEqual(['e3:de', 'e2:cd', 'e1:bc', 'e0:ab']);
  });
  it('respects the hop limit and says nothing was found', async () => {
    expect((await shortestPath(graph(g).adj, 'a', 'e', 3)).paths).toEqual([]);
    expect((await shortestPath(graph(g).adj, 'a', 'e', 4)).paths[0].links).toHaveLength(4);
  });
  it('returns nothing between disconnected parts', async () => {
    expect((await shortestPath(graph('a-b c-d').adj, 'a', 'd', 6)).paths).toEqual([]);
  });
  it('reports hubs that were cut', async () => {
    const r = await shortestPath(graph('h-a h-b h-c h-d a-z', 2).adj, 'h', 'z', 6);
    expect(r.hubs).toContain('h');
  });
});

describe('allSimplePaths', () => {
  // two routes of length 2 and one of length 3 between s and t, plus a dead end
  const g = 's-a a-t s-b b-t s-c c-d d-t s-x';
  it('lists every simple path within k, shortest first', async () => {
    const r = await allSimplePaths(graph(g).adj, 's', 't', 3);
    expect(r.paths.map((p) => p.entities.join(''))).toEqual(['sat', 'sbt', 'scdt']);
    expect(r.truncated).toBe(false);
  });
  it('drops paths longer than k', async () => {
    const r = await allSimplePaths(graph(g).adj, 's', 't', 2);
    expect(r.paths.map((p) => p.entities.join(''))).toEqual(['sat', 'sbt']);
  });
  it('never repeats a node (cycles are not paths)', async () => {
    const r = await allSimplePaths(graph('s-a a-b b-a2 a2-a a-t').adj, 's', 't', 6);
    expect(r.paths.map((p) => p.entities.join(','))).toEqual(['s,a,t']);
  });
  it('stops at the path limit and says so', async () => {
    const r = await allSimplePaths(graph(g).adj, 's', 't', 3, { maxPaths: 2 });
    expect(r.paths).toHaveLength(2);
    expect(r.truncated).toBe(true);
  });
  it('agrees with brute force on a small dense graph', async () => {
    const nodes = 'abcdefg'.split('');
    const pairs: string[] = [];
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) if ((i * 7 + j * 3) % 4 !== 0) pairs.push(`${nodes[i]}-${nodes[j]}`);
    const { adj } = graph(pairs.join(' '));
    const brute: string[] = [];
    const nb = (v: string) => pairs.map((p) => p.split('-')).filter(([x, y]) => x === v || y === v).map(([x, y]) => (x === v ? y : x));
    const walk = (path: string[]) => {
      const v = path[path.length - 1];
      if (v === 'g') return void brute.push(path.join(''));
      if (path.length - 1 >= 4) return;
      for (const n of nb(v)) if (!path.includes(n)) walk([...path, n]);
    };
    walk(['a']);
    const r = await allSimplePaths(adj, 'a', 'g', 4, { maxPaths: 10_000 });
    expect(r.paths.map((p) => p.entities.join('')).sort()).toEqual(brute.sort());
  });
});

describe('commonNeighbours', () => {
  it('finds entities linked to every selected one', async () => {
    const r = await commonNeighbours(graph('a-x b-x c-x a-y b-y a-b').adj, ['a', 'b']);
    expect(r.common).toEqual(['x', 'y']);
    expect((await commonNeighbours(graph('a-x b-x c-x a-y b-y').adj, ['a', 'b', 'c'])).common).toEqual(['x']);
  });
});
