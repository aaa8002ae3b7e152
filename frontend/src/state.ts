// Explorer state that is not the graph itself (cytoscape holds that): the open case, the type filter and
// the count of requests in flight (mirrored on <body> so tests and the busy indicator can see it).
import type { CaseSummary } from './api.ts';

export interface ExplorerState {
  cases: CaseSummary[];
  caseName: string | null;
  /** entity types the legend hides */
  hiddenTypes: Set<string>;
  /** link types the legend hides */
  hiddenLinkTypes: Set<string>;
  /** requests in flight */
  pending: number;
}

export function createState(): ExplorerState {
  return { cases: [], caseName: null, hiddenTypes: new Set(), hiddenLinkTypes: new Set(), pending: 0 };
}

/** Runs `work` counted as pending: body[data-busy] and body[data-pending] reflect it. */
export async function tracked<T>(state: ExplorerState, work: () => Promise<T>): Promise<T> {
  state.pending++;
  syncBusy(state);
  try {
    return await work();
  } finally {
    state.pending--;
    syncBusy(state);
  }
}

function syncBusy(state: ExplorerState): void {
  document.body.dataset.pending = String(state.pending);
  document.body.classList.toggle('busy', state.pending > 0);
}

/** Reads `?case=` from the URL. */
export function caseFromUrl(): string | null {
  return new URLSearchParams(location.search).get('case');
}

/** Writes `?case=` into the URL without a navigation. */
export function caseToUrl(name: string): void {
  const url = new URL(location.href);
  url.searchParams.set('case', name);
  history.replaceState(null, '', url);
}

/** Reads an integer URL parameter, falling back to `fallback` when absent or out of [min, max]. */
export function intFromUrl(name: string, fallback: number, min: number, max: number): number {
  const raw = new URLSearchParams(location.search).get(name);
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}
