// Key players of a subgraph: degree, betweenness (exact or seeded-sample Brandes), eigenvector centrality,
// Louvain communities and the entities that hold their community together. Pure and browser-safe (no node:).
import Graph from 'graphology';
import louvain from 'graphology-communities-louvain';
import betweennessCentrality from 'graphology-metrics/centrality/betweenness';
import eigenvectorCentrality from 'graphology-metrics/centrality/eigenvector';
import type { KeyPlayers } from './analysis.schema.ts';

export interface KeyPlayersInput {
  nodes: string[];
  edges: { from: string; to: string; weight?: number }[];
}

export interface KeyPlayersOptions {
  /** exact betweenness up to this many nodes, a sample of this many source nodes above (default 500) */
  betweennessSamples?: number;
  /** seeds the betweenness sample and Louvain's random choices: same seed, same answer (default 1) */
  seed?: number;
  /** reports betweenness progress, the slow part: `done` of `total` source nodes */
  onProgress?: (done: number, total: number) => void;
}

/** The undirected simple graph in compressed sparse rows: the neighbours of i are nbr[off[i]..off[i+1]). */
interface Csr {
  n: number;
  off: Int32Array;
  nbr: Int32Array;
  /** summed weight of the merged parallel/antiparallel links, aligned with nbr */
  wt: Float64Array;
  edgeCount: number;
}

/** mulberry32: a tiny seeded PRNG, enough for sampling and Louvain's tie-breaking; deterministic per seed. */
export function seededRandom(seed: number): () => number {
  let a = Math.trunc(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildCsr(ids: string[], edges: KeyPlayersInput['edges'], index: Map<string, number>): Csr {
  const n = ids.length;
  // merge parallel and antiparallel links into one undirected edge keyed by (low, high) index
  const merged = new Map<number, number>();
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue; // self-loops say nothing about structure
    const w = typeof e.weight === 'number' && Number.isFinite(e.weight) && e.weight > 0 ? e.weight : 1;
    const key = a < b ? a * n + b : b * n + a;
    merged.set(key, (merged.get(key) ?? 0) + w);
  }
  const deg = new Int32Array(n);
  for (const key of merged.keys()) {
    deg[Math.floor(key / n)]++;
    deg[key % n]++;
  }
  const off = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) off[i + 1] = off[i] + deg[i];
  const fill = off.slice(0, n);
  const nbr = new Int32Array(off[n]);
  const wt = new Float64Array(off[n]);
  for (const [key, w] of merged) {
    const a = Math.floor(key / n);
    const b = key % n;
    nbr[fill[a]] = b;
    wt[fill[a]++] = w;
    nbr[fill[b]] = a;
    wt[fill[b]++] = w;
  }
  return { n, off, nbr, wt, edgeCount: merged.size };
}

/** Connected components: comp[i] is the component of node i; lists[c] its nodes. Iterative BFS. */
function components(g: Csr): { comp: Int32Array; lists: Int32Array[] } {
  const comp = new Int32Array(g.n).fill(-1);
  const queue = new Int32Array(g.n);
  const lists: Int32Array[] = [];
  for (let r = 0; r < g.n; r++) {
    if (comp[r] !== -1) continue;
    const c = lists.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = r;
    comp[r] = c;
    while (head < tail) {
      const v = queue[head++];
      for (let j = g.off[v]; j < g.off[v + 1]; j++) {
        const w = g.nbr[j];
        if (comp[w] === -1) {
          comp[w] = c;
          queue[tail++] = w;
        }
      }
    }
    lists.push(queue.slice(0, tail));
  }
  return { comp, lists };
}

/**
 * Brandes from the given sources only (unweighted shortest paths). Summing over every source gives each
 * pair twice, which the (n-1)(n-2) normalisation expects — the same scale graphology-metrics uses.
 */
function sampledBetweenness(orig: Csr, pivots: Int32Array, onProgress?: (done: number, total: number) => void): Float64Array {
  // renumber nodes in BFS order first: neighbours get nearby indices, so the per-source arrays stay in cache
  const { n, order: relabel, rank } = bfsOrder(orig);
  const off = new Int32Array(n + 1);
  const nbr = new Int32Array(orig.nbr.length);
  for (let i = 0; i < n; i++) {
    const v = relabel[i];
    off[i + 1] = off[i] + orig.off[v + 1] - orig.off[v];
    for (let j = orig.off[v], k = off[i]; j < orig.off[v + 1]; j++, k++) nbr[k] = rank[orig.nbr[j]];
  }
  const sources = pivots.map((p) => rank[p]);
  const bc = new Float64Array(n);
  const sigma = new Float64Array(n);
  const delta = new Float64Array(n);
  const dist = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  // the shortest-path DAG's edges in BFS order: walking them backwards visits every node after all of its
  // successors, so the dependency sums need no second scan of the whole adjacency
  const dagFrom = new Int32Array(nbr.length);
  const dagTo = new Int32Array(nbr.length);
  const every = Math.max(1, Math.floor(sources.length / 100));
  for (let k = 0; k < sources.length; k++) {
    const s = sources[k];
    let head = 0;
    let tail = 0;
    let dag = 0;
    order[tail++] = s;
    dist[s] = 0;
    sigma[s] = 1;
    while (head < tail) {
      const v = order[head++];
      const dv = dist[v] + 1;
      const sv = sigma[v];
      const end = off[v + 1];
      for (let j = off[v]; j < end; j++) {
        const w = nbr[j];
        let dw = dist[w];
        if (dw === -1) {
          dist[w] = dw = dv;
          order[tail++] = w;
        }
        if (dw === dv) {
          sigma[w] += sv;
          dagFrom[dag] = v;
          dagTo[dag++] = w;
        }
      }
    }
    for (let e = dag - 1; e >= 0; e--) {
      const v = dagFrom[e];
      const w = dagTo[e];
      delta[v] += (sigma[v] / sigma[w]) * (1 + delta[w]);
    }
    for (let i = 1; i < tail; i++) bc[order[i]] += delta[order[i]]; // order[0] is the source itself
    for (let i = 0; i < tail; i++) {
      const v = order[i];
      dist[v] = -1;
      sigma[v] = 0;
      delta[v] = 0;
    }
    if (onProgress && ((k + 1) % every === 0 || k + 1 === sources.length)) onProgress(k + 1, sources.length);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[relabel[i]] = bc[i];
  return out;
}

/** Nodes in BFS order, component after component: order[i] is the i-th node, rank[v] its position. */
function bfsOrder(g: Csr): { n: number; order: Int32Array; rank: Int32Array } {
  const order = new Int32Array(g.n);
  const rank = new Int32Array(g.n).fill(-1);
  let tail = 0;
  for (let r = 0; r < g.n; r++) {
    if (rank[r] !== -1) continue;
    let head = tail;
    rank[r] = tail;
    order[tail++] = r;
    while (head < tail) {
      const v = order[head++];
      for (let j = g.off[v]; j < g.off[v + 1]; j++) {
        const w = g.nbr[j];
        if (rank[w] === -1) {
          rank[w] = tail;
          order[tail++] = w;
        }
      }
    }
  }
  return { n: g.n, order, rank };
}

/** k distinct node indices drawn with a seeded partial Fisher–Yates shuffle. */
function samplePivots(n: number, k: number, rng: () => number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, k);
}

/**
 * Weighted power iteration on (A + I), per connected component, bounded; never throws. The shift keeps
 * bipartite components (stars, paths) from oscillating, as networkx and graphology do. Each component's
 * vector has unit norm scaled by sqrt(size / n), so the whole vector has unit norm and a connected
 * graph gets the same values as graphology-metrics.
 */
function eigenvectorByComponent(g: Csr, lists: Int32Array[]): Float64Array {
  const { off, nbr, wt } = g;
  const x = new Float64Array(g.n);
  const next = new Float64Array(g.n);
  // bound the work, not only the iterations: ~30M edge visits in all whatever the graph
  const maxIterations = Math.max(100, Math.min(10_000, Math.floor(3e7 / Math.max(1, nbr.length))));
  for (const nodes of lists) {
    const size = nodes.length;
    if (size < 2) continue; // an isolated entity has no eigenvector centrality
    for (let i = 0; i < size; i++) x[nodes[i]] = 1 / size;
    for (let it = 0; it < maxIterations; it++) {
      for (let i = 0; i < size; i++) next[nodes[i]] = x[nodes[i]];
      for (let i = 0; i < size; i++) {
        const v = nodes[i];
        const xv = x[v];
        for (let j = off[v], end = off[v + 1]; j < end; j++) next[nbr[j]] += xv * wt[j];
      }
      let norm = 0;
      for (let i = 0; i < size; i++) norm += next[nodes[i]] * next[nodes[i]];
      norm = Math.sqrt(norm) || 1;
      let change = 0;
      for (let i = 0; i < size; i++) {
        const v = nodes[i];
        const y = next[v] / norm;
        change += Math.abs(y - x[v]);
        x[v] = y;
      }
      if (change < size * 1e-9) break;
    }
    const scale = Math.sqrt(size / g.n);
    for (let i = 0; i < size; i++) x[nodes[i]] *= scale;
  }
  return x;
}

/**
 * Articulation points by an iterative Tarjan DFS (no recursion: graphs have 100k+ edges). With `group`,
 * only edges inside a group count, which gives the articulation points of every group's induced subgraph.
 * `minPart`: a removal counts only when it leaves at least two parts of that many entities each — with 2,
 * a phone whose removal merely strands its own leaf accounts is not reported as splitting anything.
 */
function articulationPoints(g: Csr, group: Int32Array | null, minPart = 1): Uint8Array {
  const { n, off, nbr } = g;
  const ap = new Uint8Array(n);
  const disc = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const parent = new Int32Array(n);
  const cursor = new Int32Array(n);
  const size = new Int32Array(n);
  // per node: child subtrees its removal separates (count, total size, and how many have ≥ minPart entities)
  const sepCount = new Int32Array(n);
  const sepTotal = new Int32Array(n);
  const sepLarge = new Int32Array(n);
  const stack = new Int32Array(n);
  const visited = new Int32Array(n);
  let time = 0;
  for (let r = 0; r < n; r++) {
    if (disc[r] !== -1) continue;
    const first = time;
    let sp = 0;
    stack[sp++] = r;
    visited[time] = r;
    disc[r] = low[r] = time++;
    parent[r] = -1;
    cursor[r] = off[r];
    size[r] = 1;
    while (sp > 0) {
      const v = stack[sp - 1];
      if (cursor[v] < off[v + 1]) {
        const w = nbr[cursor[v]++];
        if (group && group[w] !== group[v]) continue;
        if (disc[w] === -1) {
          parent[w] = v;
          visited[time] = w;
          disc[w] = low[w] = time++;
          cursor[w] = off[w];
          size[w] = 1;
          stack[sp++] = w;
        } else if (w !== parent[v] && disc[w] < low[v]) {
          low[v] = disc[w];
        }
      } else {
        sp--;
        const p = parent[v];
        if (p !== -1) {
          if (low[v] < low[p]) low[p] = low[v];
          size[p] += size[v];
          // v's subtree is cut off from the rest when p goes and nothing in it reaches above p (always so for the root)
          if (low[v] >= disc[p]) {
            sepCount[p]++;
            sepTotal[p] += size[v];
            if (size[v] >= minPart) sepLarge[p]++;
          }
        }
      }
    }
    const compSize = size[r];
    for (let k = first; k < time; k++) {
      const u = visited[k];
      if (sepCount[u] === 0) continue;
      // the root has no "rest"; any other node leaves the part holding its parent behind
      const rest = u === r ? 0 : compSize - 1 - sepTotal[u];
      const parts = sepCount[u] + (rest > 0 ? 1 : 0);
      const large = sepLarge[u] + (rest >= minPart ? 1 : 0);
      if (parts >= 2 && large >= 2) ap[u] = 1;
    }
  }
  return ap;
}

/**
 * Centrality, communities and bridges of a graph taken as undirected and simple. Nodes come back in input
 * order (duplicates dropped); endpoints of edges that are missing from `nodes` are added.
 */
export function keyPlayers(graph: KeyPlayersInput, opts: KeyPlayersOptions = {}): KeyPlayers {
  const samples = Number.isFinite(opts.betweennessSamples) ? Math.max(1, Math.floor(opts.betweennessSamples!)) : 500;
  const seed = Number.isFinite(opts.seed) ? opts.seed! : 1;
  const index = new Map<string, number>();
  const ids: string[] = [];
  const add = (id: string) => {
    if (!index.has(id)) {
      index.set(id, ids.length);
      ids.push(id);
    }
  };
  graph.nodes.forEach(add);
  for (const e of graph.edges) {
    add(e.from);
    add(e.to);
  }
  const g = buildCsr(ids, graph.edges, index);
  const n = g.n;

  // graphology keys are the indices: compact, and safe from ids such as "__proto__" in its plain-object results
  const gg = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  for (let i = 0; i < n; i++) gg.addNode(String(i));
  let edgeKey = 0;
  for (let v = 0; v < n; v++) {
    for (let j = g.off[v]; j < g.off[v + 1]; j++) {
      // explicit edge keys: graphology's generated ones cost a third of the build on large graphs
      if (g.nbr[j] > v) gg.addUndirectedEdgeWithKey(String(edgeKey++), String(v), String(g.nbr[j]), { weight: g.wt[j] });
    }
  }

  // betweenness counts hops: link weights are tie strength (call counts), not distances
  let betweenness: Float64Array;
  const sampled = n > samples && n > 2;
  if (!sampled) {
    opts.onProgress?.(0, n);
    betweenness = new Float64Array(n);
    // with fewer than three nodes nothing lies between two others (and graphology-metrics rejects n = 0)
    if (n >= 3) {
      const exact = betweennessCentrality(gg, { getEdgeWeight: null, normalized: true });
      for (let i = 0; i < n; i++) betweenness[i] = exact[String(i)] ?? 0;
    }
    opts.onProgress?.(n, n);
  } else {
    const pivots = samplePivots(n, samples, seededRandom(seed));
    betweenness = sampledBetweenness(g, pivots, opts.onProgress);
    const scale = n / samples / ((n - 1) * (n - 2));
    for (let i = 0; i < n; i++) betweenness[i] *= scale;
  }

  const { lists } = components(g);
  let eigenvector: Float64Array | null = null;
  // graphology-metrics works on the whole graph, which on a disconnected graph drifts towards one component:
  // use it for connected graphs only, and fall back to the per-component iteration when it fails to converge
  if (lists.length === 1 && n >= 2) {
    try {
      const ev = eigenvectorCentrality(gg, { getEdgeWeight: 'weight', maxIterations: 1000 });
      eigenvector = new Float64Array(n);
      for (let i = 0; i < n; i++) eigenvector[i] = ev[String(i)] ?? 0;
    } catch {
      eigenvector = null;
    }
  }
  eigenvector ??= eigenvectorByComponent(g, lists);

  const detailed = louvain.detailed(gg, { getEdgeWeight: 'weight', rng: seededRandom(seed ^ 0x5bd1e995) });
  const raw = new Int32Array(n);
  for (let i = 0; i < n; i++) raw[i] = detailed.communities[String(i)];
  // number communities by size, largest first; ties by their first node so the numbering is stable
  const sizes = new Map<number, { size: number; first: number }>();
  for (let i = 0; i < n; i++) {
    const s = sizes.get(raw[i]);
    if (s) s.size++;
    else sizes.set(raw[i], { size: 1, first: i });
  }
  const ranked = [...sizes.entries()].sort((a, b) => b[1].size - a[1].size || a[1].first - b[1].first);
  const renumber = new Map(ranked.map(([c], k) => [c, k]));
  const community = new Int32Array(n);
  for (let i = 0; i < n; i++) community[i] = renumber.get(raw[i])!;

  const cut = articulationPoints(g, null);
  // a bridge splits real groups apart: its community, or the network around it, into two or more parts of
  // ≥ 2 entities each. Entities that only strand their own leaves (a phone and its accounts) are not bridges;
  // Louvain rarely keeps a true split inside one community, so the broker between two communities counts too.
  const inCommunity = articulationPoints(g, community, 2);
  const inNetwork = articulationPoints(g, null, 2);
  const bridge = inCommunity.map((b, i) => b | inNetwork[i]);

  return {
    nodes: ids.map((id, i) => ({
      id,
      // degree is the raw number of distinct neighbours (not normalised by n - 1)
      degree: g.off[i + 1] - g.off[i],
      betweenness: betweenness[i],
      eigenvector: eigenvector![i],
      community: community[i],
      bridge: bridge[i] === 1,
      cut: cut[i] === 1,
    })),
    communities: ranked.map(([, s], k) => ({ id: k, size: s.size })),
    nodeCount: n,
    edgeCount: g.edgeCount,
    betweennessSampled: sampled,
    modularity: Number.isFinite(detailed.modularity) ? detailed.modularity : 0,
  };
}
