// Opens a `.casegraph.json` snapshot. Pass 1 streams the file once to check it against its manifest
// (SHA-256 of the content, of each section and of each source's records) and refuses a file that does
// not match, naming what differs, before anything is written. Pass 2 streams the records, one source
// at a time, into the store: each original source is recreated with its own sha256, case and locators,
// so opening the same snapshot twice changes nothing.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { AppError, importError } from '../../errors.ts';
import { linkAllowed, type BatchChunk, type EntityType, type SourceInfo } from '../../model/index.ts';
import type { ImportContext, ImportInput, ParsedSource } from '../../importers/types.ts';
import { Id } from '../carried.ts';
import { isSnapEntity, isSnapEvent, isSnapLink } from './snapshot.fastcheck.ts';
import { exchangeImporter, type ExchangeRead } from '../exchange-importer.ts';
import { LineCursor, MAX_LINE_BYTES as MAX_SNAPSHOT_LINE, type Line } from '../lines.ts';
import type { ScopeMerge } from '../scope.ts';
import {
  SNAPSHOT_HEAD, SNAPSHOT_VERSION, SnapEntity, SnapEvent, SnapLink, SnapshotManifest, SnapshotMerge, SnapshotMeta, SnapSource, ViewState,
} from './snapshot.schema.ts';

const CHUNK_RECORDS = 5000;
const HEADER_KEYS = ['meta', 'view', 'entityIds', 'merges'] as const;

interface Verified {
  manifest: SnapshotManifest;
  meta: SnapshotMeta;
  view: Record<string, unknown>;
  entityIds: string[];
  merges: ScopeMerge[];
}

const tagOf = (b: Buffer) => (b.length >= 5 && b[0] === 0x5b && b[1] === 0x22 && b[3] === 0x22 ? String.fromCharCode(b[2]) : '');
const sha = (h: Hash) => h.digest('hex');

function layoutError(file: string, no: number, what: string): AppError {
  return importError(file, `line ${no}`, `${what} — this is not laid out as Casegraph writes snapshots (a snapshot must be opened byte for byte as it was written; a reformatted or edited file is refused)`);
}

function parseJson(text: string, file: string, no: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw importError(file, `line ${no}`, `invalid JSON: ${(err as Error).message}`);
  }
}

function check<T extends z.ZodType>(schema: T, v: unknown, file: string, where: string): z.infer<T> {
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    throw importError(file, where, `${i.path.map(String).join('.') || 'value'}: ${i.message}`);
  }
  return r.data;
}

/** Where a line's bytes go: the content hash (everything before the manifest) and at most one section hash. */
interface Target {
  content: boolean;
  section: Hash | null;
}

/**
 * Pass 1: layout, hashes, manifest; returns the parsed header. Throws import_failed naming every mismatch.
 * Hashes are fed whole runs of lines at a time (a few updates per MiB), not line by line.
 */
async function verify(path: string, file: string): Promise<Verified> {
  const content = createHash('sha256');
  let contentBytes = 0;
  const sectionHashes: Record<string, Hash> = {};
  const header: Record<string, unknown> = {};
  const sources: { src: z.infer<typeof SnapSource>; hash: Hash; line: number }[] = [];
  let state: 'head' | 'header' | 'records' | 'closing' | 'manifest' | 'done' = 'head';
  let headerIndex = 0;
  let manifestText = '';
  let cur: (typeof sources)[number] | null = null;
  let no = 0;
  const NONE: Target = { content: false, section: null };
  const feed = (t: Target, b: Uint8Array) => {
    if (t.content) {
      content.update(b);
      contentBytes += b.length;
    }
    t.section?.update(b);
  };

  /** Checks one line (without its newline) and says where its bytes (newline included) belong. */
  const classify = (bytes: Buffer): Target => {
    no++;
    if (state === 'done') {
      if (bytes.length === 0) return NONE;
      throw layoutError(file, no, 'text after the manifest');
    }
    if (state === 'manifest') {
      manifestText = bytes.toString('utf8');
      state = 'done';
      return NONE;
    }
    if (state === 'head') {
      if (bytes.toString('utf8') !== SNAPSHOT_HEAD) {
        const text = bytes.toString('utf8', 0, 200);
        const m = /"casegraph"\s*:\s*"([^"]*)"/.exec(text);
        if (m && m[1] !== SNAPSHOT_VERSION) throw importError(file, 'line 1', `snapshot version "${m[1]}" is not supported (this Casegraph reads ${SNAPSHOT_VERSION})`);
        throw layoutError(file, no, `expected ${SNAPSHOT_HEAD}`);
      }
      state = 'header';
      return { content: true, section: null };
    }
    if (state === 'header') {
      const key = HEADER_KEYS[headerIndex];
      const text = bytes.toString('utf8');
      const prefix = `"${key}":`;
      if (!text.startsWith(prefix) || !text.endsWith(',')) throw layoutError(file, no, `expected the "${key}" section`);
      header[key] = parseJson(text.slice(prefix.length, -1), file, no);
      sectionHashes[key] = createHash('sha256');
      if (++headerIndex === HEADER_KEYS.length) state = 'records';
      return { content: true, section: sectionHashes[key] };
    }
    if (state === 'records') {
      if (headerIndex === HEADER_KEYS.length) {
        if (bytes.toString('utf8') !== '"records":[') throw layoutError(file, no, 'expected "records":[');
        headerIndex++;
        return { content: true, section: null };
      }
      const tag = tagOf(bytes);
      if (tag === 'S') {
        const text = bytes.toString('utf8');
        if (!text.endsWith('],')) throw layoutError(file, no, 'a record line must end with "],"');
        const src = check(SnapSource, (parseJson(text.slice(0, -1), file, no) as unknown[])[1], file, `line ${no} (source)`);
        cur = { src, hash: createHash('sha256'), line: no };
        sources.push(cur);
        return { content: true, section: cur.hash };
      }
      if (tag === 'E' || tag === 'L' || tag === 'V') {
        if (!cur) throw layoutError(file, no, 'a record before any ["S",…] source line');
        if (bytes[bytes.length - 1] !== 0x2c) throw layoutError(file, no, 'a record line must end with ","');
        return { content: true, section: cur.hash };
      }
      if (tag === 'Z') {
        if (bytes.toString('utf8') !== '["Z"]') throw layoutError(file, no, 'expected ["Z"]');
        state = 'closing';
        return { content: true, section: null };
      }
      throw layoutError(file, no, 'expected a record line (["S",…], ["E",…], ["L",…], ["V",…] or ["Z"])');
    }
    // closing
    if (bytes.toString('utf8') !== '],') throw layoutError(file, no, 'expected "],"');
    state = 'manifest';
    return { content: true, section: null };
  };

  const same = (a: Target, b: Target) => a.content === b.content && a.section === b.section;
  let carry: Buffer[] = [];
  let carryLen = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let region: Target = NONE;
    let regionStart = 0;
    let pos = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, pos)) {
      if (carryLen) {
        // a line begun in an earlier chunk: its first part was held back, unhashed
        const head = chunk.subarray(0, nl);
        if (carryLen + head.length > MAX_SNAPSHOT_LINE) throw importError(file, `line ${no + 1}`, 'a line longer than the limit');
        const t = classify(Buffer.concat([...carry, head], carryLen + head.length));
        for (const c of carry) feed(t, c);
        carry = [];
        carryLen = 0;
        region = t;
        regionStart = 0;
      } else {
        const t = classify(chunk.subarray(pos, nl));
        if (!same(t, region)) {
          if (pos > regionStart) feed(region, chunk.subarray(regionStart, pos));
          region = t;
          regionStart = pos;
        }
      }
      pos = nl + 1;
    }
    if (pos > regionStart) feed(region, chunk.subarray(regionStart, pos));
    if (pos < chunk.length) {
      carry.push(chunk.subarray(pos));
      carryLen += chunk.length - pos;
      if (carryLen > MAX_SNAPSHOT_LINE) throw importError(file, `line ${no + 1}`, 'a line longer than the limit');
    }
  }
  if (carryLen) {
    const t = classify(Buffer.concat(carry, carryLen));
    for (const c of carry) feed(t, c);
  }
  if ((state as string) !== 'done') throw importError(file, '', 'the snapshot is truncated (no manifest at its end)');
  if (!manifestText.startsWith('"manifest":') || !manifestText.endsWith('}')) throw importError(file, 'manifest', 'the last line must be "manifest":{…}}');
  const manifest = check(SnapshotManifest, parseJson(manifestText.slice('"manifest":'.length, -1), file, 0), file, 'manifest');

  const mismatches: string[] = [];
  const differ = (what: string, expected: string, found: string) => mismatches.push(`${what} (manifest sha256 ${expected.slice(0, 16)}…, file ${found.slice(0, 16)}…)`);
  for (const k of HEADER_KEYS) {
    const h = sha(sectionHashes[k]);
    if (manifest.sections[k] !== h) differ(`the "${k}" section`, manifest.sections[k], h);
  }
  if (manifest.sources.length !== sources.length) mismatches.push(`the manifest lists ${manifest.sources.length} source(s), the file holds ${sources.length}`);
  sources.forEach((s, i) => {
    const m = manifest.sources[i];
    if (!m) return;
    const name = `source ${i + 1} (${s.src.name})`;
    if (m.sha256 !== s.src.sha256) mismatches.push(`${name}: the source file's sha256 is ${m.sha256.slice(0, 16)}… in the manifest but ${s.src.sha256.slice(0, 16)}… in the records`);
    // the manifest's cases are what per-case access checks before anything is written: they must be the records'
    if (m.case !== s.src.case) mismatches.push(`${name}: the case is "${m.case.slice(0, 120)}" in the manifest but "${s.src.case.slice(0, 120)}" in the records`);
    const h = sha(s.hash);
    if (m.recordsSha256 !== h) differ(`the records of ${name}`, m.recordsSha256, h);
  });
  const whole = sha(content);
  if ((manifest.contentSha256 !== whole || manifest.contentBytes !== contentBytes) && mismatches.length === 0) differ('the content', manifest.contentSha256, whole);
  if (mismatches.length) {
    throw importError(file, '', `the snapshot does not match its manifest: ${mismatches[0]}${mismatches.length > 1 ? ` (and ${mismatches.length - 1} more)` : ''}; it was changed after it was written`, { mismatches });
  }
  const meta = check(SnapshotMeta, header.meta, file, 'meta');
  const view = check(ViewState, header.view, file, 'view');
  const entityIds = check(z.array(Id).max(1_000_000), header.entityIds, file, 'entityIds');
  const merges = check(z.array(SnapshotMerge).max(100_000), header.merges, file, 'merges');
  return { manifest, meta, view, entityIds, merges };
}

export async function readSnapshot(input: ImportInput, ctx: ImportContext): Promise<ExchangeRead> {
  const file = input.name;
  const v = await verify(input.path, file);
  const types = new Map<string, EntityType>();
  const linkIds = new Set<string>();
  const cursor = new LineCursor(input.path, file);
  const isSourceOrEnd = (l: Line) => {
    const t = tagOf(l.bytes);
    return t === 'S' || t === 'Z';
  };
  const record = (l: Line): [string, unknown] => {
    const arr = parseJson(l.bytes.toString('utf8', 0, l.bytes.length - 1), file, l.no) as [string, unknown];
    return arr;
  };

  async function* chunks(): AsyncGenerator<BatchChunk> {
    let chunk: BatchChunk = { entities: [], links: [], events: [], warnings: [] };
    let n = 0;
    for (let l = cursor.peekSync() ?? (await cursor.peek()); l && !isSourceOrEnd(l); l = cursor.peekSync() ?? (await cursor.peek())) {
      cursor.skip();
      const [tag, raw] = record(l);
      const where = `line ${l.no}`;
      if (tag === 'E') {
        const e = isSnapEntity(raw) ? (raw as z.infer<typeof SnapEntity>) : check(SnapEntity, raw, file, where);
        const known = types.get(e.id);
        if (known && known !== e.type) throw importError(file, where, `entity ${e.id} is a ${known} earlier in the file and a ${e.type} here`);
        types.set(e.id, e.type);
        chunk.entities.push(e);
      } else if (tag === 'L') {
        const li = isSnapLink(raw) ? (raw as z.infer<typeof SnapLink>) : check(SnapLink, raw, file, where);
        const ft = types.get(li.from);
        const tt = types.get(li.to);
        if (!ft || !tt) throw importError(file, where, `link ${li.id} refers to entity ${!ft ? li.from : li.to}, which no source before it asserts`);
        if (!linkAllowed(li.type, ft, tt)) throw importError(file, where, `${li.type} cannot join ${ft} to ${tt}`);
        linkIds.add(li.id);
        chunk.links.push(li);
      } else {
        const ev = isSnapEvent(raw) ? (raw as z.infer<typeof SnapEvent>) : check(SnapEvent, raw, file, where);
        if (!linkIds.has(ev.linkId)) throw importError(file, where, `event ${ev.id} refers to link ${ev.linkId}, which no source before it asserts`);
        chunk.events.push(ev);
      }
      if (++n >= CHUNK_RECORDS) {
        yield chunk;
        chunk = { entities: [], links: [], events: [], warnings: [] };
        n = 0;
      }
    }
    yield chunk;
  }

  async function* sources(): AsyncGenerator<ParsedSource> {
    try {
      for (;;) {
        let l = await cursor.next();
        // skip the unread records of the previous source (e.g. one the store already had)
        while (l && !isSourceOrEnd(l)) l = await cursor.next();
        if (!l || tagOf(l.bytes) === 'Z') return;
        const src = check(SnapSource, record(l)[1], file, `line ${l.no} (source)`);
        const source: SourceInfo = { ...src, case: ctx.case ?? src.case, importedAt: src.importedAt || undefined };
        yield { source, chunks: chunks() };
      }
    } finally {
      await cursor.close();
    }
  }

  return {
    format: 'snapshot', provenance: 'original', sourceCount: v.manifest.sources.length, sources: sources(),
    view: v.view, entityIds: v.entityIds, manifest: v.manifest, merges: v.merges, warnings: [],
  };
}

export const snapshotImporter = exchangeImporter({
  format: 'snapshot',
  description: 'Casegraph snapshot (.casegraph.json: a view with its facts, sources and view state, sealed by SHA-256)',
  detect(head, name) {
    const text = head.toString('utf8', 0, Math.min(head.length, 200));
    return text.startsWith('{"casegraph":"snapshot/') || /\.casegraph\.json$/i.test(name);
  },
  read: readSnapshot,
});
