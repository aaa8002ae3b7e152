// Typed client for the Casegraph HTTP API. Response types come from the backend's zod schemas (type-only
// import: zod stays out of the bundle); failures become ApiError carrying the server's stable `code`.
import type { Job, JobProgress } from '../../backend/src/services/jobs.service.ts';
// GraphView is the wire form (WireGraphView): links without props omit them, phones' search aliases are left out
import { expandView, type CompactGraphView } from '../../backend/src/model/compact-view.ts';
import type { Annotation, ApplyResult, CaseSummary, Counts, EntityDetail, WireGraphView as GraphView, SearchHit } from '../../backend/src/model/schemas.ts';
import type { AppliedText, ApplyText, Candidate, CandidateMatch, Extraction, ProposedLink } from '../../backend/src/text/text.schema.ts';

export type { Annotation, ApplyResult, CaseSummary, EntityDetail, GraphView, SearchHit };

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

export interface PathsQuery {
  from: string;
  to: string;
  /** at most this many hops (1–6) */
  k: number;
  mode: 'shortest' | 'all';
  linkTypes?: string[];
  maxPaths?: number;
}

/** One path: its entities in order from `from` to `to`, and the links between consecutive ones. */
export interface PathHop {
  entities: string[];
  links: string[];
}

export interface PathsResult {
  paths: PathHop[];
  /** entities with more links than the search followed */
  hubs: string[];
  truncated: boolean;
  /** plain-language summary, e.g. "No path within 3 hops." */
  message: string;
  view: GraphView;
}

export interface CommonNeighboursResult {
  common: string[];
  hubs: string[];
  view: GraphView;
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
  paths(query: PathsQuery): Promise<PathsResult>;
  commonNeighbours(ids: string[], linkTypes?: string[]): Promise<CommonNeighboursResult>;
  /** the given entities (merges applied) and every link among them, in as many requests as the URL limit needs */
  subgraph(ids: string[]): Promise<GraphView>;
  addNote(entityId: string, text: string): Promise<Annotation>;
  /** records that `merge` is the same entity as `keep` (409 when already one, 400 when types differ) */
  merge(keep: string, merge: string, reason?: string): Promise<Annotation>;
  unmerge(mergeAnnotationId: string): Promise<Annotation>;
  /** report prose (pasted text or a .txt/.md/.html/.pdf file's bytes) → candidate entities to review */
  extractText(body: Blob | string, query: TextExtractQuery, signal?: AbortSignal): Promise<Extraction>;
  /** writes the reviewed candidates and confirmed links in one transaction */
  applyText(body: ApplyText): Promise<AppliedText>;
}

export type { AppliedText, ApplyText, Candidate, CandidateMatch, Extraction, ProposedLink };

export interface TextExtractQuery {
  /** the document's file name (its extension says how to read it) */
  name: string;
  case: string;
  /** ISO date relative dates ("yesterday") are resolved against */
  reportDate?: string;
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

/**
 * What the explorer does when the server answers 401 (signed out, or the session ended): shows the sign-in
 * form and resolves once someone signed in again (the request is then sent once more), or rejects to let
 * the request fail. Set once by the explorer (main.ts); without it a 401 is an ordinary ApiError.
 */
export type SessionLostHandler = () => Promise<void>;

let sessionLost: SessionLostHandler | null = null;

/** Installs (or, with null, removes) the handler every client calls on a 401. */
export function onSessionLost(handler: SessionLostHandler | null): void {
  sessionLost = handler;
}

/**
 * After a 401 answer: waits for the sign-in (true: send the request again), or answers false when nobody
 * handles lost sessions. Rejects with the abort when the caller gave up meanwhile.
 */
async function reauthenticated(signal?: AbortSignal | null): Promise<boolean> {
  if (!sessionLost) return false;
  await sessionLost();
  if (signal?.aborted) throw new DOMException('The request was cancelled', 'AbortError');
  return true;
}

/**
 * The one way the clients reach the server: a network failure becomes ApiError('network'), an error
 * answer becomes the server's ApiError; `json` also asks for and reads JSON. A 401 brings the sign-in form
 * (see onSessionLost) and the request is sent again once signed in — unless `reauth` is off (the sign-in
 * calls themselves).
 */
function transport(base: string, fetchImpl: typeof fetch, opts: { reauth?: boolean } = {}) {
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetchImpl(base + path, init);
      } catch (err) {
        if (isAbort(err)) throw err;
        throw new ApiError('network', 0, `Cannot reach the Casegraph server (${(err as Error).message})`);
      }
      if (res.status === 401 && opts.reauth !== false && sessionLost && attempt < 2) {
        // the answer's body is not needed: the same request goes again once signed in
        void res.body?.cancel().catch(() => undefined);
        await reauthenticated(init.signal);
        continue;
      }
      if (!res.ok) throw await errorFrom(res);
      return res;
    }
  }
  async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await send(path, { ...init, headers: { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) } });
    return (await res.json()) as T;
  }
  return { send, json };
}

/** Builds a client for the API under `base` (same origin by default). */
export function createApi(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): Api {
  const request = transport(base, fetchImpl).json;
  const enc = encodeURIComponent;
  /** A JSON POST (the server records the signed-in user as who acts). */
  const post = <T>(path: string, body?: unknown): Promise<T> =>
    request<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  /** ids joined with literal commas: every character counts against the URL limit */
  const idList = (ids: readonly string[]) => ids.map(enc).join(',');

  /** One request whatever the view's size: the ids travel in a JSON body, not the URL. */
  async function subgraph(ids: string[]): Promise<GraphView> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return { entities: [], links: [], capped: false };
    return expandView(await post<CompactGraphView>('/api/subgraph?shape=compact', { ids: unique }));
  }
  /** Views travel as rows (about half the bytes of objects) and are expanded here, once. */
  const view = async (path: string) => expandView(await request<CompactGraphView>(path));

  return {
    health: () => request<Health>('/api/health'),
    cases: async () => (await request<{ cases: CaseSummary[] }>('/api/cases')).cases,
    overview: (caseName, limit = 2000) => view(`/api/cases/${enc(caseName)}/overview${queryString({ limit, shape: 'compact' })}`),
    search: async (q, opts = {}) =>
      (await request<{ hits: SearchHit[] }>(`/api/search${queryString({ q, limit: opts.limit ?? 20, types: opts.types })}`, { signal: opts.signal })).hits,
    entity: (id) => request<EntityDetail>(`/api/entities/${enc(id)}`),
    neighbours: (id, q = {}) =>
      view(
        `/api/entities/${enc(id)}/neighbours${queryString({
          depth: q.depth ?? 1,
          limit: q.limit ?? 500,
          offset: q.offset ?? 0,
          entityTypes: q.entityTypes,
          linkTypes: q.linkTypes,
          shape: 'compact',
        })}`,
      ),
    importFile: (name, body, caseName) =>
      request<ApplyResult>(`/api/imports${queryString({ name, case: caseName })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
        body,
      }),
    paths: (q) =>
      request<PathsResult>(`/api/paths${queryString({ from: q.from, to: q.to, k: q.k, mode: q.mode, linkTypes: q.linkTypes, maxPaths: q.maxPaths })}`),
    commonNeighbours: (ids, linkTypes) => request<CommonNeighboursResult>(`/api/common-neighbours?ids=${idList(ids)}${linkTypes?.length ? `&linkTypes=${linkTypes.join(',')}` : ''}`),
    subgraph,
    addNote: (entityId, text) => post<Annotation>(`/api/entities/${enc(entityId)}/notes`, { text }),
    merge: (keep, merge, reason) => post<Annotation>('/api/merges', reason ? { keep, merge, reason } : { keep, merge }),
    unmerge: (annotationId) => post<Annotation>(`/api/merges/${enc(annotationId)}/undo`),
    extractText: (body, q, signal) =>
      request<Extraction>(`/api/text/extract${queryString({ name: q.name, case: q.case, reportDate: q.reportDate })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
        body,
        signal,
      }),
    applyText: (body) => post<AppliedText>('/api/text/apply', body),
  };
}

// ---------------------------------------------------------------- import dialog and cross-device hits
// (client functions for panels/import.ts, panels/import-mapping.ts and panels/hits.ts)

export type CdrMapping = import('../../backend/src/importers/cdr/cdr.mapping.ts').CdrMapping;
export type CdrMappingInput = import('../../backend/src/importers/cdr/cdr.mapping.ts').CdrMappingInput;
export type CdrColumns = import('../../backend/src/importers/cdr/cdr.mapping.ts').CdrColumns;
export type CrossDeviceHit = import('../../backend/src/model/schemas.ts').CrossDeviceHit;

/** An import format the server reads. */
export interface FormatInfo {
  format: string;
  description: string;
}

/** The result of one import: ApplyResult plus what was read. */
export interface ImportOutcome extends ApplyResult {
  format: string;
  file: string;
  sha256: string;
}

export type { JobProgress };

/** A background import (`POST /api/imports?async=true`, then `GET /api/jobs/:id`): the server's Job shape. */
export type ImportJob = Job<ImportOutcome>;

/** A CDR mapping proposed from a file's head, with the header cells as read. */
export interface InferredMapping {
  mapping: CdrMapping;
  warnings: string[];
  header: string[];
}

export type SavedMapping = CdrMapping & { name: string };

export interface UploadQuery {
  name: string;
  case?: string;
  /** name of a saved CDR mapping */
  mapping?: string;
  /** the seized handset an Android/iOS database came from (these files carry no IMEI) */
  deviceImei?: string;
  deviceNumber?: string;
}

export interface ImportClient {
  formats(): Promise<FormatInfo[]>;
  /** detects the format from the head of a file (send at most 64 KiB) */
  detect(name: string, head: Blob): Promise<FormatInfo>;
  /** proposes a CDR mapping from the head of a CSV (send at most 64 KiB) */
  inferCdr(name: string, head: Blob): Promise<InferredMapping>;
  mappings(): Promise<SavedMapping[]>;
  saveMapping(name: string, mapping: CdrMappingInput): Promise<SavedMapping>;
  /** uploads a file as a background import; `onUpload` reports bytes sent. Resolves with the job (202). */
  upload(file: Blob, query: UploadQuery, onUpload?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<ImportJob>;
  job(id: string): Promise<ImportJob>;
  crossDeviceHits(query: { case?: string; minDevices?: number; limit?: number }, signal?: AbortSignal): Promise<CrossDeviceHit[]>;
}

/** The error carried by an XMLHttpRequest's answer, shaped like `errorFrom`'s. */
function xhrError(xhr: XMLHttpRequest): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && 'message' in body) {
    const b = body as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(String(b.code ?? 'error'), xhr.status, String(b.message), b.details);
  }
  return new ApiError('http_' + xhr.status, xhr.status, `${xhr.status} ${xhr.statusText || 'request failed'}`);
}

/** Client for the import, mapping, job and cross-device-hit routes under `base`. */
export function createImportClient(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): ImportClient {
  const request = transport(base, fetchImpl).json;
  const enc = encodeURIComponent;
  const binary = (body: Blob): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
  /** One upload through XMLHttpRequest (fetch reports no upload progress). */
  const uploadOnce = (file: Blob, query: UploadQuery, onUpload?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<ImportJob> =>
    new Promise<ImportJob>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${base}/api/imports${queryString({ name: query.name, case: query.case, mapping: query.mapping, deviceImei: query.deviceImei, deviceNumber: query.deviceNumber, async: 'true' })}`);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('accept', 'application/json');
      if (onUpload) xhr.upload.addEventListener('progress', (ev) => onUpload(ev.loaded, ev.lengthComputable ? ev.total : file.size));
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as ImportJob);
          } catch {
            reject(new ApiError('http_' + xhr.status, xhr.status, 'the server answered the upload with something that is not JSON'));
          }
        } else {
          reject(xhrError(xhr));
        }
      });
      xhr.addEventListener('error', () => reject(new ApiError('network', 0, 'Cannot reach the Casegraph server (the upload was interrupted)')));
      xhr.addEventListener('abort', () => reject(new DOMException('upload aborted', 'AbortError')));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });

  return {
    formats: async () => (await request<{ formats: FormatInfo[] }>('/api/formats')).formats,
    detect: (name, head) => request<FormatInfo>(`/api/imports/detect${queryString({ name })}`, binary(head)),
    inferCdr: (name, head) => request<InferredMapping>(`/api/imports/cdr/infer${queryString({ name })}`, binary(head)),
    mappings: async () => (await request<{ mappings: SavedMapping[] }>('/api/mappings')).mappings,
    saveMapping: (name, mapping) =>
      request<SavedMapping>(`/api/mappings/${enc(name)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mapping) }),
    async upload(file, query, onUpload, signal) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await uploadOnce(file, query, onUpload, signal);
        } catch (err) {
          // signed out meanwhile: the file goes again once signed in (see onSessionLost)
          if (err instanceof ApiError && err.status === 401 && attempt < 2 && (await reauthenticated(signal))) continue;
          throw err;
        }
      }
    },
    job: (id) => request<ImportJob>(`/api/jobs/${enc(id)}`),
    crossDeviceHits: async (q, signal) =>
      (await request<{ hits: CrossDeviceHit[] }>(`/api/cross-device-hits${queryString({ case: q.case, minDevices: q.minDevices ?? 2, limit: q.limit ?? 100 })}`, { signal })).hits,
  };
}

// ---------------------------------------------------------------- export and snapshots
// (client functions for panels/export.ts and panels/snapshot.ts)

/** A server-side export format (`GET /api/exports/formats`). */
export interface ExportFormatInfo {
  format: string;
  ext: string;
  contentType: string;
  description: string;
  readable: boolean;
  roundTrip: string;
}

/** The body of `POST /api/exports` (and, without `format`, `POST /api/snapshots`). */
export interface ExportRequestBody {
  format: 'snapshot' | 'graphml' | 'gexf' | 'cyjs' | 'csv' | 'ftm';
  ids?: string[];
  case?: string;
  positions?: Record<string, { x: number; y: number }>;
  redactVictims?: boolean;
  reason?: string;
  view?: Record<string, unknown>;
}

/** A finished download: the bytes and what the server said about them. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string;
  /** X-Casegraph-Redacted: "victims=N" or "no" */
  redacted: string | null;
  /** X-Casegraph-Counts: "entities=…; links=…; events=…; sources=…" */
  counts: string | null;
}

/** Bytes received so far; `total` when the server sent Content-Length. */
export type DownloadProgress = (received: number, total: number | null) => void;

/** The answer of `POST /api/snapshots/open`. */
export interface OpenedSnapshot {
  view?: Record<string, unknown>;
  entityIds?: string[];
  manifest?: unknown;
  format: string;
  file: string;
  sha256: string;
  provenance: 'original' | 'file';
  result: {
    status: ApplyResult['status'];
    entities: { created: number; merged: number };
    links: { created: number; merged: number };
    events: { created: number; merged: number };
    merges: number;
    warnings: string[];
  };
}

export interface ExchangeClient {
  formats(): Promise<ExportFormatInfo[]>;
  /** POST /api/exports (or /api/snapshots with `snapshot: true`), read as a stream with progress */
  download(body: ExportRequestBody, onProgress?: DownloadProgress, signal?: AbortSignal, snapshot?: boolean): Promise<DownloadedFile>;
  /** uploads a snapshot (or a readable export) and answers its view state and what was imported */
  openSnapshot(file: Blob, name: string, signal?: AbortSignal, onProgress?: (p: JobProgress) => void): Promise<OpenedSnapshot>;
}

/** The file name of a Content-Disposition header (RFC 6266: `filename*` first), or null. */
export function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the ASCII name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? plain[1].trim() : null;
}

/** Client for the export and snapshot routes under `base`. */
export function createExchangeClient(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): ExchangeClient {
  const { send } = transport(base, fetchImpl);

  return {
    formats: async () => ((await (await send('/api/exports/formats', { headers: { accept: 'application/json' } })).json()) as { formats: ExportFormatInfo[] }).formats,
    async download(body, onProgress, signal, snapshot = false) {
      const { format, ...rest } = body;
      const res = await send(snapshot ? '/api/snapshots' : '/api/exports', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(snapshot ? rest : body),
        signal,
      });
      const length = Number(res.headers.get('content-length'));
      const total = Number.isFinite(length) && length > 0 ? length : null;
      const chunks: Uint8Array[] = [];
      let received = 0;
      onProgress?.(0, total);
      if (res.body) {
        const reader = res.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            received += value.byteLength;
            onProgress?.(received, total);
          }
        } catch (err) {
          if (isAbort(err)) throw err;
          throw new ApiError('network', 0, `The download was interrupted after ${received} bytes (${(err as Error).message})`);
        }
      } else {
        const buf = new Uint8Array(await res.arrayBuffer());
        chunks.push(buf);
        received = buf.byteLength;
        onProgress?.(received, total);
      }
      const type = res.headers.get('content-type') ?? 'application/octet-stream';
      return {
        blob: new Blob(chunks as BlobPart[], { type }),
        fileName: dispositionName(res.headers.get('content-disposition')) ?? `casegraph-export.${format}`,
        redacted: res.headers.get('x-casegraph-redacted'),
        counts: res.headers.get('x-casegraph-counts'),
      };
    },
    async openSnapshot(file, name, signal, onProgress) {
      // opened as a job: the server counts the records it has written (of the manifest's total) while we poll
      let job = (await (
        await send(`/api/snapshots/open${queryString({ name, async: 'true' })}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
          body: file,
          signal,
        })
      ).json()) as Job<OpenedSnapshot>;
      while (job.state === 'running') {
        onProgress?.(job.progress);
        await new Promise((r) => setTimeout(r, 150));
        if (signal?.aborted) throw new DOMException('The opening was cancelled', 'AbortError');
        job = (await (await send(`/api/jobs/${encodeURIComponent(job.id)}`, { headers: { accept: 'application/json' }, signal })).json()) as Job<OpenedSnapshot>;
      }
      onProgress?.(job.progress);
      if (job.state === 'failed' || !job.result) throw new ApiError(job.error?.code ?? 'internal', 422, job.error?.message ?? 'opening failed', job.error?.details);
      return job.result;
    },
  };
}

// ---------------------------------------------------------------- timeline, link activity and period diff
// (client functions for panels/timeline.ts and panels/diff.ts; shapes from backend/src/analysis/analysis.schema.ts)

export type Timeline = import('../../backend/src/analysis/analysis.schema.ts').Timeline;
export type TimelineBucket = import('../../backend/src/analysis/analysis.schema.ts').TimelineBucket;
export type TimeBucket = import('../../backend/src/analysis/analysis.schema.ts').Bucket;
export type TimeWindow = import('../../backend/src/analysis/analysis.schema.ts').Window;
export type AnalysisScope = import('../../backend/src/analysis/analysis.schema.ts').Scope;
export type LinkActivity = import('../../backend/src/analysis/analysis.schema.ts').LinkActivity;
export type ActivityResponse = import('../../backend/src/analysis/analysis.schema.ts').ActivityResponse;
export type DiffResult = import('../../backend/src/analysis/analysis.schema.ts').DiffResult;
export type DiffStatus = import('../../backend/src/analysis/analysis.schema.ts').DiffStatus;
/** request bodies as sent (defaults filled in by the server) */
export type TimelineQuery = import('zod').input<typeof import('../../backend/src/analysis/analysis.schema.ts').TimelineRequest>;
export type ActivityQuery = import('zod').input<typeof import('../../backend/src/analysis/analysis.schema.ts').ActivityRequest>;
export type DiffQuery = import('zod').input<typeof import('../../backend/src/analysis/analysis.schema.ts').DiffRequest>;

export interface TimelineClient {
  timeline(query: TimelineQuery, signal?: AbortSignal): Promise<Timeline>;
  activity(query: ActivityQuery, signal?: AbortSignal): Promise<ActivityResponse>;
  diff(query: DiffQuery, signal?: AbortSignal): Promise<DiffResult>;
}

/** Client for `POST /api/timeline`, `/api/activity` and `/api/diff` under `base`. */
export function createTimelineClient(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): TimelineClient {
  const { json } = transport(base, fetchImpl);
  const post = <T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> =>
    json<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  return {
    timeline: (q, signal) => post<Timeline>('/api/timeline', q, signal),
    activity: (q, signal) => post<ActivityResponse>('/api/activity', q, signal),
    diff: (q, signal) => post<DiffResult>('/api/diff', q, signal),
  };
}

// ---------------------------------------------------------------- key players of a whole case
// (client functions for panels/key-players.ts: a background job, polled like imports)

export type KeyPlayers = import('../../backend/src/analysis/analysis.schema.ts').KeyPlayers;
export type KeyPlayersJob = Job<KeyPlayers>;

export interface KeyPlayersClient {
  /** starts `POST /api/key-players?async=true` for `scope`; resolves with the job (202) */
  start(scope: AnalysisScope): Promise<KeyPlayersJob>;
  job(id: string): Promise<KeyPlayersJob>;
}

/** Client for the key-players job routes under `base`. */
export function createKeyPlayersClient(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): KeyPlayersClient {
  const request = transport(base, fetchImpl).json;
  return {
    start: (scope) => request<KeyPlayersJob>('/api/key-players?async=true', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope }) }),
    job: (id) => request<KeyPlayersJob>(`/api/jobs/${encodeURIComponent(id)}`),
  };
}

// ---------------------------------------------------------------- accounts: sign-in, users, audit trail
// (client functions for panels/sign-in.ts, panels/user.ts and panels/admin.ts; shapes from
// backend/src/api/auth.routes.ts)

/** The signed-in user: name, role and the cases granted ('all' for admins). */
export type Me = import('zod').infer<typeof import('../../backend/src/api/auth.routes.ts').Me>;
export type Role = Me['role'];
export type UserView = import('zod').infer<typeof import('../../backend/src/api/auth.routes.ts').UserView>;
export type AuditEntry = import('zod').infer<typeof import('../../backend/src/api/auth.routes.ts').AuditEntryView>;
export type AuditOutcome = AuditEntry['outcome'];

/** The filters of the audit trail (all optional; `from`/`to` are ISO dates or date-times, `to` exclusive). */
export type AuditFilter = Omit<import('../../backend/src/auth/auth.store.ts').AuditQuery, 'before' | 'limit'>;

export interface AuditVerification {
  entries: number;
  ok: boolean;
  brokenAt?: number;
}

export interface NewUser {
  name: string;
  role: Role;
  password: string;
  cases?: string[];
}

export interface UserChange {
  role?: Role;
  password?: string;
  disabled?: boolean;
  cases?: string[];
}

export interface AuthClient {
  /** who is signed in; ApiError 401 when nobody (never brings the sign-in form by itself) */
  me(): Promise<Me>;
  /** 401 for a wrong name or password, 429 (details.retryAfterSeconds) after too many failures */
  login(user: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  /** 403 when `current` is wrong, 400 when `next` is too weak */
  changePassword(current: string, next: string): Promise<void>;
  users(): Promise<UserView[]>;
  addUser(user: NewUser): Promise<UserView>;
  updateUser(name: string, change: UserChange): Promise<UserView>;
  /** entries newest first; `before` pages back (a seq) */
  audit(filter: AuditFilter, page?: { before?: number; limit?: number }): Promise<AuditEntry[]>;
  verifyAudit(): Promise<AuditVerification>;
  /** where the JSON-lines export of the entries matching `filter` downloads from (a plain link) */
  auditExportUrl(filter: AuditFilter): string;
}

/** Client for the sign-in, user and audit routes under `base`. */
export function createAuthClient(base = '', fetchImpl: typeof fetch = (...args) => fetch(...args)): AuthClient {
  // signing in must not bring the sign-in form again: the form handles those answers itself
  const signIn = transport(base, fetchImpl, { reauth: false }).json;
  const request = transport(base, fetchImpl).json;
  const enc = encodeURIComponent;
  const body = (method: string, data: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
  const filterQuery = (f: AuditFilter): Record<string, QueryValue> => ({ actor: f.actor, action: f.action, case: f.case, outcome: f.outcome, from: f.from, to: f.to });
  return {
    me: () => signIn<Me>('/api/auth/me'),
    login: (user, password) => signIn<Me>('/api/auth/login', body('POST', { user, password })),
    logout: async () => void (await signIn<unknown>('/api/auth/logout', body('POST', {}))),
    changePassword: async (current, next) => void (await request<unknown>('/api/auth/password', body('POST', { current, next }))),
    users: async () => (await request<{ users: UserView[] }>('/api/users')).users,
    addUser: (user) => request<UserView>('/api/users', body('POST', user)),
    updateUser: (name, change) => request<UserView>(`/api/users/${enc(name)}`, body('PUT', change)),
    audit: async (f, page = {}) => (await request<{ entries: AuditEntry[] }>(`/api/audit${queryString({ ...filterQuery(f), before: page.before, limit: page.limit })}`)).entries,
    verifyAudit: () => request<AuditVerification>('/api/audit/verify'),
    auditExportUrl: (f) => `${base}/api/audit/export${queryString(filterQuery(f))}`,
  };
}
