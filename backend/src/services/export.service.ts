// Export and open use cases. Export: collect the scope (a view's ids, a case, or the store), redact
// victims unless told not to (turning redaction off is recorded first, as an `unredaction` annotation),
// stream the chosen format to any writable while hashing it, then record the export (who, when, scope,
// format, count, SHA-256 of the bytes) as an `export` annotation once the stream has finished — or, if
// the receiver went away, a record marked incomplete with the hash of what was sent.
// Open: read a snapshot or another exchange file and write each original source in its own transaction
// (idempotent: a source already in the store is skipped), re-applying a snapshot's merges.
import { randomBytes } from 'node:crypto';
import { open as openFile, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { AppError } from '../errors.ts';
import type { Positions } from '../exchange/columns.ts';
import { writeCsvZip } from '../exchange/csv/csv.writer.ts';
import { writeCyjs } from '../exchange/cyjs/cyjs.writer.ts';
import { FORMAT_SPECS, type ExportFormat } from '../exchange/formats.ts';
import { writeFtm } from '../exchange/ftm/ftm.writer.ts';
import { writeGexf } from '../exchange/gexf/gexf.writer.ts';
import { writeGraphml, type GraphWriteOptions } from '../exchange/graphml/graphml.writer.ts';
import { findExchangeImporter } from '../exchange/importers.ts';
import type { ExchangeRead } from '../exchange/exchange-importer.ts';
import { findMasked, redactScope, type Redaction } from '../exchange/redact.ts';
import { collectScope, scopeCounts, type Scope } from '../exchange/scope.ts';
import { Sink } from '../exchange/sink.ts';
import type { SnapshotManifest, SnapshotMeta } from '../exchange/snapshot/snapshot.schema.ts';
import { writeSnapshot } from '../exchange/snapshot/snapshot.writer.ts';
import type { ImportContext, ImportInput, ParsedSource } from '../importers/types.ts';
import type { BatchChunk } from '../model/index.ts';
import type { GraphStore } from '../storage/port.ts';
import type { CaseAccess } from '../auth/access.ts';
import { requireWritableCase } from './case-access.ts';
import type { JobProgress } from './jobs.service.ts';
import type { GraphService } from './graph.service.ts';
import { Resolution } from './resolution.ts';
import { hashFile, withProgress } from './import.service.ts';

export interface ExportRequest {
  format: ExportFormat;
  /** the entities in view; omitted: the whole case (or the whole store without `case`) */
  ids?: string[];
  case?: string;
  /** view positions by entity id (GraphML x/y, GEXF viz:position, Cytoscape position) */
  positions?: Positions;
  /** default true; false writes victims' names and numbers and is recorded as an unredaction */
  redactVictims?: boolean;
  /** why redaction was turned off (kept in the unredaction record) */
  reason?: string;
  /** snapshot: the UI view state */
  view?: Record<string, unknown>;
}

/** What the export log records (the `text` of the `export` annotation, as JSON). */
export interface ExportRecord {
  format: ExportFormat;
  scope: Scope['kind'];
  case?: string;
  ids?: number;
  /** entities + links written */
  count: number;
  counts: { entities: number; links: number; events: number; sources: number };
  sha256: string;
  bytes: number;
  redacted: boolean;
  victims: number;
  file: string;
  /** false when the receiver went away before the end (sha256 is then of the bytes sent) */
  complete: boolean;
  annotationId?: string;
}

export interface PreparedExport {
  fileName: string;
  contentType: string;
  counts: ExportRecord['counts'];
  redacted: boolean;
  victims: number;
  /** streams the file into `out` (ending it) and records the export */
  write(out: Writable): Promise<ExportRecord>;
}

export interface OpenedSource {
  name: string;
  kind: string;
  case: string;
  sha256: string;
  status: 'applied' | 'already_imported';
  entities: { created: number; merged: number };
  links: { created: number; merged: number };
  events: { created: number; merged: number };
  /** records of this source in the file that the store lacks although it already has the source (see `warnings`) */
  missing?: number;
}

export interface OpenResult {
  format: string;
  file: string;
  sha256: string;
  provenance: 'original' | 'file';
  view?: Record<string, unknown>;
  entityIds?: string[];
  manifest?: SnapshotManifest;
  result: {
    status: 'applied' | 'already_imported';
    sources: OpenedSource[];
    entities: { created: number; merged: number };
    links: { created: number; merged: number };
    events: { created: number; merged: number };
    merges: number;
    warnings: string[];
  };
}

export interface ExportServiceDeps {
  store: GraphStore;
  /** when given, a snapshot's merges are re-applied through it (so its cached merge view is refreshed) */
  graph?: GraphService;
  clock?: () => Date;
  /** e.g. "Casegraph 0.1.0" */
  generator?: string;
  /** case and phone region for third-party files that name neither */
  defaultCase?: string;
  region?: string;
  /** pseudonym key for redaction (tests); random per export otherwise */
  redactionSalt?: string;
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
const slug = (s: string) => s.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'export';

export class ExportService {
  private readonly clock: () => Date;
  constructor(private readonly deps: ExportServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Collects and redacts the scope, and records an unredaction before anything is written. The caller
   * sets headers from the result, then calls `write`. `access`: the cases of the exporting user (default
   * all): a restricted user exports only what their cases' sources assert (see collectScope).
   */
  async prepare(req: ExportRequest, by: string, access: CaseAccess = 'all'): Promise<PreparedExport> {
    const spec = FORMAT_SPECS[req.format];
    if (!spec) throw new AppError('bad_request', `unknown export format "${String(req.format)}"`);
    const redact = req.redactVictims !== false;
    const raw = await collectScope(this.deps.store, { ids: req.ids, case: req.case, ...(access === 'all' ? {} : { cases: [...access] }) });
    const r: Redaction = redact ? redactScope(raw, { salt: this.deps.redactionSalt }) : { scope: raw, victims: 0, masked: 0, idMap: new Map(), scrub: (s) => s, mapJson: (v) => v };
    const scope = r.scope;
    if (r.victims > 0) {
      // a redacted copy is a different dataset from the sources it was made from: it keeps their file sha256
      // and locators (provenance) but goes to a case of its own, so it never collides with the originals
      // (or with another redacted export of them) in a store that opens it
      const tag = ` [redacted ${randomBytes(4).toString('hex')}]`;
      scope.sources = scope.sources.map((s) => ({ ...s, case: `${s.case.slice(0, 120 - tag.length)}${tag}` }));
    }
    const now = this.clock();
    const counts = scopeCounts(scope);
    const where = raw.case ?? raw.kind;
    const fileName = `casegraph-${slug(where)}-${stamp(now)}${redact ? '' : '-UNREDACTED'}.${spec.ext}`;
    const entityId = raw.case ?? (raw.kind === 'view' ? 'view' : 'store');
    const base = { format: req.format, scope: raw.kind, ...(raw.case ? { case: raw.case } : {}), ...(raw.ids ? { ids: raw.ids.length } : {}), count: counts.entities + counts.links, counts };
    if (!redact) {
      const victims = findMasked(raw).victims.length;
      await this.deps.store.appendAnnotation({
        kind: 'unredaction', entityId, by, at: now.toISOString(),
        text: JSON.stringify({ ...base, victims, file: fileName, ...(req.reason ? { reason: req.reason.slice(0, 2000) } : {}) }),
      });
    }
    const meta: Omit<SnapshotMeta, 'counts'> = {
      createdAt: now.toISOString(), createdBy: by, generator: this.deps.generator ?? 'Casegraph', redacted: redact, victimsRedacted: r.victims,
      scope: { kind: raw.kind, ...(raw.case ? { case: raw.case } : {}), ids: raw.ids?.length ?? 0 },
    };
    const positions = req.positions && r.idMap.size
      ? Object.fromEntries(Object.entries(req.positions).map(([id, p]) => [r.idMap.get(id) ?? id, p]))
      : req.positions;
    const record = async (sent: { bytes: number; sha256: string }, complete: boolean): Promise<ExportRecord> => {
      const rec: ExportRecord = { ...base, sha256: sent.sha256, bytes: sent.bytes, redacted: redact, victims: r.victims, file: fileName, complete };
      const a = await this.deps.store.appendAnnotation({ kind: 'export', entityId, text: JSON.stringify(rec), by, at: this.clock().toISOString() });
      return { ...rec, annotationId: a.id };
    };
    const write = async (out: Writable): Promise<ExportRecord> => {
      const sink = new Sink(out);
      let sent: { bytes: number; sha256: string };
      try {
        await this.writeFormat(req.format, scope, sink, { meta, positions }, req, r);
        sent = await sink.end();
      } catch (err) {
        // bytes may already have left: record what was sent, and break the stream so no one mistakes it for a whole file
        await record(sink.partial(), false).catch(() => undefined);
        out.destroy();
        throw err;
      }
      return record(sent, true);
    };
    return { fileName, contentType: spec.contentType, counts, redacted: redact, victims: r.victims, write };
  }

  /** Collects, redacts, writes and records in one call (CLI, tests). */
  async exportTo(req: ExportRequest, out: Writable, by: string, access: CaseAccess = 'all'): Promise<ExportRecord> {
    return (await this.prepare(req, by, access)).write(out);
  }

  private async writeFormat(format: ExportFormat, scope: Scope, sink: Sink, o: GraphWriteOptions, req: ExportRequest, r: Redaction): Promise<void> {
    switch (format) {
      case 'snapshot': {
        const view = (r.mapJson(req.view ?? {}) ?? {}) as Record<string, unknown>;
        await writeSnapshot(scope, sink, { meta: o.meta, view, entityIds: scope.ids ?? [...scope.entities.keys()] });
        return;
      }
      case 'graphml':
        return writeGraphml(scope, sink, o);
      case 'gexf':
        return writeGexf(scope, sink, o);
      case 'cyjs':
        return writeCyjs(scope, sink, o);
      case 'csv':
        return writeCsvZip(scope, sink, o);
      case 'ftm':
        return writeFtm(scope, sink, o);
    }
  }

  /** Opens a file on disk (hashing it first). */
  async openPath(path: string, name: string, opts: { case?: string; by: string; format?: string }): Promise<OpenResult> {
    const info = await stat(path).catch(() => {
      throw new AppError('not_found', `${name}: file not found`);
    });
    if (!info.isFile()) throw new AppError('bad_request', `${name}: not a regular file`);
    return this.open({ name, path, sha256: await hashFile(path), size: info.size }, opts);
  }

  /**
   * Writes every source of an exchange file into the store, each in its own transaction, in the file's
   * order. The whole file is read and checked before the first source is written (a snapshot against
   * its manifest); a source the store already has is skipped, so opening a file twice changes nothing.
   * `access`: the cases the user may write into (default all); a file with a source in any other case is
   * refused whole (403) before anything is written, and only merges among entities they see are restored.
   */
  async open(input: ImportInput, opts: { case?: string; by: string; format?: string; onProgress?: (p: JobProgress) => void; access?: CaseAccess }): Promise<OpenResult> {
    const access = opts.access ?? 'all';
    if (opts.case !== undefined) requireWritableCase(access, opts.case);
    const fh = await openFile(input.path, 'r');
    let head: Buffer;
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    const imp = findExchangeImporter(head, input.name, opts.format);
    const ctx: ImportContext = { case: opts.case, defaultCase: this.deps.defaultCase ?? 'imported', importedBy: opts.by, defaultRegion: this.deps.region ?? 'PE', secret: '' };
    const read = await imp.read(input, ctx);
    // with ?case= every source goes into that case, checked above
    const sources = access === 'all' || opts.case !== undefined ? read.sources : await this.writableSources(read, access);
    // records written so far, of the manifest's total when the file has one (a snapshot)
    const total = read.manifest ? (read.manifest as SnapshotManifest).sources.reduce((n, s) => n + s.records.entities + s.records.links + s.records.events, 0) : undefined;
    let done = 0;
    const report = (records: number) => opts.onProgress?.({ records: done + records, ...(total !== undefined ? { total } : {}) });
    const zero = () => ({ created: 0, merged: 0 });
    const result: OpenResult['result'] = { status: 'already_imported', sources: [], entities: zero(), links: zero(), events: zero(), merges: 0, warnings: [...read.warnings] };
    const plus = (a: { created: number; merged: number }, b: { created: number; merged: number }) => {
      a.created += b.created;
      a.merged += b.merged;
    };
    for await (const ps of sources) {
      const { source } = ps;
      // checked before the first write (writableSources); again here in case a reader yields what it did not announce
      requireWritableCase(access, source.case);
      const item: OpenedSource = { name: source.name, kind: source.kind, case: source.case, sha256: source.sha256, status: 'already_imported', entities: zero(), links: zero(), events: zero() };
      if (await this.deps.store.hasSource(source.sha256, source.case)) {
        const missing = await this.missingRecords(ps.chunks);
        if (missing) {
          item.missing = missing;
          result.warnings.push(`${source.name}: the store already has this source (case ${source.case}) but lacks ${missing} of its records in this file — it was probably opened earlier from a smaller view; those records were not added`);
        }
      } else {
        let inSource = 0;
        const r = await this.deps.store.applyStream(source, withProgress(ps.chunks, (records) => report((inSource = records))));
        done += inSource;
        item.status = r.status;
        item.entities = r.entities;
        item.links = r.links;
        item.events = r.events;
        if (r.status === 'applied') result.status = 'applied';
        plus(result.entities, r.entities);
        plus(result.links, r.links);
        plus(result.events, r.events);
        for (const w of r.warnings) if (result.warnings.length < 1000) result.warnings.push(w);
      }
      result.sources.push(item);
    }
    // the end: every record of the file has been written or was already in the store
    opts.onProgress?.({ records: total ?? done, ...(total !== undefined ? { total } : {}) });
    if (read.merges?.length) result.merges = await this.restoreMerges(read.merges, opts.by, access);
    return {
      format: read.format, file: input.name, sha256: input.sha256, provenance: read.provenance,
      ...(read.view ? { view: read.view } : {}), ...(read.entityIds ? { entityIds: read.entityIds } : {}),
      ...(read.manifest ? { manifest: read.manifest as SnapshotManifest } : {}), result,
    };
  }

  /**
   * The sources of a file, once every case they go into is known to be writable by the user (else 403, nothing
   * written). A snapshot's manifest names each source's case (the reader checks it against the records); other
   * exchange files are read into memory anyway, so their sources are gathered and looked at first.
   */
  private async writableSources(read: ExchangeRead, access: CaseAccess): Promise<AsyncIterable<ParsedSource> | Iterable<ParsedSource>> {
    if (read.manifest) {
      for (const s of (read.manifest as SnapshotManifest).sources) requireWritableCase(access, s.case);
      return read.sources;
    }
    const all: ParsedSource[] = [];
    for await (const ps of read.sources) {
      const chunks: BatchChunk[] = [];
      for await (const c of ps.chunks) chunks.push(c);
      all.push({ source: ps.source, chunks });
    }
    for (const ps of all) requireWritableCase(access, ps.source.case);
    return all;
  }

  /** Entities of a skipped source that the store does not have (a source first opened from a smaller view). */
  private async missingRecords(chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>): Promise<number> {
    let missing = 0;
    for await (const c of chunks) {
      for (let i = 0; i < c.entities.length; i += 5000) {
        const ids = c.entities.slice(i, i + 5000).map((e) => e.id);
        const found = (await this.deps.store.subgraph(ids)).entities.length;
        missing += ids.length - found;
      }
    }
    return missing;
  }

  /** Re-applies a snapshot's merges the store does not already have; returns how many were applied. */
  private async restoreMerges(merges: NonNullable<Awaited<ReturnType<typeof collectScope>>['merges']>, by: string, access: CaseAccess = 'all'): Promise<number> {
    const res = Resolution.fromAnnotations((await this.deps.store.listAnnotations()).filter((a) => a.kind === 'merge' || a.kind === 'unmerge'));
    // a restricted user restores only merges between entities their cases assert (a file may name any id)
    const seen = access === 'all' ? null : await this.deps.store.visibleIn([...new Set(merges.flatMap((m) => [m.keep, m.merge]))], [...access]);
    let n = 0;
    for (const m of merges) {
      if (seen && !(seen.has(m.keep) && seen.has(m.merge))) continue;
      if (res.canon(m.keep) === res.canon(m.merge)) continue;
      const [k, x] = await Promise.all([this.deps.store.getEntity(m.keep), this.deps.store.getEntity(m.merge)]);
      if (!k || !x || k.type !== x.type) continue;
      const reason = `restored from a snapshot: merged by ${m.by} at ${m.at}${m.text ? `: ${m.text}` : ''}`.slice(0, 2000);
      try {
        if (this.deps.graph) await this.deps.graph.merge(m.keep, m.merge, by, reason);
        else await this.deps.store.appendAnnotation({ kind: 'merge', entityId: m.keep, targetId: m.merge, text: reason, by, at: this.clock().toISOString() });
        n++;
      } catch (err) {
        // already one entity through an earlier merge of this list
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      }
    }
    return n;
  }
}
