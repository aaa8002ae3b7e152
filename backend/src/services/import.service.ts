// Import use case: spool and hash the bytes, detect the format, parse to a Batch, apply it atomically.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import { CDR_FORMAT } from '../importers/cdr/cdr.importer.ts';
import type { CdrMappingInput } from '../importers/cdr/cdr.mapping.ts';
import { findImporter } from '../importers/registry.ts';
import { parseOnThread } from '../importers/parse-thread.ts';
import type { MappingService } from './mapping.service.ts';
import type { DeviceHint, ImportContext } from '../importers/types.ts';
import { normalisePhone } from '../model/normalise.ts';
import { alreadyImported, makeSourceId, type ApplyResult, type BatchChunk } from '../model/index.ts';
import type { GraphStore } from '../storage/port.ts';
import type { CaseAccess } from '../auth/access.ts';
import { requireWritableCase } from './case-access.ts';

export interface ImportOptions {
  name?: string;
  case?: string;
  format?: string;
  /** CDR CSV column mapping: inline, or the name of a saved one */
  mapping?: CdrMappingInput | string;
  /** the seized handset a device database came from (see ImportContext.device); checked here */
  device?: DeviceHint;
  importedBy?: string;
  onProgress?: ImportContext['onProgress'];
  /** the cases the importing user may write into (default all): a file that would go elsewhere is refused before any write */
  access?: CaseAccess;
}

export interface Spooled {
  path: string;
  name: string;
  sha256: string;
  size: number;
  dispose(): Promise<void>;
}

export interface ImportOutcome extends ApplyResult {
  format: string;
  file: string;
  sha256: string;
}

export interface ImportServiceDeps {
  store: GraphStore;
  secret: string;
  region: string;
  defaultCase: string;
  maxUploadBytes: number;
  mappings?: MappingService;
  tmpDir?: string;
  /** Files of at least this many bytes are parsed on a worker thread (default 8 MiB; Infinity: never). */
  parseOnThreadFrom?: number;
}

const HEAD_BYTES = 64 * 1024;
/** From this size on, parsing moves to a worker thread: below it, starting one (~0.5 s) costs more than it saves. */
const PARSE_ON_THREAD_FROM = 8 * 2 ** 20;

export class ImportService {
  constructor(private readonly deps: ImportServiceDeps) {}

  /** The case a file goes into when the request names none (a case report or an exchange file may name its own). */
  get defaultCase(): string {
    return this.deps.defaultCase;
  }

  /** Imports a file already on disk. */
  async importFile(path: string, opts: ImportOptions = {}): Promise<ImportOutcome> {
    const name = safeName(opts.name ?? basename(path));
    const info = await stat(path).catch(() => {
      throw new AppError('not_found', `${name}: file not found`);
    });
    if (!info.isFile()) throw new AppError('bad_request', `${name}: not a regular file`);
    const sha256 = await hashFile(path);
    return this.run(path, name, sha256, info.size, opts);
  }

  /** Spools an upload to a temp file (bounded, hashed on the way). The caller disposes of it. */
  async receive(body: Readable, rawName: string): Promise<Spooled> {
    const name = safeName(rawName);
    const dir = this.deps.tmpDir ?? join(tmpdir(), 'casegraph-uploads');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${randomUUID()}.upload`);
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.deps.maxUploadBytes;
    const dispose = () => rm(path, { force: true });
    try {
      await pipeline(
        body,
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            size += chunk.length;
            if (size > limit) return cb(new AppError('payload_too_large', `${name}: upload exceeds ${Math.round(limit / 1024 / 1024)} MiB`));
            hash.update(chunk);
            cb(null, chunk);
          },
        }),
        createWriteStream(path, { flags: 'wx', mode: 0o600 }),
      );
      if (size === 0) throw new AppError('bad_request', `${name}: the upload is empty`);
    } catch (err) {
      await dispose();
      throw err;
    }
    return { path, name, sha256: hash.digest('hex'), size, dispose };
  }

  /** Detects the format of a spooled upload without importing it (refuses unknown formats early). */
  async detect(sp: Spooled, opts: Pick<ImportOptions, 'format' | 'mapping'> = {}): Promise<{ format: string; description: string }> {
    const mapping = await this.resolveMapping(opts.mapping);
    const imp = findImporter(await readHead(sp.path), sp.name, opts.format ?? (mapping ? CDR_FORMAT : undefined));
    return { format: imp.format, description: imp.description };
  }

  private async resolveMapping(m: ImportOptions['mapping']): Promise<CdrMappingInput | undefined> {
    if (typeof m !== 'string') return m;
    if (!this.deps.mappings) throw new AppError('bad_request', 'saved mappings are not available here');
    return this.deps.mappings.get(m);
  }

  importSpooled(sp: Spooled, opts: ImportOptions = {}): Promise<ImportOutcome> {
    return this.run(sp.path, sp.name, sp.sha256, sp.size, opts);
  }

  /** Spools an upload, imports it, and removes the spool. */
  async importStream(body: Readable, opts: ImportOptions & { name: string }): Promise<ImportOutcome> {
    const sp = await this.receive(body, opts.name);
    try {
      return await this.importSpooled(sp, opts);
    } finally {
      await sp.dispose();
    }
  }

  private async run(path: string, name: string, sha256: string, size: number, opts: ImportOptions): Promise<ImportOutcome> {
    const head = await readHead(path);
    const mapping = await this.resolveMapping(opts.mapping);
    // a mapping means "read this as a CDR" even when its headers are not ones we recognise
    const importer = findImporter(head, name, opts.format ?? (mapping ? CDR_FORMAT : undefined));
    // importers report how far into the file they are; the store side reports records written: one line of both
    const read = { bytes: undefined as number | undefined };
    const ctx: ImportContext = {
      case: opts.case, defaultCase: this.deps.defaultCase, importedBy: opts.importedBy ?? 'local',
      defaultRegion: this.deps.region, secret: this.deps.secret, mapping, ...(opts.device ? { device: checkDevice(opts.device) } : {}),
      onProgress: (p) => {
        if (p.bytes !== undefined) read.bytes = p.bytes;
      },
    };
    const access = opts.access ?? 'all';
    if (opts.case) requireWritableCase(access, opts.case);
    if (opts.case && (await this.deps.store.hasSource(sha256, opts.case))) {
      return { ...alreadyImported(makeSourceId(sha256, opts.case), opts.case), format: importer.format, file: name, sha256 };
    }
    // a large file is parsed on its own thread while this one writes (see parse-thread.ts)
    const input = { name, path, sha256, size };
    const parsed = size >= (this.deps.parseOnThreadFrom ?? PARSE_ON_THREAD_FROM) ? await parseOnThread(importer, input, ctx) : await importer.parse(input, ctx);
    try {
      const { source } = parsed;
      // without ?case= the file may name its own case (a case report, an exchange file): checked before anything is written
      requireWritableCase(access, source.case);
      const done = (r: ApplyResult): ImportOutcome => ({ ...r, format: importer.format, file: name, sha256 });
      if (await this.deps.store.hasSource(sha256, source.case)) return done(alreadyImported(makeSourceId(sha256, source.case), source.case));
      const onProgress = opts.onProgress;
      const progress = (records: number, end: boolean) => onProgress?.({ records, total: size, ...(end ? { bytes: size } : read.bytes !== undefined ? { bytes: read.bytes } : {}) });
      return done(await this.deps.store.applyStream(source, withProgress(parsed.chunks, progress)));
    } finally {
      await parsed.close?.();
    }
  }
}

/** Counts records as the store pulls chunks and reports the count at most every 200 ms, and once at the end. */
export async function* withProgress(chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>, report: (records: number, end: boolean) => void): AsyncIterable<BatchChunk> {
  let records = 0;
  let last = 0;
  for await (const chunk of chunks) {
    records += chunk.entities.length + chunk.links.length + chunk.events.length;
    yield chunk;
    const now = Date.now();
    if (now - last > 200) {
      last = now;
      report(records, false);
    }
  }
  report(records, true);
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A device hint is the user's word: an IMEI of 14–16 digits, a number that parses; refused (400) otherwise. */
export function checkDevice(d: DeviceHint): DeviceHint {
  const out: DeviceHint = {};
  const imei = d.imei?.replace(/[\s-]/g, '');
  if (imei) {
    if (!/^\d{14,16}$/.test(imei)) throw new AppError('bad_request', `device IMEI "${d.imei!.slice(0, 40)}" is not 14–16 digits`);
    out.imei = imei;
  }
  const msisdn = d.msisdn?.trim();
  if (msisdn) {
    if (normalisePhone(msisdn).kind === 'withheld' || !/\d{3}/.test(msisdn) || msisdn.length > 40) throw new AppError('bad_request', `device number "${msisdn.slice(0, 40)}" is not a phone number`);
    out.msisdn = msisdn;
  }
  return out;
}

/** File names come from users: keep the last path segment, printable characters only, bounded. */
export function safeName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'upload';
}
