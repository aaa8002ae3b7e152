// vCard 2.1 / 3.0 / 4.0 reader: physical lines → unfolded content lines → cards of decoded properties,
// each with the line it started on. Pure: text in, cards out; structural breaks throw with `line N`.
import iconv from 'iconv-lite';
import { importError } from '../../errors.ts';

export interface VcardProperty {
  group?: string;
  /** upper-cased property name (TEL, FN, X-ABLABEL…) */
  name: string;
  /** upper-cased parameter names → values as written (TYPE values split on commas) */
  params: Map<string, string[]>;
  /** decoded (charset, quoted-printable) but still escaped value */
  raw: string;
  line: number;
}

export interface VcardCard {
  version?: string;
  line: number;
  /** true when the file ended before END:VCARD */
  unterminated: boolean;
  props: VcardProperty[];
}

export interface VcardWarning {
  line: number;
  message: string;
}

/**
 * Turns the file's bytes into a "byte string" (one char per byte) so each value can be decoded with
 * its own CHARSET: UTF-16 files (BOM) are converted to UTF-8 first, a UTF-8 BOM is dropped.
 */
export function toByteString(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(iconv.decode(bytes.subarray(2), 'utf16le'), 'utf8').toString('latin1');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(iconv.decode(bytes.subarray(2), 'utf16be'), 'utf8').toString('latin1');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('latin1');
  return bytes.toString('latin1');
}

/** True when the head of a file opens with BEGIN:VCARD (after an optional BOM and blank lines). */
export function looksLikeVcard(head: Buffer): boolean {
  const text = toByteString(head.subarray(0, 4096));
  return /^\s*BEGIN:VCARD[ \t]*(\r\n|\n|\r|$)/i.test(text);
}

interface LogicalLine {
  text: string;
  line: number;
}

/** Unfolds physical lines: CRLF + space/tab continues (RFC 2425/6350); a QP value ending in `=` continues too (2.1). */
function* logicalLines(bytes: string): Generator<LogicalLine> {
  const physical = bytes.split(/\r\n|\n|\r/);
  let current: LogicalLine | undefined;
  let qp = false;
  for (let i = 0; i < physical.length; i++) {
    const text = physical[i];
    // a quoted-printable soft line break: `=` at the end, the value goes on at the next line
    if (current && qp && current.text.endsWith('=')) {
      current.text = current.text.slice(0, -1) + text;
      continue;
    }
    if (current && (text.startsWith(' ') || text.startsWith('\t'))) {
      current.text += text.slice(1);
      continue;
    }
    if (current) yield current;
    current = { text, line: i + 1 };
    qp = isQuotedPrintableLine(text);
  }
  if (current) yield current;
}

function isQuotedPrintableLine(text: string): boolean {
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  return /;\s*(ENCODING\s*=\s*)?QUOTED-PRINTABLE\b/i.test(head);
}

/** Splits `[group.]NAME;PARAM=…:value` at the first colon outside double quotes. */
function splitContentLine(text: string): { group?: string; name: string; params: Map<string, string[]>; value: string } | null {
  let inQuote = false;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === ':' && !inQuote) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const head = text.slice(0, colon);
  const parts = splitOutsideQuotes(head, ';');
  const m = /^\s*(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)\s*$/.exec(parts[0]);
  if (!m) return null;
  const params = new Map<string, string[]>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    // vCard 2.1 writes bare types: TEL;CELL;VOICE:…
    const key = (eq < 0 ? 'TYPE' : p.slice(0, eq)).trim().toUpperCase();
    const raw = eq < 0 ? p : p.slice(eq + 1);
    // TYPE lists come bare (TYPE=work,voice) or quoted (TYPE="work,voice" in 4.0)
    const values = key === 'TYPE' ? splitOutsideQuotes(raw, ',').flatMap((v) => unquote(v).split(',')).map((v) => v.trim()) : [unquote(raw)];
    params.set(key, [...(params.get(key) ?? []), ...values.filter((v) => v !== '')]);
  }
  return { group: m[1], name: m[2].toUpperCase(), params, value: text.slice(colon + 1) };
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (const c of s) {
    if (c === '"') inQuote = !inQuote;
    if (c === sep && !inQuote) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Decodes a value's bytes: quoted-printable when the params say so, then the CHARSET (UTF-8 by default). */
function decodeValue(byteValue: string, params: Map<string, string[]>, warn: (m: string) => void): string {
  const encoding = (params.get('ENCODING')?.[0] ?? (params.get('TYPE')?.some((t) => /^quoted-printable$/i.test(t)) ? 'QUOTED-PRINTABLE' : '')).toUpperCase();
  let bytes: Buffer = Buffer.from(byteValue, 'latin1');
  if (encoding === 'QUOTED-PRINTABLE') bytes = decodeQuotedPrintable(byteValue);
  const charset: string = params.get('CHARSET')?.[0]?.trim() || 'UTF-8';
  if (!iconv.encodingExists(charset)) {
    warn(`unknown CHARSET "${String(charset).slice(0, 40)}"; read as UTF-8`);
    return bytes.toString('utf8');
  }
  return iconv.decode(bytes, charset);
}

export function decodeQuotedPrintable(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d /* = */ && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/** RFC 6350 §3.4 escapes: `\\ \, \; \n \N`. */
export function unescapeText(s: string): string {
  return s.replace(/\\([\\,;nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** A structured value (N, ADR, ORG) split on unescaped semicolons, each part unescaped. */
export function splitStructured(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ';') {
      out.push(unescapeText(cur));
      cur = '';
    } else cur += s[i];
  }
  out.push(unescapeText(cur));
  return out;
}

/**
 * Reads the cards of a file. Warnings (skippable lines, an unterminated last card) go to `warn`;
 * structural breaks (END without BEGIN, nested BEGIN, another BEGIN/END block) throw `line N`.
 * `keep` limits the properties decoded and returned (upper-case names).
 */
export function* readVcards(file: string, bytes: Buffer, warn: (w: VcardWarning) => void, keep?: ReadonlySet<string>): Generator<VcardCard> {
  let card: VcardCard | undefined;
  let cards = 0;
  for (const { text, line } of logicalLines(toByteString(bytes))) {
    if (text.trim() === '') continue;
    const parsed = splitContentLine(text);
    const name = parsed?.name;
    const value = parsed?.value.trim().toUpperCase();
    if (name === 'BEGIN') {
      if (value !== 'VCARD') throw importError(file, `line ${line}`, `BEGIN:${parsed!.value.trim().slice(0, 40)} is not a vCard block`);
      if (card) throw importError(file, `line ${line}`, `BEGIN:VCARD inside the card opened at line ${card.line} (nested cards are not supported)`);
      card = { line, unterminated: false, props: [] };
      continue;
    }
    if (name === 'END') {
      if (value !== 'VCARD') throw importError(file, `line ${line}`, `END:${parsed!.value.trim().slice(0, 40)} does not close a vCard`);
      if (!card) throw importError(file, `line ${line}`, 'END:VCARD without a BEGIN:VCARD');
      cards++;
      yield card;
      card = undefined;
      continue;
    }
    if (!card) {
      warn({ line, message: 'text outside a BEGIN:VCARD … END:VCARD block; skipped' });
      continue;
    }
    if (!parsed) {
      warn({ line, message: `not a vCard content line ("${text.slice(0, 40)}"); skipped` });
      continue;
    }
    if (parsed.name === 'VERSION') {
      card.version = parsed.value.trim();
      continue;
    }
    // properties nobody reads (PHOTO and other large BASE64 blobs) are not decoded
    if (keep && !keep.has(parsed.name)) continue;
    const raw = decodeValue(parsed.value, parsed.params, (m) => warn({ line, message: m }));
    card.props.push({ group: parsed.group?.toLowerCase(), name: parsed.name, params: parsed.params, raw, line });
  }
  if (card) {
    warn({ line: card.line, message: 'card has no END:VCARD before the end of the file; read as far as it goes' });
    card.unterminated = true;
    cards++;
    yield card;
  }
  if (cards === 0) throw importError(file, 'line 1', 'no BEGIN:VCARD found: not a vCard file');
}
