// XRY (MSAB) text-export importer: call, message and contact reports. The file is bounded
// (LIMITS.maxTextFileBytes) and read whole; records are mapped like every other device source.
// Times are locale-dependent (`1/2/2019 1:23:45 PM (Device)` or `13/02/2019 13:23:45`): the date order
// is an option, or decided once per file from the values, and recorded on every event.
import { readFile } from 'node:fs/promises';
import { importError } from '../../errors.ts';
import { BatchBuilder, type BatchChunk, type Props } from '../../model/index.ts';
import { addDevice, type DeviceRefs } from '../shared/device.ts';
import { LIMITS } from '../shared/limits.ts';
import { isValidTimeZone, parseIsoLike, parseTimeSpan, plausible, slashDateToUtc, splitSlashDateTime, type DateOrder, type SlashDateTime } from '../shared/time.ts';
import type { ImportContext, Importer, ImportInput } from '../types.ts';
import { decodeXry, readXry, type XryDocument, type XryParty, type XryRecord } from './xry.text.ts';

export interface XryOptions {
  /** how slashed dates are read: `auto` decides per file from the values (AM/PM clocks default to M/D/Y, 24-hour clocks to D/M/Y) */
  dateOrder?: 'auto' | DateOrder;
  /** IANA zone for times written without an offset; default UTC */
  assumeZone?: string;
}

const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
const TRUE = /^(yes|true|1|deleted)$/i;

interface TimeRule {
  order: DateOrder;
  /** true when nothing in the file decided the order and the default was taken */
  assumed: boolean;
}

export function createXryImporter(options: XryOptions = {}): Importer {
  const assumeZone = options.assumeZone ?? 'UTC';
  if (!isValidTimeZone(assumeZone)) throw new Error(`unknown time zone "${assumeZone}"`);
  const dateOrder = options.dateOrder ?? 'auto';

  return {
    format: 'xry',
    description: 'XRY (MSAB) text export: calls, messages, contacts (UTF-16LE .txt)',
    detect(head) {
      if (head.length < 4 || head[0] !== 0xff || head[1] !== 0xfe) return false;
      const text = head.subarray(2, Math.min(head.length, 8192) & ~1).toString('utf16le');
      return /^\s*XRY Export\b/i.test(text) || /^(Calls|Contacts|Messages|SMS)\b[^\n#]*#\s*\d+\s*$/im.test(text);
    },
    async parse(input, ctx) {
      if (input.size > LIMITS.maxTextFileBytes) {
        throw importError(input.name, '', `XRY text exports are limited to ${LIMITS.maxTextFileBytes / 1024 / 1024} MiB`);
      }
      const text = decodeXry(await readFile(input.path), input.name);
      const doc = readXry(text, input.name);
      const rule = decideOrder(doc, input.name, dateOrder);
      const b = new BatchBuilder({ sha256: input.sha256, kind: 'xry', name: input.name, case: ctx.case ?? ctx.defaultCase, importedBy: ctx.importedBy });
      if (doc.reportType) b.source.title = `XRY ${doc.reportType}`.slice(0, 500);
      return { source: b.source, chunks: map(b, doc, input, ctx, rule) };
    },
  };

  function* map(b: BatchBuilder, doc: XryDocument, input: ImportInput, ctx: ImportContext, rule: TimeRule): Generator<BatchChunk> {
    const headerText = doc.header.join(' | ');
    const imei = /\bIMEI\W{0,3}(\d{14,16})\b/i.exec(headerText)?.[1];
    const msisdn = /\bMSISDN\W{0,3}(\+?[\d ]{6,20}\d)/i.exec(headerText)?.[1];
    const props: Props = { exportedBy: 'XRY' };
    if (doc.reportType) props.reportType = doc.reportType;
    if (headerText) props.xryHeader = headerText.slice(0, 500);
    const dev = addDevice(b, { imei, msisdn, name: 'XRY export', props, locator: 'header' }, ctx.defaultRegion);
    const m = new XryMapper(b, input, dev, rule, assumeZone);
    let n = 0;
    for (const rec of doc.records) {
      m.record(rec);
      n++;
      if (b.pending >= LIMITS.chunkRecords) {
        ctx.onProgress?.({ records: n });
        yield b.flush();
      }
    }
    m.finish();
    if (doc.unknownKeys.size > 0) {
      const list = [...doc.unknownKeys].slice(0, 20).map(([k, c]) => `${k} ×${c}`).join(', ');
      b.warn(`${input.name}: lines not imported: ${list}`);
    }
    ctx.onProgress?.({ records: n });
    yield b.flush();
  }
}

/** Decides once per file which date order the Time values use (or checks the one given). */
function decideOrder(doc: XryDocument, file: string, option: 'auto' | DateOrder): TimeRule {
  let dayFirst: number | null = null;
  let monthFirst: number | null = null;
  let meridiem = 0;
  let clock24 = 0;
  for (const r of doc.records) {
    const f = r.fields.get('time');
    if (!f || !f.value) continue;
    const p = splitSlashDateTime(f.value);
    if (!p) {
      if (parseIsoLike(f.value.replace(/\s*\([^)]*\)\s*$/, ''))) continue;
      throw importError(file, `line ${f.line}`, `Time "${f.value.slice(0, 60)}" is not a date XRY writes (M/D/YYYY h:mm:ss AM/PM or D/M/YYYY HH:mm:ss)`);
    }
    if (p.meridiem) meridiem++;
    else clock24++;
    if (p.first > 12 && dayFirst === null) dayFirst = f.line;
    if (p.second > 12 && monthFirst === null) monthFirst = f.line;
  }
  if (option !== 'auto') {
    const bad = option === 'MDY' ? dayFirst : monthFirst;
    if (bad !== null) throw importError(file, `line ${bad}`, `a Time value cannot be read as ${option === 'MDY' ? 'M/D/Y' : 'D/M/Y'} (the importer was told to use that order)`);
    return { order: option, assumed: false };
  }
  if (dayFirst !== null && monthFirst !== null) {
    throw importError(file, `line ${Math.max(dayFirst, monthFirst)}`, `Time values are written both day-first (line ${dayFirst}) and month-first (line ${monthFirst})`);
  }
  if (dayFirst !== null) return { order: 'DMY', assumed: false };
  if (monthFirst !== null) return { order: 'MDY', assumed: false };
  return { order: meridiem >= clock24 ? 'MDY' : 'DMY', assumed: true };
}

class XryMapper {
  private pendingMessage: { rec: XryRecord; text: string; ref: string } | null = null;
  private readonly phones = new Map<string, string>();

  constructor(
    private readonly b: BatchBuilder,
    private readonly input: Pick<ImportInput, 'name' | 'sha256'>,
    private readonly dev: DeviceRefs,
    private readonly rule: TimeRule,
    private readonly assumeZone: string,
  ) {}

  private warn(message: string): void {
    this.b.warn(`${this.input.name}: ${message}`);
  }

  private locator(rec: XryRecord): string {
    return `${rec.title} (line ${rec.line})`;
  }

  record(rec: XryRecord): void {
    if (rec.kind === 'messages') return this.message(rec);
    this.flushMessage();
    if (rec.kind === 'calls') return this.call(rec);
    if (rec.kind === 'contacts') return this.contact(rec);
    this.warn(`line ${rec.line}: record "${rec.title.slice(0, 60)}" is of a kind not imported`);
  }

  finish(): void {
    this.flushMessage();
  }

  private value(rec: XryRecord, ...keys: string[]): string | undefined {
    for (const k of keys) {
      const v = rec.fields.get(k)?.value;
      if (v) return v;
    }
    return undefined;
  }

  private phone(p: XryParty | { number?: string; name?: string }, locator: string): string {
    const number = (p.number ?? '').trim();
    // the same few numbers recur in every record: normalise each (number, name) once
    const key = `${number}\u0000${p.name ?? ''}`;
    const known = this.phones.get(key);
    if (known) return known;
    const aliases = p.name && p.name !== number ? [p.name.slice(0, 200)] : undefined;
    const r = this.b.phone(number, { region: this.dev.region, scope: `${this.input.sha256}:${locator}`, locator, aliases });
    // withheld numbers are scoped to their record and must not be reused
    if (r.phone.kind !== 'withheld') {
      if (this.phones.size >= 100_000) this.phones.clear();
      this.phones.set(key, r.id);
    }
    return r.id;
  }

  private time(rec: XryRecord, locator: string): { at: Date; original: string; props: Props } | null {
    const f = rec.fields.get('time');
    if (!f || !f.value) {
      this.warn(`${locator}: no Time; record skipped`);
      return null;
    }
    const props: Props = {};
    let r: { at: Date; assumedZone?: string } | null;
    const split: SlashDateTime | null = splitSlashDateTime(f.value);
    if (split) {
      r = slashDateToUtc(split, this.rule.order, this.assumeZone);
      props.dateOrder = this.rule.order === 'MDY' ? 'M/D/Y' : 'D/M/Y';
      if (this.rule.assumed) props.dateOrderAssumed = true;
      if (split.label) props.timeSource = split.label;
    } else {
      r = parseIsoLike(f.value.replace(/\s*\([^)]*\)\s*$/, ''), this.assumeZone);
    }
    if (!r) throw importError(this.input.name, `line ${f.line}`, `Time "${f.value.slice(0, 60)}" is not a valid ${this.rule.order === 'MDY' ? 'M/D/Y' : 'D/M/Y'} date and time`);
    if (!plausible(r.at)) {
      this.warn(`${locator}: Time "${f.value.slice(0, 60)}" is outside 1990–2100; record skipped`);
      return null;
    }
    if (r.assumedZone) props.zoneAssumed = r.assumedZone;
    return { at: r.at, original: f.value, props };
  }

  private deleted(rec: XryRecord): boolean {
    return TRUE.test(this.value(rec, 'deleted') ?? '') || /^deleted$/i.test(this.value(rec, 'status', 'storage') ?? '');
  }

  /** caller/sender and callee/recipients from the party lines and the direction */
  private ends(rec: XryRecord, direction: 'incoming' | 'outgoing' | undefined, locator: string): { from: string; to: string[] } | null {
    const owner = this.dev.ownerPhoneId;
    const parties = rec.parties.filter((p) => p.number !== undefined || p.name !== undefined);
    const matched = this.value(rec, 'name (matched)', 'name');
    if (matched && parties.length === 1 && !parties[0].name) parties[0] = { ...parties[0], name: matched };
    const fromP = parties.filter((p) => p.role === 'from');
    const toP = parties.filter((p) => p.role === 'to');
    const others = parties.filter((p) => p.role !== 'from' && p.role !== 'to');
    const ep = (p: XryParty) => this.phone(p, locator);
    if (fromP.length && toP.length) return { from: ep(fromP[0]), to: toP.map(ep) };
    if (fromP.length) return { from: ep(fromP[0]), to: [owner] };
    if (toP.length) return { from: owner, to: toP.map(ep) };
    if (others.length === 0) {
      this.warn(`${locator}: no number; record skipped`);
      return null;
    }
    if (direction === 'incoming') return { from: ep(others[0]), to: [owner] };
    if (direction === 'outgoing') return { from: owner, to: others.map(ep) };
    this.warn(`${locator}: neither From/To nor a call type or direction says who called whom; record skipped`);
    return null;
  }

  private call(rec: XryRecord): void {
    const locator = this.locator(rec);
    const t = this.time(rec, locator);
    if (!t) return;
    const type = (this.value(rec, 'call type', 'type', 'direction') ?? '').toLowerCase();
    let direction: 'incoming' | 'outgoing' | undefined;
    let status: string | undefined;
    if (/missed/.test(type)) [direction, status] = ['incoming', 'missed'];
    else if (/rejected|declined/.test(type)) [direction, status] = ['incoming', 'rejected'];
    else if (/received|incoming/.test(type)) [direction, status] = ['incoming', 'answered'];
    else if (/dial|outgoing/.test(type)) direction = 'outgoing';
    const durText = this.value(rec, 'duration');
    let durationS: number | null = null;
    if (durText) {
      durationS = parseTimeSpan(durText) ?? (/^\d{1,3}:\d{2}$/.test(durText) ? Number(durText.split(':')[0]) * 60 + Number(durText.split(':')[1]) : /^\d+$/.test(durText) ? Number(durText) : null);
      if (durationS === null) this.warn(`${locator}: Duration "${durText.slice(0, 40)}" is not HH:MM:SS; kept without duration`);
    }
    if (direction === 'outgoing' && !status && durationS !== null) status = durationS > 0 ? 'answered' : 'unanswered';
    const ends = this.ends(rec, direction, locator);
    if (!ends) return;
    const props: Props = { ...t.props };
    if (direction) props.direction = direction;
    if (status) props.status = status;
    const deleted = this.deleted(rec);
    for (const to of ends.to) {
      if (to === ends.from) continue;
      this.b.event('CALLED', ends.from, to, { kind: 'call', at: t.at, durationS, deleted, original: t.original, props, locator });
    }
  }

  /** Messages may be split into segments (same Reference Number, consecutive records): join their text. */
  private message(rec: XryRecord): void {
    const ref = this.value(rec, 'reference number') ?? '';
    const text = this.value(rec, 'text', 'message', 'body') ?? '';
    const p = this.pendingMessage;
    if (p && ref && p.ref === ref) {
      p.text = p.text ? `${p.text} ${text}` : text;
      return;
    }
    this.flushMessage();
    this.pendingMessage = { rec, text, ref };
  }

  private flushMessage(): void {
    const p = this.pendingMessage;
    if (!p) return;
    this.pendingMessage = null;
    const rec = p.rec;
    const locator = this.locator(rec);
    const t = this.time(rec, locator);
    if (!t) return;
    const dirText = (this.value(rec, 'direction', 'type') ?? '').toLowerCase();
    const folder = (this.value(rec, 'folder') ?? '').toLowerCase();
    let direction: 'incoming' | 'outgoing' | undefined;
    if (/incoming|deliver|received/.test(dirText) || /inbox/.test(folder)) direction = 'incoming';
    else if (/outgoing|submit|sent/.test(dirText) || /sent|outbox/.test(folder)) direction = 'outgoing';
    const ends = this.ends(rec, direction, locator);
    if (!ends) return;
    const app = this.value(rec, 'related application', 'application', 'service');
    const kind = app && !/sms|mms|messag/i.test(app) ? 'chat' : /mms/i.test(`${rec.title} ${dirText}`) ? 'mms' : 'sms';
    const props: Props = { ...t.props };
    if (direction) props.direction = direction;
    const status = this.value(rec, 'status');
    if (status) props.status = status.toLowerCase().slice(0, 40);
    if (app) props.app = app;
    let body = p.text;
    if (body.length > LIMITS.maxTextChars) {
      this.warn(`${locator}: text longer than ${LIMITS.maxTextChars} characters was truncated`);
      body = body.slice(0, LIMITS.maxTextChars);
    }
    if (body) props.body = body;
    const deleted = this.deleted(rec);
    for (const to of ends.to) {
      if (to === ends.from) continue;
      this.b.event('MESSAGED', ends.from, to, { kind, at: t.at, deleted, original: t.original, props, locator });
    }
  }

  private contact(rec: XryRecord): void {
    const locator = this.locator(rec);
    const name = (this.value(rec, 'name') ?? '').slice(0, 500);
    const source = this.value(rec, 'related application', 'application');
    const deleted = this.deleted(rec);
    let made = 0;
    for (const f of rec.all) {
      if (!f.value) continue;
      const isEmail = /e-?mail/.test(f.key);
      const isNumber = /^(tel|mobile|home|work|number|phone|phone number|other|fax)\b/.test(f.key) && !isEmail;
      if (!isEmail && !isNumber) continue;
      const props: Props = {};
      if (name) props.name = name;
      if (source) props.source = source;
      if (f.key !== 'tel' && f.key !== 'number') props.category = f.key;
      if (deleted) props.deleted = true;
      const aliases = name ? [name] : undefined;
      let target: string;
      if (isEmail || EMAIL.test(f.value)) {
        if (!EMAIL.test(f.value)) continue;
        target = this.b.entity('Email', { label: f.value, props: { address: f.value.toLowerCase() }, aliases, locator });
      } else {
        target = this.b.phone(f.value, { region: this.dev.region, scope: `${this.input.sha256}:${locator}`, locator, aliases }).id;
      }
      this.b.link('HAS_CONTACT', this.dev.deviceId, target, locator, props);
      made++;
    }
    if (made === 0) this.warn(`${locator}: contact${name ? ` "${name.slice(0, 60)}"` : ''} has no number or address; skipped`);
  }
}

/** The XRY importer with default options (date order decided per file, UTC for zone-less times). */
export const xryImporter: Importer = { ...createXryImporter(), module: import.meta.url };
