// Path finding over the store's adjacency, undirected (in an investigation any link connects):
// bidirectional BFS for the shortest path, and all simple paths up to k hops with distance pruning.
// Hubs are capped per node and the work is bounded; results say when either cut anything.
import type { EdgeRef } from '../storage/port.ts';

export type AdjacencyFn = (ids: string[]) => Promise<{ edges: EdgeRef[]; hubs: string[] }>;

export interface Path {
  /** entity ids from source to target */
  entities: string[];
  /** link ids, one per hop */
  links: string[];
}

export interface PathResult {
  paths: Path[];
  /** hubs whose links were cut by the per-node cap (a path through them may be missing) */
  hubs: string[];
  /** true when the node budget or the path limit stopped the search early */
  truncated: boolean;
}

interface Step {
  prev: string | null;
  edge: string | null;
  depth: number;
}

function other(e: EdgeRef, id: string): string {
  return e.from === id ? e.to : e.from;
}

/** Shortest path with at most `maxHops` links, or none. */
export async function shortestPath(adj: AdjacencyFn, source: string, target: string, maxHops: number, budget = 200_000): Promise<PathResult> {
  if (source === target) return { paths: [{ entities: [source], links: [] }], hubs: [], truncated: false };
  const sides = [new Map<string, Step>([[source, { prev: null, edge: null, depth: 0 }]]), new Map<string, Step>([[target, { prev: null, edge: null, depth: 0 }]])];
  let frontiers = [[source], [target]];
  const hubs = new Set<string>();
  let depthSum = 0;
  let seen = 2;
  while (depthSum < maxHops && frontiers[0].length > 0 && frontiers[1].length > 0) {
    const side = frontiers[0].length <= frontiers[1].length ? 0 : 1;
    const mine = sides[side];
    const theirs = sides[1 - side];
    const { edges, hubs: h } = await adj(frontiers[side]);
    h.forEach((x) => hubs.add(x));
    const frontier = new Set(frontiers[side]);
    const next: string[] = [];
    let meet: { node: string; via: string; edge: string } | null = null;
    for (const e of edges) {
      const from = frontier.has(e.from) ? e.from : e.to;
      const to = other(e, from);
      if (mine.has(to)) continue;
      mine.set(to, { prev: from, edge: e.id, depth: mine.get(from)!.depth + 1 });
      next.push(to);
      if (theirs.has(to) && !meet) meet = { node: to, via: from, edge: e.id };
    }
    depthSum++;
    if (meet) {
      const half = (m: Map<string, Step>, start: string) => {
        const nodes: string[] = [];
        const links: string[] = [];
        let cur: string | null = start;
        while (cur) {
          nodes.push(cur);
          const st: Step = m.get(cur)!;
          if (st.edge) links.push(st.edge);
          cur = st.prev;
        }
        return { nodes, links };
      };
      const a = half(sides[0], meet.node);
      const b = half(sides[1], meet.node);
      return {
        paths: [{ entities: [...a.nodes.reverse(), ...b.nodes.slice(1)], links: [...a.links.reverse(), ...b.links] }],
        hubs: [...hubs],
        truncated: false,
      };
    }
    seen += next.length;
    if (seen > budget) return { paths: [], hubs: [...hubs], truncated: true };
    frontiers[side] = next;
  }
  return { paths: [], hubs: [...hubs], truncated: false };
}

/**
 * Every simple path of at most k links (k ≤ 6). One BFS from the target to depth k-1 gives distances;
 * a DFS from the source then only steps where the remaining hops can still reach the target.
 */
export async function allSimplePaths(adj: AdjacencyFn, source: string, target: string, k: number, opts: { maxPaths?: number; budget?: number } = {}): Promise<PathResult> {
  const maxPaths = opts.maxPaths ?? 100;
  const budget = opts.budget ?? 100_000;
  if (source === target) return { paths: [], hubs: [], truncated: false };
  const dist = new Map<string, number>([[target, 0]]);
  const neighbours = new Map<string, { to: string; edge: string }[]>();
  const hubs = new Set<string>();
  let truncated = false;
  const addEdge = (e: EdgeRef) => {
    for (const [a, b] of [[e.from, e.to], [e.to, e.from]] as const) {
      const list = neighbours.get(a);
      if (list) {
        if (!list.some((x) => x.edge === e.id)) list.push({ to: b, edge: e.id });
      } else neighbours.set(a, [{ to: b, edge: e.id }]);
    }
  };
  let frontier = [target];
  for (let d = 0; d < k - 1 && frontier.length > 0; d++) {
    const { edges, hubs: h } = await adj(frontier);
    h.forEach((x) => hubs.add(x));
    const next: string[] = [];
    const inFrontier = new Set(frontier);
    for (const e of edges) {
      addEdge(e);
      for (const n of [e.from, e.to]) {
        if (!dist.has(n) && !inFrontier.has(n)) {
          dist.set(n, d + 1);
          next.push(n);
        }
      }
    }
    if (dist.size > budget) {
      truncated = true;
      break;
    }
    frontier = next;
  }
  const start = await adj([source]);
  start.hubs.forEach((x) => hubs.add(x));
  start.edges.forEach(addEdge);
  const paths: Path[] = [];
  const onPath = new Set<string>([source]);
  const nodes = [source];
  const links: string[] = [];
  const dfs = (v: string): void => {
    if (paths.length >= maxPaths) {
      truncated = true;
      return;
    }
    for (const { to, edge } of neighbours.get(v) ?? []) {
      if (onPath.has(to)) continue;
      const hops = links.length + 1;
      if (to === target) {
        paths.push({ entities: [...nodes, to], links: [...links, edge] });
        if (paths.length >= maxPaths) {
          truncated = true;
          return;
        }
        continue;
      }
      const rest = dist.get(to);
      if (rest === undefined || hops + rest > k) continue;
      onPath.add(to);
      nodes.push(to);
      links.push(edge);
      dfs(to);
      onPath.delete(to);
      nodes.pop();
      links.pop();
    }
  };
  dfs(source);
  paths.sort((a, b) => a.links.length - b.links.length);
  return { paths, hubs: [...hubs], truncated };
}

/** Entities adjacent to every one of `ids`. */
export async function commonNeighbours(adj: AdjacencyFn, ids: string[]): Promise<{ common: string[]; hubs: string[] }> {
  const { edges, hubs } = await adj(ids);
  const sets = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const e of edges) {
    sets.get(e.from)?.add(e.to);
    sets.get(e.to)?.add(e.from);
  }
  const [first, ...rest] = [...sets.values()];
  const common = [...(first ?? [])].filter((n) => !ids.includes(n) && rest.every((s) => s.has(n))).sort();
  return { common, hubs };
}
