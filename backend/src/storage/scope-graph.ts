// Shared by both adapters' analysis reads: bounds, and the graph of a scope cut at a limit the same way in each store.
import type { ScopeGraph } from './port.ts';

/** Upper bound on the day × kind rows of one event count (a bound, not a cap: real data never comes near it). */
export const MAX_COUNT_ROWS = 500_000;

/**
 * At most `limit` entities and `limit` links (the caller fetched one more of each to tell a cut). The nodes
 * are the kept entities plus every end of a kept link, so no edge points outside the graph.
 */
export function scopeGraphOf(ids: string[], edges: ScopeGraph['edges'], limit: number): ScopeGraph {
  const capped = ids.length > limit || edges.length > limit;
  const kept = edges.slice(0, limit);
  const nodes = new Set(ids.slice(0, limit));
  for (const e of kept) {
    nodes.add(e.from);
    nodes.add(e.to);
  }
  return { nodes: [...nodes], edges: kept, capped };
}
