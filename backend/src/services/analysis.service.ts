// Analysis views: a case's (or a selection's) activity through time, the link activity of a window, what
// changed between two periods, and its key players. Reads come from the store by scope; the arithmetic is
// the pure functions of analysis/. Large key-player runs go to a worker thread so the server stays responsive.
import { Worker } from 'node:worker_threads';
import type {
  ActivityRequest, ActivityResponse, DiffRequest, DiffResult, KeyPlayers, KeyPlayersRequest, Scope, Timeline, TimelineRequest, Window,
} from '../analysis/analysis.schema.ts';
import { keyPlayers } from '../analysis/centrality.ts';
import { diffPeriods } from '../analysis/diff.ts';
import { bucketStart, fillBuckets, parseDateProp } from '../analysis/timeline.ts';
import { AppError } from '../errors.ts';
import type { EntityType } from '../model/index.ts';
import type { AnalysisScope, GraphStore, ScopeGraph, TimeWindow } from '../storage/port.ts';
import type { CaseAccess } from '../auth/access.ts';
import { requireVisibleCase, visibleOnly, visibleSet } from './case-access.ts';

export interface AnalysisLimits {
  /** key players computed inside the request above this many links are refused: use a job */
  syncMaxEdges: number;
  /** the most entities and links a key-players job reads (more: the result says `capped`) */
  jobMaxEdges: number;
  /** links per period a diff compares */
  diffLinks: number;
  /** dated Event entities drawn on a timeline */
  datedEvents: number;
}

export const DEFAULT_ANALYSIS_LIMITS: AnalysisLimits = { syncMaxEdges: 20_000, jobMaxEdges: 500_000, diffLinks: 200_000, datedEvents: 1000 };

/** Ids per store.subgraph call when looking up labels (the size the API allows for one subgraph). */
const LABEL_CHUNK = 5000;

export type KeyPlayersResult = KeyPlayers & { capped: boolean };
export type ProgressFn = (done: number, total: number) => void;

export class AnalysisService {
  private readonly limits: AnalysisLimits;

  constructor(private readonly store: GraphStore, limits: Partial<AnalysisLimits> = {}) {
    this.limits = { ...DEFAULT_ANALYSIS_LIMITS, ...limits };
  }

  /**
   * The store scope a user may analyse. A case must be one of theirs (another answers 404, as a case that does
   * not exist); a selection keeps only the entities a source of their cases asserts. An admin's scope is as given.
   */
  async scopeFor(s: Scope, access: CaseAccess = 'all'): Promise<AnalysisScope> {
    const scope = storeScope(s);
    if (access === 'all') return scope;
    if (scope.case !== undefined) {
      requireVisibleCase(access, scope.case);
      return scope;
    }
    return { ids: await visibleOnly(this.store, access, scope.ids) };
  }

  /**
   * Links of a selection cut to those a source of the user's cases asserts (a link between two visible entities
   * may be asserted only by another case). A case's scope holds only what its own sources assert: nothing to cut.
   * Known gap: counts of a visible link still include events that only another case's sources assert (the store
   * port has no per-case filter for events among ids).
   */
  private async cut<T extends { id: string }>(items: T[], scope: AnalysisScope, access: CaseAccess): Promise<T[]> {
    if (access === 'all' || scope.case !== undefined) return items;
    const seen = (await visibleSet(this.store, access, items.map((i) => i.id)))!;
    return items.filter((i) => seen.has(i.id));
  }

  async timeline(req: TimelineRequest, access: CaseAccess = 'all'): Promise<Timeline> {
    const scope = await this.scopeFor(req.scope, access);
    const window = storeWindow(req.window);
    const [counts, events] = await Promise.all([this.store.eventCounts(scope, window), this.store.datedEvents(scope, this.limits.datedEvents)]);
    const inWindow = (at: string) => (window.from === undefined || at >= window.from) && (window.to === undefined || at < window.to);
    const dated = events
      .flatMap((e) => {
        const at = parseDateProp(e.date);
        return at !== null && inWindow(at) ? [{ id: e.id, label: e.label, at, ...(e.kind !== undefined ? { kind: e.kind } : {}) }] : [];
      })
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    // the store counts per day: the window's start goes back to its day, or fillBuckets would drop that day's row
    // (the store already cut the events to the exact window)
    const rows = counts.rows.map((r) => ({ start: `${r.day}T00:00:00.000Z`, kind: r.kind, count: r.count }));
    const series = { ...window, ...(window.from !== undefined ? { from: bucketStart(window.from, 'day') } : {}) };
    const buckets = fillBuckets(rows, req.bucket, series, dated);
    return {
      bucket: req.bucket, ...(counts.first ? { first: counts.first } : {}), ...(counts.last ? { last: counts.last } : {}),
      buckets, total: counts.rows.reduce((n, r) => n + r.count, 0), dated,
    };
  }

  async activity(req: ActivityRequest, access: CaseAccess = 'all'): Promise<ActivityResponse> {
    const scope = await this.scopeFor(req.scope, access);
    const window = storeWindow(req.window);
    const r = await this.store.linkActivity(scope, window, req.limit);
    return access === 'all' ? r : { ...r, links: await this.cut(r.links, scope, access) };
  }

  async diff(req: DiffRequest, access: CaseAccess = 'all'): Promise<DiffResult> {
    const scope = await this.scopeFor(req.scope, access);
    const [wa, wb] = [storeWindow(req.a, 'a'), storeWindow(req.b, 'b')];
    const [a, b] = await Promise.all([
      this.store.linkActivity(scope, wa, this.limits.diffLinks),
      this.store.linkActivity(scope, wb, this.limits.diffLinks),
    ]);
    if (access !== 'all') [a.links, b.links] = await Promise.all([this.cut(a.links, scope, access), this.cut(b.links, scope, access)]);
    const ids = [...new Set([...a.links, ...b.links].flatMap((l) => [l.from, l.to]))];
    const labels = new Map<string, { type: EntityType; label: string }>();
    for (let i = 0; i < ids.length; i += LABEL_CHUNK) {
      for (const e of (await this.store.subgraph(ids.slice(i, i + LABEL_CHUNK))).entities) labels.set(e.id, { type: e.type, label: e.label });
    }
    const result = diffPeriods(a.links, b.links, { factor: req.factor, minDelta: req.minDelta, labels });
    return a.capped || b.capped ? { ...result, capped: true } : result;
  }

  /**
   * Key players of the scope, computed here (the request waits). Refuses scopes over `syncMaxEdges` links
   * or entities with a clear error: those belong in a job (`keyPlayersJob`).
   */
  async keyPlayers(req: KeyPlayersRequest, access: CaseAccess = 'all'): Promise<KeyPlayersResult> {
    const max = this.limits.syncMaxEdges;
    const graph = await this.scopeGraph(await this.scopeFor(req.scope, access), max, access);
    if (graph.capped) {
      throw new AppError('bad_request', `this scope has more than ${max.toLocaleString('en')} links or entities: compute its key players as a job (POST /api/key-players?async=true)`, {
        max, async: true,
      });
    }
    return { ...keyPlayers(graph, { betweennessSamples: req.betweennessSamples, seed: 1 }), capped: false };
  }

  /** Key players of a scope of up to `jobMaxEdges` links, in a worker thread, reporting betweenness progress. */
  async keyPlayersJob(req: KeyPlayersRequest, onProgress: ProgressFn = () => {}, access: CaseAccess = 'all', scope?: AnalysisScope): Promise<KeyPlayersResult> {
    const graph = await this.scopeGraph(scope ?? (await this.scopeFor(req.scope, access)), this.limits.jobMaxEdges, access);
    const result = await inWorker(graph, { betweennessSamples: req.betweennessSamples, seed: 1 }, onProgress);
    return { ...result, capped: graph.capped };
  }

  /** The scope's graph; for a restricted user's selection, without the links only other cases assert. */
  private async scopeGraph(scope: AnalysisScope, limit: number, access: CaseAccess): Promise<ScopeGraph> {
    const graph = await this.store.scopeGraph(scope, { limit });
    return access === 'all' ? graph : { ...graph, edges: await this.cut(graph.edges, scope, access) };
  }
}

/** The API scope as the store's: exactly one of case and ids (the schema checked it; this narrows the type). */
function storeScope(s: Scope): AnalysisScope {
  if (s.case !== undefined) return { case: s.case };
  if (s.ids !== undefined) return { ids: s.ids };
  throw new AppError('bad_request', 'scope: give either case or ids');
}

/**
 * The window in the stores' form (UTC ISO instants, compared as text). Dates ("2023-10-07", "2023-10") mean
 * their first UTC instant, date-times without an offset are UTC. An end that is no such date, or a window
 * that ends before it starts, is a bad request.
 */
export function storeWindow(w: Window, name = 'window'): TimeWindow {
  const end = (key: 'from' | 'to'): string | undefined => {
    const v = w[key];
    if (v === undefined) return undefined;
    const iso = parseDateProp(v);
    if (iso === null) throw new AppError('bad_request', `${name}.${key}: "${v.slice(0, 40)}" is not an ISO 8601 date or date-time (e.g. 2023-10-07 or 2023-10-07T06:00:00Z)`);
    return iso;
  };
  const out: TimeWindow = { from: end('from'), to: end('to') };
  if (out.from !== undefined && out.to !== undefined && out.from > out.to) throw new AppError('bad_request', `${name}: from (${out.from}) is after to (${out.to})`);
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as TimeWindow;
}

/** Runs keyPlayers in a worker thread; its progress messages are forwarded, its failure rejects. */
function inWorker(graph: ScopeGraph, opts: { betweennessSamples: number; seed: number }, onProgress: ProgressFn): Promise<KeyPlayers> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./key-players.worker.mjs', import.meta.url), {
      workerData: { graph: { nodes: graph.nodes, edges: graph.edges.map((e) => ({ from: e.from, to: e.to, weight: e.weight })) }, opts },
    });
    let settled = false;
    worker.on('message', (m: { progress?: { done: number; total: number }; result?: KeyPlayers }) => {
      if (m.progress) onProgress(m.progress.done, m.progress.total);
      if (m.result) {
        settled = true;
        resolve(m.result);
        void worker.terminate();
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the key-players worker stopped (exit code ${code}) before answering`));
    });
  });
}
