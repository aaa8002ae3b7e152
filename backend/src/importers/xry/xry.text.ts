// Reading an XRY (MSAB) text export: UTF-16LE with a byte-order mark, a 5-line header starting
// "XRY Export" (line 3 names the report type, e.g. "Calls-Calls"), then records separated by blank lines.
// A record starts with a title such as `Calls #\t1` and holds `Key:\tValue` lines; bare `From`, `To` and
// `Participant` lines set the party that the following `Tel`/`Number`/`Name (Matched)` lines describe.
import { importError } from '../../errors.ts';

export type XryKind = 'calls' | 'messages' | 'contacts';

export interface XryParty {
  role: 'from' | 'to' | 'participant' | null;
  number?: string;
  name?: string;
  line: number;
}

export interface XryField {
  key: string;
  value: string;
  line: number;
}

export interface XryRecord {
  kind: XryKind | null;
  /** the title line as written, e.g. `Calls #\t1` */
  title: string;
  /** number after `#` when the title has one, else the record's ordinal in the file */
  index: number;
  line: number;
  /** fields by lower-cased key (first occurrence; repeats are kept in `all`) */
  fields: Map<string, XryField>;
  all: XryField[];
  parties: XryParty[];
}

export interface XryDocument {
  header: string[];
  reportType: string;
  /** the records, read lazily from the text each time this is iterated (a large export is not held as objects) */
  records: Iterable<XryRecord>;
  /** `Key:` lines whose key is not known, by key (counted for a warning while records are read) */
  unknownKeys: Map<string, number>;
}

/** Keys whose value may continue over the following lines. */
const MULTILINE = new Set(['text', 'message', 'body']);
/** Keys that describe the current party. */
const PARTY_NUMBER = new Set(['tel', 'number', 'phone', 'phone number', 'mobile']);
const PARTY_NAME = new Set(['name (matched)', 'name']);
const KNOWN_KEYS = new Set([
  'tel', 'number', 'phone', 'phone number', 'mobile', 'home', 'work', 'other', 'fax', 'name', 'name (matched)', 'call type', 'type', 'direction',
  'time', 'duration', 'storage', 'index', 'deleted', 'text', 'message', 'body', 'status', 'folder', 'service center', 'reference number',
  'segments', 'segment number', 'related application', 'application', 'service', 'email', 'e-mail', 'email home', 'email work',
  'address home', 'address', 'picture', 'account name', 'from', 'to', 'participant', 'subject', 'network', 'imei', 'msisdn',
]);
const NAMESPACES: Record<string, XryParty['role']> = { from: 'from', to: 'to', participant: 'participant' };
const TITLE = /^\s*([A-Za-z][A-Za-z /-]*?)\s*#\s*(\d+)\s*$/;
const KEY_LINE = /^\s*([^:\t]{1,60}?)\s*:\s*(.*)$/;

export function kindOf(text: string): XryKind | null {
  const t = text.trim().toLowerCase();
  if (/^calls?\b|call log|^calls-/.test(t)) return 'calls';
  if (/^(messages?|sms|mms)\b|^messages-/.test(t)) return 'messages';
  if (/^contacts?\b|phonebook|^contacts-/.test(t)) return 'contacts';
  return null;
}

/** Bytes → text, refusing anything that is not UTF-16LE with its byte-order mark. */
export function decodeXry(buf: Buffer, file: string): string {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    throw importError(file, 'byte 0', 'the file is UTF-8 text; XRY text exports are UTF-16LE (byte-order mark FF FE)');
  }
  if (buf.length < 2 || buf[0] !== 0xff || buf[1] !== 0xfe) {
    throw importError(file, 'byte 0', 'not UTF-16LE: no byte-order mark FF FE (XRY text exports are UTF-16LE; was the file re-saved in another encoding?)');
  }
  if ((buf.length - 2) % 2 !== 0) throw importError(file, `byte ${buf.length - 1}`, 'odd number of bytes after the byte-order mark: not UTF-16LE text (truncated?)');
  const text = buf.toString('utf16le', 2);
  // unpaired surrogates cannot occur in real UTF-16 text (isWellFormed: Node 20+, ES2024)
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw importError(file, '', 'invalid UTF-16LE (unpaired surrogates): not an XRY text export');
  }
  // binary data read as UTF-16 is full of control characters and NULs; text exports have none
  let bad = 0;
  const n = Math.min(text.length, 1_000_000);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) bad++;
  }
  if (bad > 0 && bad > n / 1000) throw importError(file, '', `${bad} control characters in the first ${n} characters: binary data, not UTF-16LE text`);
  return text;
}

/** Lines of a text with their 1-based numbers, without splitting the whole text at once (CRLF, LF or CR). */
function* linesOf(text: string): Generator<[string, number]> {
  const next = lineReader(text);
  for (let l = next(); l !== null; l = next()) yield l;
}

/** A cursor over the lines of a text: each call returns the next line and its number, or null at the end. */
function lineReader(text: string): () => [string, number] | null {
  let pos = 0;
  let n = 0;
  return () => {
    if (pos > text.length) return null;
    let end = pos;
    // scan to the next CR or LF
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    const line = text.slice(pos, end);
    if (end < text.length && text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10) end++;
    pos = end + 1;
    n++;
    return [line, n];
  };
}

/** Reads the header and prepares the records; structural problems throw with the line. */
export function readXry(text: string, file: string): XryDocument {
  const head: [string, number][] = [];
  let firstRecord: number | null = null;
  for (const [line, n] of linesOf(text)) {
    if (head.length === 0 && line.trim() === '') continue;
    if (head.length === 0 && !/^xry export\b/i.test(line.trim())) {
      // no "XRY Export" header: accept the file only when it plainly holds XRY records
      for (const [l, m] of linesOf(text)) {
        if (TITLE.test(l) && kindOf(l.replace(/#.*/, '')) !== null) {
          firstRecord = m;
          break;
        }
        if (m > 1000) break;
      }
      if (firstRecord === null) throw importError(file, `line ${n}`, 'no "XRY Export" header and no XRY record (such as "Calls #\t1"): not an XRY text export');
      break;
    }
    head.push([line.trim(), n]);
    if (head.length === 5) break;
  }
  const header = firstRecord === null ? head.map(([l]) => l) : [];
  const bodyLine = firstRecord ?? (head.length > 0 ? head[head.length - 1][1] + 1 : 1);
  const reportType = firstRecord === null ? header[2] ?? '' : '';
  const unknownKeys = new Map<string, number>();
  const fallbackKind = kindOf(reportType);
  return {
    header, reportType, unknownKeys,
    records: { [Symbol.iterator]: () => records(text, bodyLine, fallbackKind, unknownKeys) },
  };
}

function* records(text: string, bodyLine: number, fallbackKind: XryKind | null, unknownKeys: Map<string, number>): Generator<XryRecord> {
  unknownKeys.clear();
  let rec: XryRecord | null = null;
  let party: XryParty | null = null;
  let role: XryParty['role'] = null;
  let multiline: XryField | null = null;
  let ordinal = 0;

  const next = lineReader(text);
  for (let l = next(); l !== null; l = next()) {
    const [raw, lineNo] = l;
    if (lineNo < bodyLine) continue;
    if (raw.trim() === '') {
      if (rec) yield rec;
      rec = null;
      continue;
    }
    if (!rec) {
      ordinal++;
      const t = TITLE.exec(raw);
      rec = {
        kind: (t ? kindOf(t[1]) : null) ?? fallbackKind, title: raw.trim().replace(/\s*#\s*/, ' #').replace(/\s+/g, ' ').slice(0, 100), index: t ? Number(t[2]) : ordinal,
        line: lineNo, fields: new Map(), all: [], parties: [],
      };
      party = null;
      role = null;
      multiline = null;
      if (t) continue;
      rec.title = `record ${ordinal}`;
    }
    const ns = NAMESPACES[raw.trim().replace(/:$/, '').toLowerCase()];
    if (ns !== undefined && !/:\s*\S/.test(raw)) {
      role = ns;
      party = { role, line: lineNo };
      rec.parties.push(party);
      multiline = null;
      continue;
    }
    const kv = KEY_LINE.exec(raw);
    const key = kv ? kv[1].trim().toLowerCase() : '';
    if (kv && (KNOWN_KEYS.has(key) || !multiline)) {
      const value = kv[2].trim();
      const f: XryField = { key, value, line: lineNo };
      multiline = MULTILINE.has(key) ? f : null;
      if (!KNOWN_KEYS.has(key)) unknownKeys.set(key, (unknownKeys.get(key) ?? 0) + 1);
      if ((key === 'from' || key === 'to' || key === 'participant') && value) {
        // later XRY versions write the party on one line: `From:\t+51…`
        party = { role: NAMESPACES[key], number: value, line: lineNo };
        role = party.role;
        rec.parties.push(party);
        continue;
      }
      if (rec.kind !== 'contacts' && PARTY_NUMBER.has(key)) {
        if (!party || party.number !== undefined) {
          party = { role, line: lineNo };
          rec.parties.push(party);
        }
        party.number = value;
        continue;
      }
      if (rec.kind !== 'contacts' && PARTY_NAME.has(key) && (party || role)) {
        if (!party || party.name !== undefined) {
          party = { role, line: lineNo };
          rec.parties.push(party);
        }
        party.name = value;
        continue;
      }
      rec.all.push(f);
      if (!rec.fields.has(key)) rec.fields.set(key, f);
      continue;
    }
    if (multiline) {
      multiline.value = multiline.value ? `${multiline.value}\n${raw.trim()}` : raw.trim();
      continue;
    }
    unknownKeys.set('(line without key)', (unknownKeys.get('(line without key)') ?? 0) + 1);
  }
  if (rec) yield rec;
}
