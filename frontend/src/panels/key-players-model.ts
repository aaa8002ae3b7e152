// Pure parts of the key-players panel: ranking scores by a measure, node sizes from scores, community
// colours and the visible graph handed to keyPlayers(). No DOM: unit-tested under test/unit.
import type { Measure, NodeScore } from '../../../backend/src/analysis/analysis.schema.ts';

export type SizeBy = Measure | 'none';
export const MEASURES: readonly Measure[] = ['degree', 'betweenness', 'eigenvector'];
export const MEASURE_LABELS: Record<Measure, string> = { degree: 'Degree', betweenness: 'Betweenness', eigenvector: 'Eigenvector' };

/** Entries in the ranked list. */
export const TOP_N = 25;
/** Node diameters when sized by a measure: the lowest score gets MIN_SIZE, the highest MAX_SIZE. */
export const MIN_SIZE = 18;
export const MAX_SIZE = 84;

/**
 * Twelve community colours, told apart by hue and lightness (Tableau-like); they are drawn as a thick
 * border so the type's fill colour and shape stay readable.
 */
export const COMMUNITY_PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#ad494a'] as const;
/** Communities past the palette, and single entities, share this grey. */
export const OTHER_COMMUNITY = '#cbd5e1';

/** The entities ranked by `measure`, highest first; ties by degree, then by id (a stable order). */
export function rankBy(nodes: readonly NodeScore[], measure: Measure, limit = TOP_N): NodeScore[] {
  return [...nodes]
    .sort((a, b) => b[measure] - a[measure] || b.degree - a.degree || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, limit));
}

/**
 * Node diameter for a score: area grows with the score (sqrt), so a node with twice the score looks twice
 * as heavy; strictly increasing between MIN_SIZE (0) and MAX_SIZE (`max`).
 */
export function sizeFor(score: number, max: number): number {
  if (!(max > 0) || !Number.isFinite(score) || score <= 0) return MIN_SIZE;
  const t = Math.min(1, score / max);
  return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * Math.sqrt(t);
}

/** Sizes for every scored entity by `measure`, relative to the highest score. */
export function sizesBy(nodes: readonly NodeScore[], measure: Measure): Map<string, number> {
  const max = nodes.reduce((m, n) => Math.max(m, n[measure]), 0);
  return new Map(nodes.map((n) => [n.id, sizeFor(n[measure], max)]));
}

/**
 * A colour per community id. Community ids are numbered by size, largest first (keyPlayers does so), so
 * the biggest communities take the palette; single-entity communities and those past the palette are
 * grey, because twelve colours is about as many as an eye tells apart.
 */
export function communityColours(communities: readonly { id: number; size: number }[]): Map<number, string> {
  const out = new Map<number, string>();
  const ranked = [...communities].sort((a, b) => b.size - a.size || a.id - b.id);
  let next = 0;
  for (const c of ranked) {
    if (c.size > 1 && next < COMMUNITY_PALETTE.length) out.set(c.id, COMMUNITY_PALETTE[next++]);
    else out.set(c.id, OTHER_COMMUNITY);
  }
  return out;
}

/** A score as shown in the list: degree as an integer, the others with three significant digits. */
export function formatScore(measure: Measure, value: number): string {
  if (measure === 'degree') return String(Math.round(value));
  if (value === 0) return '0';
  return value >= 0.001 ? value.toFixed(3) : value.toExponential(1);
}

/** The graph keyPlayers() takes: the given nodes and the edges whose both ends are among them. */
export function analysisGraph(nodes: readonly string[], edges: readonly { source: string; target: string }[]): { nodes: string[]; edges: { from: string; to: string }[] } {
  const ids = new Set(nodes);
  return { nodes: [...ids], edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ from: e.source, to: e.target })) };
}
