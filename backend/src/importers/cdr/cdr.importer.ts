// Operator call records (CDR CSV): a column mapping says where the A and B numbers, times, durations and
// call types are; rows stream (file → decoder → csv-parse) into CALLED / MESSAGED events between the
// normalised numbers, IMEIs into Devices. Any row that does not read fails the import with its line.
//
// Direction: A is the caller / sender in every record, MO or MT. The event always runs A → B; the record
// type only says whose record it is (props.direction 'outgoing' = the A side's MO record, 'incoming' =
// the B side's MT record), and so which side the IMEI / IMSI / cells belong to (props.served 'A' | 'B').
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { parse as parseCsv, CsvError, type Info } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError, importError } from '../../errors.ts';
import { BatchBuilder, ModelError, type BatchChunk, type NormalisedPhone, type Props } from '../../model/index.ts';
import { addDevice } from '../shared/device.ts';
import { compileWallClockPattern, type WallClock, type WallClockReader } from '../shared/datetime-format.ts';
import { LIMITS } from '../shared/limits.ts';
import { parseIsoLike, zonedToUtc } from '../shared/time.ts';
import type { ImportContext, Importer, ImportInput, ParsedSource } from '../types.ts';
import { inferCdrMapping, looksLikeCdr } from './cdr.infer.ts';
import { callTypeClassifier, CdrMapping, type CdrColumns, type CdrMappingInput, type CdrService } from './cdr.mapping.ts';

export const CDR_FORMAT = 'cdr';
const HEAD_BYTES = 64 * 1024;
const PROGRESS_EVERY = 10_000;

/** Validates a mapping given by a user or a saved file; a bad one is the request's fault (400), not the file's. */
export function validateCdrMapping(input: unknown): CdrMapping {
  const r = CdrMapping.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.map(String).join('.') || '(mapping)';
  throw new AppError('bad_request', `CDR mapping ${where}: ${issue.message}`, {
    issues: r.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

/**
 * An importer for CDR CSV. `getMapping` returns the explicit mapping for an import (from the context once
 * it carries one); without it the mapping is inferred from the header, times read as UTC with a warning.
 */
export function createCdrImporter(getMapping: (ctx: ImportContext) => CdrMappingInput | CdrMapping | undefined): Importer {
  return {
    format: CDR_FORMAT,
    description: 'Operator call records (CDR CSV): A/B numbers, date/time, duration, call type, IMEI, cells — with a column mapping',
    detect(head) {
      return looksLikeCdr(head);
    },
    async parse(input, ctx) {
      const explicit = getMapping(ctx);
      if (explicit !== undefined) return parseCdr(input, ctx, explicit);
      const head = await readHead(input.path);
      const inferred = inferCdrMapping(head, input.size > head.length);
      if ('problem' in inferred) throw importError(input.name, 'line 1', inferred.problem);
      return parseWith(input, ctx, inferred.mapping, [
        ...inferred.warnings,
        `${input.name}: no mapping given — columns read from the header names and times read as UTC (zoneAssumed); import with a mapping that names the operator's time zone for exact instants`,
      ]);
    },
  };
}

/** Reads `mapping` from an `ImportContext` that carries one (`ctx.mapping`); undefined otherwise. */
export function mappingFromContext(ctx: ImportContext): CdrMappingInput | undefined {
  return ctx.mapping;
}

/** The registered CDR importer: uses `ctx.mapping` when the import passes one, else infers from the header. */
export const cdrImporter: Importer = { ...createCdrImporter(mappingFromContext), module: import.meta.url };

/** Parses a CDR file with an explicit mapping (validated here: a bad mapping is AppError bad_request). */
export async function parseCdr(input: ImportInput, ctx: ImportContext, mapping: CdrMappingInput | CdrMapping): Promise<ParsedSource> {
  return parseWith(input, ctx, validateCdrMapping(mapping), []);
}

async function parseWith(input: ImportInput, ctx: ImportContext, mapping: CdrMapping, notes: string[]): Promise<ParsedSource> {
  const head = await readHead(input.path, 4);
  if (mapping.encoding === 'utf-8' && head[0] === 0xff && head[1] === 0xfe) {
    throw importError(input.name, 'line 1', 'the file starts with a UTF-16LE byte-order mark but the mapping says utf-8');
  }
  if (head[0] === 0xfe && head[1] === 0xff) throw importError(input.name, 'line 1', 'UTF-16BE is not supported; convert the file to UTF-8 or UTF-16LE');
  const b = new BatchBuilder({ sha256: input.sha256, kind: CDR_FORMAT, name: input.name, case: ctx.case ?? ctx.defaultCase, importedBy: ctx.importedBy });
  for (const n of notes) b.warn(n);
  return { source: b.source, chunks: readRows(input, ctx, mapping, b) };
}

async function readHead(path: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Strict UTF-8: a byte sequence that is not UTF-8 fails the import with the line it sits on. */
class StrictUtf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private line = 1;
  constructor(private readonly file: string) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      const loose = new TextDecoder('utf-8').decode(chunk);
      const bad = loose.indexOf('\uFFFD');
      const line = this.line + countNewlines(bad >= 0 ? loose.slice(0, bad) : loose);
      cb(importError(this.file, `line ${line}`, 'not valid UTF-8: give a mapping with the file\'s encoding (windows-1252, latin1 or utf-16le)'));
      return;
    }
    // line numbers only matter for the error above: count LF bytes natively rather than scanning the text
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) this.line++;
    cb(null, text);
  }
  override _flush(cb: TransformCallback): void {
    try {
      cb(null, this.decoder.decode());
    } catch {
      cb(importError(this.file, `line ${this.line}`, 'the file ends inside a UTF-8 character'));
    }
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

type Field = keyof CdrColumns;
interface Column {
  index: number;
  /** how messages name it: `"DATE"` with a header, `3` without */
  label: string;
}

const NUMBER_TEXT = /^[+\d\s().\-/*#\u00a0\u2000-\u200b\u202f]*$/;
const ALPHA_ID = /^[\p{L}\p{N}][\p{L}\p{N} ._&'!-]{0,19}$/u;
const WITHHELD_TEXT = /^(unknown|private|withheld|anonymous|restricted|hidden|no caller id|payphone|-1|-2|-3)$/i;

/** The rows of the file as chunks of canonical records. */
async function* readRows(input: ImportInput, ctx: ImportContext, mapping: CdrMapping, b: BatchBuilder): AsyncGenerator<BatchChunk> {
  const file = input.name;
  const read = createReadStream(input.path);
  const decode: NodeJS.ReadWriteStream = mapping.encoding === 'utf-8' ? new StrictUtf8Decoder(file) : iconv.decodeStream(mapping.encoding, { stripBOM: true });
  const parser = parseCsv({
    delimiter: mapping.delimiter, info: true, relax_column_count: false, max_record_size: LIMITS.csvMaxRecordChars,
    skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'], bom: true,
  });
  pipeline(read, decode, parser, () => {
    // errors reach the loop below through the parser's iterator
  });

  let rows: RowReader | undefined;
  let count = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const record = item.record;
      let line = item.info.lines;
      for (const c of record) if (c.length > 0 && (c.includes('\n') || c.includes('\r'))) line -= countNewlines(c);
      if (!rows) {
        rows = rowReader(input, ctx, mapping, b, resolveColumns(mapping, record, file, line));
        if (mapping.header) continue;
      }
      if (!rows.row(record, line)) continue;
      count++;
      if (b.pending >= LIMITS.chunkRecords) yield b.flush();
      if (count % PROGRESS_EVERY === 0) ctx.onProgress?.({ records: count, bytes: read.bytesRead, total: input.size });
    }
  } catch (err) {
    throw asImportError(err, file);
  } finally {
    read.destroy();
  }
  if (!rows) throw importError(file, 'line 1', 'the file is empty');
  rows.finish();
  ctx.onProgress?.({ records: count, bytes: read.bytesRead, total: input.size });
  yield b.flush();
}

interface RowReader {
  /** adds one record's entities, links and event; false when the record is blank */
  row(record: string[], line: number): boolean;
  /** adds the summary warnings */
  finish(): void;
}

/** Everything compiled once per file (columns, call types, time patterns, caches); `row` runs per record. */
function rowReader(input: ImportInput, ctx: ImportContext, mapping: CdrMapping, b: BatchBuilder, columns: Partial<Record<Field, Column>>): RowReader {
  const file = input.name;
  const region = mapping.region ?? ctx.defaultRegion;
  const classify = callTypeClassifier(mapping.callTypeMap);
  const when = timeReader(mapping);
  const unknownTypes = new Map<string, number>();
  let dataRows = 0;
  let badImeis = 0;
  const devicesSeen = new Set<string>();

  let record: string[] = [];
  let locator = '';
  const cell = (f: Field): string => {
    const c = columns[f];
    return c === undefined ? '' : record[c.index].trim();
  };
  const fail = (f: Field, message: string): never => {
    throw importError(file, locator, `column ${columns[f]!.label} value "${clip(cell(f))}" ${message}`);
  };
  // the builder memoises spellings (withheld numbers are scoped per row, so never merged)
  const phone = (text: string, name: string): { id: string; phone: NormalisedPhone } =>
    b.phone(text, { region, locator, scope: `${input.sha256}:${locator}`, aliases: name ? [name.slice(0, 200)] : undefined });
  const device = (imeiText: string, served: { id: string; phone: NormalisedPhone }, servedText: string) => {
    const imei = imeiText.replace(/[\s-]/g, '');
    if (!/^\d{14,16}$/.test(imei)) {
      badImeis++;
      return;
    }
    const key = `${imei}|${served.id}`;
    if (devicesSeen.has(key)) return;
    devicesSeen.add(key);
    if (served.phone.kind === 'e164') addDevice(b, { imei, msisdn: servedText, locator }, region);
    else {
      const deviceId = b.entity('Device', { label: `Device handset (IMEI ${imei})`, props: { imei, sourceFile: b.source.name }, locator });
      b.link('USES_PHONE', deviceId, served.id, locator);
    }
  };

  return {
    row(rec, line) {
      record = rec;
      if (rec.every((c) => c.trim() === '')) return false;
      locator = `line ${line}`;

      const rawType = cell('callType');
      let service: CdrService = 'voice-out';
      if (columns.callType) {
        const known = rawType === '' ? undefined : classify(rawType);
        if (known) service = known;
        else {
          service = 'other';
          const key = rawType || '(empty)';
          if (unknownTypes.size < 50 || unknownTypes.has(key)) unknownTypes.set(key, (unknownTypes.get(key) ?? 0) + 1);
        }
      }
      const isData = service === 'data';
      const aText = cell('aNumber');
      const bText = cell('bNumber');
      if (!checkNumber(aText)) fail('aNumber', 'is not a phone number');
      if (!isData && !checkNumber(bText)) fail('bNumber', 'is not a phone number');
      const at = when(record, columns, fail);
      let durationS: number | null = null;
      if (columns.duration) {
        const text = cell('duration');
        if (text !== '') {
          durationS = parseDuration(text, mapping.durationFormat, mapping.decimalComma);
          if (durationS === null) fail('duration', `does not match ${mapping.durationFormat === 'seconds' ? `seconds${mapping.decimalComma ? ' (decimal comma)' : ''}` : mapping.durationFormat}`);
        }
      }

      try {
        const a = phone(aText, cell('aName'));
        // data sessions have no B party (the column often holds an APN)
        const bRef = isData ? undefined : phone(bText, cell('bName'));
        const incoming = service === 'voice-in' || service === 'sms-in';
        const imeiText = cell('imei');
        if (imeiText !== '') {
          if (incoming && bRef) device(imeiText, bRef, bText);
          else device(imeiText, a, aText);
        }
        if (!bRef) {
          dataRows++;
          return true;
        }
        const sms = service === 'sms-out' || service === 'sms-in';
        const props: Props = {
          service, served: incoming ? 'B' : 'A',
          direction: service === 'voice-out' || service === 'sms-out' ? 'outgoing' : incoming ? 'incoming' : 'unknown',
        };
        if (rawType) props.callType = rawType;
        if (at.zoneAssumed) props.zoneAssumed = at.zoneAssumed;
        if (at.precision) props.timePrecision = at.precision;
        const cf = cell('cellFirst');
        const cl = cell('cellLast');
        const imsi = cell('imsi');
        if (cf) props.cellFirst = cf.slice(0, 200);
        if (cl) props.cellLast = cl.slice(0, 200);
        if (imsi) props.imsi = imsi.slice(0, 32);
        b.event(sms ? 'MESSAGED' : 'CALLED', a.id, bRef.id, {
          kind: sms ? 'sms' : 'call', at: at.at, durationS: sms ? null : durationS, original: at.original, props, locator,
        });
      } catch (err) {
        if (err instanceof ModelError) throw importError(file, locator, err.message);
        throw err;
      }
      return true;
    },
    finish() {
      for (const [raw, n] of unknownTypes) b.warn(`${file}: call type "${clip(raw)}" (${n} row${n === 1 ? '' : 's'}) is not a known MO/MT/SMS/data value: read as a call of service "other" (add it to the mapping's callTypeMap)`);
      if (dataRows > 0) b.warn(`${file}: ${dataRows} data-session row${dataRows === 1 ? '' : 's'} carry no call or message; only their IMEI links were kept`);
      if (badImeis > 0) b.warn(`${file}: ${badImeis} IMEI value${badImeis === 1 ? ' was' : 's were'} not 14–16 digits and ignored`);
    },
  };
}

function asImportError(err: unknown, file: string): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines ?? 0;
    let message = err.message.replace(/\s*(?:at|on) line \d+\s*$/, '').replace(/^[^:]+:\s*/, '');
    const m = /expect (\d+), got (\d+)/.exec(err.message);
    if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && m) message = `the record has ${m[2]} fields but the first row has ${m[1]}; check the delimiter and quoting`;
    else if (err.code === 'CSV_MAX_RECORD_SIZE') message = `the record is longer than ${LIMITS.csvMaxRecordChars} characters (an unclosed quote, or not a CDR)`;
    else if (err.code === 'CSV_QUOTE_NOT_CLOSED') message = 'a quoted field is never closed';
    return importError(file, line ? `line ${line}` : '', message);
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.errno === 'number' && typeof e.code === 'string') return importError(file, '', `cannot read the file (${e.code})`);
  return importError(file, '', err instanceof Error ? err.message : String(err));
}

/** Column references → indexes, checked against the header (or the first record's width). */
function resolveColumns(mapping: CdrMapping, first: string[], file: string, line: number): Partial<Record<Field, Column>> {
  const out: Partial<Record<Field, Column>> = {};
  const header = mapping.header ? first : undefined;
  const width = first.length;
  const names = header?.map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase());
  for (const [f, ref] of Object.entries(mapping.columns) as [Field, string | number | undefined][]) {
    if (ref === undefined) continue;
    if (typeof ref === 'number') {
      if (ref >= width) throw importError(file, `line ${line}`, `mapping column ${f} is index ${ref} but the ${header ? 'header' : 'first record'} has ${width} columns`);
      out[f] = { index: ref, label: header ? `"${header[ref].trim()}"` : String(ref) };
    } else {
      const i = names!.indexOf(ref.trim().toLowerCase());
      if (i < 0) throw importError(file, `line ${line}`, `mapping column ${f} is "${clip(ref)}" but the header has ${header!.map((h) => `"${clip(h.trim(), 40)}"`).join(', ')}`);
      out[f] = { index: i, label: `"${header![i].trim()}"` };
    }
  }
  return out;
}

/** A number cell is digits and phone punctuation, a withheld word, an alphanumeric sender id, or empty. */
function checkNumber(text: string): boolean {
  const t = text.replace(/^tel:/i, '');
  if (t === '' || WITHHELD_TEXT.test(t)) return true;
  if (NUMBER_TEXT.test(t)) return /\d/.test(t);
  return ALPHA_ID.test(t);
}

export function parseDuration(text: string, format: CdrMapping['durationFormat'], decimalComma: boolean): number | null {
  const t = text.trim();
  if (format === 'seconds') {
    const v = decimalComma ? t.replace(',', '.') : t;
    return /^\d+(?:\.\d+)?$/.test(v) ? Number(v) : null;
  }
  if (format === 'mm:ss') {
    const m = /^(\d+):([0-5]\d)(?:[.,](\d+))?$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) + (m[3] ? Number(`0.${m[3]}`) : 0) : null;
  }
  const m = /^(\d+):([0-5]\d):([0-5]\d)(?:[.,](\d+))?$/.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + (m[4] ? Number(`0.${m[4]}`) : 0) : null;
}

interface When {
  at: Date;
  original: string;
  zoneAssumed?: string;
  precision?: 'day';
}
type Fail = (f: Field, message: string) => never;

/** Compiles the mapping's date/time columns and patterns into one reader per row. */
function timeReader(mapping: CdrMapping): (record: string[], cols: Partial<Record<Field, Column>>, fail: Fail) => When {
  const zone = mapping.timeZone;
  const toUtc = cachedZonedToUtc(zone);
  const iso = mapping.dateFormat === 'ISO';
  const get = (record: string[], c: Column | undefined) => (c ? record[c.index].trim() : '');

  if (iso) {
    return (record, cols, fail) => {
      const field: Field = cols.datetime ? 'datetime' : 'date';
      const text = cols.datetime ? get(record, cols.datetime) : [get(record, cols.date), get(record, cols.time)].filter(Boolean).join(' ');
      const r = parseIsoLike(text, zone);
      if (!r) fail(field, 'is not an ISO-8601 date-time');
      return { at: r!.at, original: text, zoneAssumed: r!.assumedZone };
    };
  }
  const dtPattern = /HH/.test(mapping.dateFormat) ? mapping.dateFormat : `${mapping.dateFormat} ${mapping.timeFormat}`;
  const readDateTime = compileWallClockPattern(dtPattern) as WallClockReader;
  const readDate = compileWallClockPattern(mapping.dateFormat) as WallClockReader;
  const readTime = compileWallClockPattern(mapping.timeFormat) as WallClockReader;
  const dateHasTime = /HH/.test(mapping.dateFormat);
  return (record, cols, fail) => {
    if (cols.datetime) {
      const text = get(record, cols.datetime);
      const w = readDateTime(text);
      if (!w) fail('datetime', `does not match ${dtPattern}`);
      return { at: toUtc(w!), original: text, zoneAssumed: zone };
    }
    const dText = get(record, cols.date);
    const d = readDate(dText);
    if (!d) fail('date', `does not match ${mapping.dateFormat}`);
    if (!cols.time) return { at: toUtc(d!), original: dText, zoneAssumed: zone, ...(dateHasTime ? {} : { precision: 'day' as const }) };
    const tText = get(record, cols.time);
    const t = readTime(tText);
    if (!t) fail('time', `does not match ${mapping.timeFormat}`);
    return { at: toUtc({ ...d!, h: t!.h, mi: t!.mi, s: t!.s }), original: `${dText} ${tText}`, zoneAssumed: zone };
  };
}

/**
 * zonedToUtc per local hour, cached: a million rows would otherwise build two Intl formatters each.
 * Minutes and seconds are added to the hour's instant: right for every zone whose transitions fall on
 * whole local hours (all current IANA zones do).
 */
function cachedZonedToUtc(zone: string): (w: WallClock) => Date {
  const cache = new Map<string, number>();
  return (w) => {
    const key = `${w.y}-${w.mo}-${w.d}-${w.h}`;
    let base = cache.get(key);
    if (base === undefined) {
      if (cache.size > 50_000) cache.clear();
      base = zonedToUtc(w.y, w.mo, w.d, w.h, 0, 0, zone).getTime();
      cache.set(key, base);
    }
    return new Date(base + w.mi * 60_000 + w.s * 1000);
  };
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
