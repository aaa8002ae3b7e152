// Reading an unknown CDR's head: its encoding (BOM, else UTF-8 if valid, else windows-1252), delimiter,
// which columns hold what (by well-known header names), and how dates and durations are written.
// Used by detect() and by imports that come without a mapping; an explicit mapping always wins.
import { parse as parseCsvSync } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { compileWallClockPattern } from '../shared/datetime-format.ts';
import { parseIsoLike } from '../shared/time.ts';
import { CdrMapping, type CdrColumns } from './cdr.mapping.ts';

export type CdrEncoding = CdrMapping['encoding'];
export type CdrDelimiter = CdrMapping['delimiter'];

export interface SniffedEncoding {
  encoding: CdrEncoding | 'utf-16be';
  /** bytes of byte-order mark at the start */
  bom: number;
  /** set when the encoding is a guess the user should know about */
  warning?: string;
}

/** Encoding from the first bytes: a BOM decides; else UTF-16LE by its zero bytes; else UTF-8 when valid, windows-1252 otherwise. */
export function sniffEncoding(head: Buffer): SniffedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  const probe = head.subarray(0, Math.min(head.length, 512));
  let oddZeros = 0;
  let evenZeros = 0;
  for (let i = 0; i < probe.length; i++) if (probe[i] === 0) (i % 2 ? oddZeros++ : evenZeros++);
  if (probe.length >= 8 && oddZeros > probe.length / 4 && evenZeros === 0) {
    return { encoding: 'utf-16le', bom: 0, warning: 'no byte-order mark, read as UTF-16LE (zero bytes in every other position)' };
  }
  if (isValidUtf8Head(head)) return { encoding: 'utf-8', bom: 0 };
  return { encoding: 'windows-1252', bom: 0, warning: 'not valid UTF-8: read as windows-1252 (give a mapping with the right encoding if names look wrong)' };
}

/** Valid UTF-8, allowing the head to end inside a multi-byte sequence. */
export function isValidUtf8Head(head: Buffer): boolean {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  try {
    fatal.decode(head);
    return true;
  } catch {
    // a sequence cut by the 64 KiB head is not an error: drop up to 3 trailing bytes from the last lead byte
    for (let k = 1; k <= 3 && k <= head.length; k++) {
      if (head[head.length - k] >= 0xc0) {
        try {
          fatal.decode(head.subarray(0, head.length - k));
          return true;
        } catch {
          return false;
        }
      }
    }
    return false;
  }
}

/** The head as text (BOM removed); a trailing partial line is dropped when the head was cut. */
export function decodeHead(head: Buffer, encoding: CdrEncoding, truncated: boolean): string {
  let text = iconv.decode(head, encoding, { stripBOM: true });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (truncated) {
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    text = cut >= 0 ? text.slice(0, cut) : '';
  }
  return text;
}

const DELIMITERS: CdrDelimiter[] = [';', ',', '\t', '|'];

/** The delimiter occurring most often outside quotes in the header line (`;` wins ties with `,`); undefined when none occurs. */
export function inferDelimiter(headerLine: string): CdrDelimiter | undefined {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: CdrDelimiter | undefined;
  for (const d of DELIMITERS) if (counts.get(d)! > 0 && (!best || counts.get(d)! > counts.get(best)!)) best = d;
  return best;
}

/** Header text → comparison key: accents, case, punctuation and spaces folded away (`A-Party` = `A_PARTY` = `aparty`). */
export function headerKey(h: string): string {
  return h.normalize('NFKD').replace(/\p{M}+/gu, '').toUpperCase().replace(/[^A-Z0-9]+/g, '');
}

const k = (names: string[]) => new Set(names.map(headerKey));
/** Header names seen in operator exports, per mapped column. */
export const KNOWN_HEADERS: Record<keyof CdrColumns, ReadonlySet<string>> = {
  aNumber: k(['CALLING_NO', 'CALLING_NUMBER', 'CALLING_PARTY', 'CALLING_PARTY_NUMBER', 'CALLING', 'A_PARTY', 'A_NUMBER', 'A_NO', 'A_NUM', 'A_MSISDN', 'MSISDN_A',
    'ANUMBER', 'NUMERO_A', 'NUMERO_ORIGEN', 'ORIGEN', 'ORIGINATING_NUMBER', 'CALLER', 'CALLER_NUMBER', 'SOURCE_NUMBER', 'FROM_NUMBER']),
  bNumber: k(['CALLED_NO', 'CALLED_NUMBER', 'CALLED_PARTY', 'CALLED_PARTY_NUMBER', 'CALLED', 'B_PARTY', 'B_NUMBER', 'B_NO', 'B_NUM', 'B_MSISDN', 'MSISDN_B',
    'BNUMBER', 'NUMERO_B', 'NUMERO_DESTINO', 'DESTINO', 'DESTINATION_NUMBER', 'DIALLED_NUMBER', 'DIALED_NUMBER', 'CALLEE', 'CALLEE_NUMBER', 'TERMINATING_NUMBER', 'TO_NUMBER']),
  datetime: k(['DATETIME', 'DATE_TIME', 'CALL_DATETIME', 'CALL_DATE_TIME', 'START_DATETIME', 'START_DATE_TIME', 'TIMESTAMP', 'CALL_START', 'CALL_START_TIME',
    'START', 'EVENT_DATETIME', 'SEIZURE_TIME', 'ANSWER_TIME', 'FECHA_HORA']),
  date: k(['DATE', 'CALL_DATE', 'START_DATE', 'EVENT_DATE', 'FECHA', 'FECHA_LLAMADA']),
  time: k(['TIME', 'CALL_TIME', 'START_TIME', 'EVENT_TIME', 'HORA', 'HORA_LLAMADA', 'HORA_INICIO']),
  duration: k(['DURATION', 'CALL_DURATION', 'DUR', 'DURATION_S', 'DURATION_SEC', 'DURATION_SECS', 'DURATION_SECONDS', 'DURACION', 'SECONDS', 'SEGUNDOS']),
  callType: k(['CALL_TYPE', 'CALLTYPE', 'TYPE', 'RECORD_TYPE', 'EVENT_TYPE', 'SERVICE', 'SERVICE_TYPE', 'DIRECTION', 'TIPO', 'TIPO_LLAMADA']),
  imei: k(['IMEI', 'SERVED_IMEI', 'IMEI_A', 'A_IMEI']),
  imsi: k(['IMSI', 'SERVED_IMSI', 'IMSI_A', 'A_IMSI']),
  cellFirst: k(['CELL_FIRST', 'FIRST_CELL', 'FIRST_CELL_ID', 'CELL_ID_FIRST', 'START_CELL', 'CELL_START', 'CELL_ID', 'CELL', 'CGI', 'FIRST_CGI', 'CELDA_INICIO']),
  cellLast: k(['CELL_LAST', 'LAST_CELL', 'LAST_CELL_ID', 'CELL_ID_LAST', 'END_CELL', 'CELL_END', 'LAST_CGI', 'CELDA_FIN']),
  aName: k(['A_NAME', 'CALLING_NAME', 'A_PARTY_NAME', 'NAME_A', 'SUBSCRIBER_NAME', 'A_SUBSCRIBER', 'NOMBRE_A']),
  bName: k(['B_NAME', 'CALLED_NAME', 'B_PARTY_NAME', 'NAME_B', 'B_SUBSCRIBER', 'NOMBRE_B']),
};

/** Index of the first header matching one of the known names of `field`, or undefined. */
function findHeader(keys: string[], field: keyof CdrColumns, taken: Set<number>): number | undefined {
  const known = KNOWN_HEADERS[field];
  const i = keys.findIndex((key, idx) => !taken.has(idx) && known.has(key));
  return i >= 0 ? i : undefined;
}

export const DATE_PATTERNS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'DD-MM-YYYY', 'YYYY/MM/DD', 'YYYYMMDD', 'YYYY.MM.DD'] as const;
export const TIME_PATTERNS = ['HH:mm:ss', 'HH:mm', 'HHmmss', 'HH.mm.ss'] as const;

/** The first pattern reading every sample; ties between DD/MM and MM/DD go to DD/MM with a warning. */
function guessPattern(samples: string[], candidates: readonly string[], warnings: string[], what: string): string | undefined {
  const values = samples.map((s) => s.trim()).filter(Boolean);
  if (values.length === 0) return undefined;
  const score = (p: string) => {
    if (p === 'ISO') return values.filter((v) => parseIsoLike(v) !== null).length;
    const read = compileWallClockPattern(p);
    return read ? values.filter((v) => read(v) !== null).length : 0;
  };
  const scored = candidates.map((p) => ({ p, n: score(p) }));
  const full = scored.filter((s) => s.n === values.length);
  if (full.length > 0) {
    const first = full[0].p;
    if (first.startsWith('DD/MM') && full.some((s) => s.p.startsWith('MM/DD'))) {
      warnings.push(`${what}: day and month cannot be told apart in the first rows; read as ${first} (give a mapping if they are ${first.replace('DD/MM', 'MM/DD')})`);
    }
    return first;
  }
  // nothing reads every sample: take the best so the offending row fails with its line number
  const best = scored.reduce((a, b) => (b.n > a.n ? b : a));
  return best.n > 0 ? best.p : undefined;
}

function datetimeCandidates(): string[] {
  const out = ['ISO'];
  for (const d of DATE_PATTERNS) for (const t of TIME_PATTERNS) out.push(`${d} ${t}`);
  for (const d of DATE_PATTERNS) for (const t of ['HH:mm:ss', 'HH:mm']) out.push(`${d}T${t}`);
  out.push('YYYYMMDDHHmmss');
  return out;
}

export interface InferredCdr {
  mapping: CdrMapping;
  warnings: string[];
  /** header cells as read, for messages and the UI's mapping editor */
  header: string[];
}

export interface InferFailure {
  /** why no mapping could be inferred (no delimiter, no A/B columns…) */
  problem: string;
  header?: string[];
}

/** Header cells of the first line of `text`, split with the given delimiter. */
function splitHeader(line: string, delimiter: CdrDelimiter): string[] {
  try {
    const rows = parseCsvSync(line, { delimiter, relax_quotes: true, relax_column_count: true, to_line: 1 }) as string[][];
    return rows[0] ?? [];
  } catch {
    return line.split(delimiter);
  }
}

function firstLine(text: string): string {
  const m = /^[^\r\n]*/.exec(text.replace(/^(?:[ \t]*\r?\n)+/, ''));
  return m ? m[0] : '';
}

/**
 * Infers a mapping from the head of a CDR file. Time zone: UTC (the caller warns that it was assumed);
 * region: left out (the import's default region applies).
 */
export function inferCdrMapping(head: Buffer, truncated: boolean): InferredCdr | InferFailure {
  const warnings: string[] = [];
  const enc = sniffEncoding(head);
  if (enc.encoding === 'utf-16be') return { problem: 'UTF-16BE is not supported; convert the file to UTF-8 or UTF-16LE' };
  if (enc.warning) warnings.push(enc.warning);
  const text = decodeHead(head, enc.encoding, truncated);
  const line = firstLine(text);
  const delimiter = inferDelimiter(line);
  if (!delimiter) return { problem: 'the first line has no ; , tab or | separator' };
  const header = splitHeader(line, delimiter);
  const keys = header.map(headerKey);
  const taken = new Set<number>();
  const columns: Partial<Record<keyof CdrColumns, number>> = {};
  const take = (field: keyof CdrColumns) => {
    const i = findHeader(keys, field, taken);
    if (i !== undefined) {
      columns[field] = i;
      taken.add(i);
    }
    return i;
  };
  for (const f of ['aNumber', 'bNumber', 'aName', 'bName', 'date', 'datetime', 'time', 'duration', 'callType', 'imei', 'imsi', 'cellLast', 'cellFirst'] as const) take(f);
  if (columns.aNumber === undefined || columns.bNumber === undefined) {
    return { problem: `no ${columns.aNumber === undefined ? 'A-number (calling party)' : 'B-number (called party)'} column among the header names; import with an explicit mapping`, header };
  }

  let samples: string[][] = [];
  try {
    samples = (parseCsvSync(text, { delimiter, relax_column_count: true, skip_empty_lines: true, to_line: 60 }) as string[][]).slice(1, 51);
  } catch {
    samples = [];
  }
  const col = (i: number | undefined) => (i === undefined ? [] : samples.map((r) => r[i] ?? ''));

  let dateFormat: string | undefined;
  let timeFormat: string | undefined;
  // a DATE column may hold whole date-times, and a TIME-named column (START_TIME) may too
  if (columns.date !== undefined) {
    const asDateTime = guessPattern(col(columns.date), datetimeCandidates(), [], 'date');
    const asDate = guessPattern(col(columns.date), DATE_PATTERNS, warnings, `column "${header[columns.date]}"`);
    if (!asDate && asDateTime && columns.datetime === undefined) {
      columns.datetime = columns.date;
      delete columns.date;
      delete columns.time;
    } else {
      delete columns.datetime;
      dateFormat = asDate;
      if (columns.time !== undefined) timeFormat = guessPattern(col(columns.time), TIME_PATTERNS, warnings, `column "${header[columns.time]}"`);
    }
  } else if (columns.datetime === undefined && columns.time !== undefined) {
    columns.datetime = columns.time;
    delete columns.time;
  } else {
    delete columns.time;
  }
  if (columns.datetime !== undefined) {
    dateFormat = guessPattern(col(columns.datetime), datetimeCandidates(), warnings, `column "${header[columns.datetime]}"`) ?? 'ISO';
  }
  if (columns.date === undefined && columns.datetime === undefined) {
    return { problem: 'no date or date-time column among the header names; import with an explicit mapping', header };
  }

  const durations = col(columns.duration).map((s) => s.trim()).filter(Boolean);
  const colons = Math.max(0, ...durations.map((d) => (d.match(/:/g) ?? []).length));
  const durationFormat = colons >= 2 ? 'hh:mm:ss' : colons === 1 ? 'mm:ss' : 'seconds';
  const decimalComma = durations.some((d) => /^\d+,\d+$/.test(d));

  const named: Record<string, string | number> = {};
  const lower = header.map((h) => h.trim().toLowerCase());
  // by name where the name is unique (readable when the mapping is shown or saved), else by index
  for (const [f, i] of Object.entries(columns)) {
    if (i !== undefined) named[f] = lower[i] && lower.indexOf(lower[i]) === lower.lastIndexOf(lower[i]) ? header[i].trim() : i;
  }
  const mapping = CdrMapping.parse({
    delimiter, encoding: enc.encoding, header: true, columns: named,
    dateFormat: dateFormat ?? 'YYYY-MM-DD', timeFormat: timeFormat ?? 'HH:mm:ss', durationFormat, decimalComma, timeZone: 'UTC',
  });
  return { mapping, warnings, header };
}

/** Cheap check for detect(): a delimited header naming both an A-number and a B-number column. */
export function looksLikeCdr(head: Buffer): boolean {
  const enc = sniffEncoding(head);
  if (enc.encoding === 'utf-16be') return false;
  const text = decodeHead(head.subarray(0, Math.min(head.length, 8192)), enc.encoding, false);
  const line = firstLine(text);
  const delimiter = inferDelimiter(line);
  if (!delimiter) return false;
  const keys = splitHeader(line, delimiter).map(headerKey);
  return keys.some((x) => KNOWN_HEADERS.aNumber.has(x)) && keys.some((x) => KNOWN_HEADERS.bNumber.has(x));
}
