// Typed client for the Casegraph HTTP API. Response types come from the backend's zod schemas (type-only
// import: zod stays out of the bundle); failures become ApiError carrying the server's stable `code`.
import type { ApplyResult, CaseSummary, Counts, EntityDetail, GraphView, SearchHit } from '../../backend/src/model/schemas.ts';

export type { ApplyResult, CaseSummary, EntityDetail, GraphView, SearchHit };

export interface Health {
  status: string;
  store: { store: string; status: string; version?: string };
  counts: Counts;
}

export interface NeighbourQuery {
  depth?: number;
  limit?: number;
  offset?: number;
  entityTypes?: string[];
  linkTypes?: string[];
}

/** An error answered by the API (`{code, message, details}`) or a network failure (`code: 'network'`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** True for the rejection of a request that a newer one superseded: callers ignore it silently. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export interface Api {
  health(): Promise<Health>;
  cases(): Promise<CaseSummary[]>;
  overview(caseName: string, limit?: number): Promise<GraphView>;
  search(q: string, opts?: { limit?: number; types?: string[]; signal?: AbortSignal }): Promise<SearchHit[]>;
  entity(id: string): Promise<EntityDetail>;
  neighbours(id: string, query?: NeighbourQuery): Promise<GraphView>;
  importFile(name: string, body: Blob | ArrayBuffer | string, caseName?: string): Promise<ApplyResult>;
}

type QueryValue = string | number | string[] | undefined;

function queryString(params: Record<string, QueryValue>): string {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) qs.set(key, value.join(','));
    } else {
      qs.set(key, String(value));
    }
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && 'message' in body) {
    const b = body as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(String(b.code ?? 'error'), res.status, String(b.message), b.details);
  }
  return new ApiError('http_' + res.status, res.status, `${res.status} ${res.statusText || 'request failed'}`);
}

/** Builds a client for the API under `base` (same origin by default). */
export function createApi(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): Api {
  async function request<T>(path: string, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetchImpl(base + path, { headers: { accept: 'application/json' }, ...init });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError('network', 0, `Cannot reach the Casegraph server (${(err as Error).message})`);
    }
    if (!res.ok) throw await errorFrom(res);
    return (await res.json()) as T;
  }
  const enc = encodeURIComponent;

  return {
    health: () => request<Health>('/api/health'),
    cases: async () => (await request<{ cases: CaseSummary[] }>('/api/cases')).cases,
    overview: (caseName, limit = 2000) => request<GraphView>(`/api/cases/${enc(caseName)}/overview${queryString({ limit })}`),
    search: async (q, opts = {}) =>
      (await request<{ hits: SearchHit[] }>(`/api/search${queryString({ q, limit: opts.limit ?? 20, types: opts.types })}`, { signal: opts.signal })).hits,
    entity: (id) => request<EntityDetail>(`/api/entities/${enc(id)}`),
    neighbours: (id, q = {}) =>
      request<GraphView>(
        `/api/entities/${enc(id)}/neighbours${queryString({
          depth: q.depth ?? 1,
          limit: q.limit ?? 500,
          offset: q.offset ?? 0,
          entityTypes: q.entityTypes,
          linkTypes: q.linkTypes,
        })}`,
      ),
    importFile: (name, body, caseName) =>
      request<ApplyResult>(`/api/imports${queryString({ name, case: caseName })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
        body,
      }),
  };
}
