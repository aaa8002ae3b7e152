// SYNTHETIC scam-network generator: a deterministic, invented call-record set in the shape of the Lima
// case (Peruvian compound lines and call-centre hubs, Taiwanese handlers, Malaysian and Taiwanese targets,
// the trafficked workers' families; a raid on 2023-10-07 after which the compound goes quiet and a new
// number takes over part of its contacts). Nothing here is real data. Written as CDR CSV (streamed, so a
// million rows run in bounded memory) or yielded as edges for benchmarks. Files are named
// `synthetic-*.csv` because CSV cannot carry a comment saying so.
//
//   tsx seed/generators/network.ts synthetic-network.csv --rows 1000000 [--seed 1] [--delimiter ';'] [--date-format DD/MM/YYYY]
import { luhnCheckDigit } from '../../backend/src/model/normalise.ts';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CdrMapping } from '../../backend/src/importers/cdr/cdr.mapping.ts';
import { compileWallClockPattern } from '../../backend/src/importers/shared/datetime-format.ts';
import { rng, type Rng } from './prng.ts';

export type CdrDelimiter = ',' | ';' | '\t' | '|';

export interface NetworkOptions {
  /** same seed (and options) → byte-identical output */
  seed?: number;
  /** records to produce (CSV data rows; edges skip the ~1% data-session rows) */
  rows?: number;
  delimiter?: CdrDelimiter;
  /** date column pattern (date tokens only): DD/MM/YYYY (default), YYYY-MM-DD, MM/DD/YYYY, DD.MM.YYYY, YYYYMMDD… */
  dateFormat?: string;
}

export interface SyntheticEdge {
  /** E.164 of caller / sender */
  from: string;
  to: string;
  at: Date;
  durationS: number;
  kind: 'call' | 'sms';
}

/** One generated record with everything the CSV writes. */
export interface SyntheticRow extends Omit<SyntheticEdge, 'kind' | 'to'> {
  kind: 'call' | 'sms' | 'data';
  /** empty for data sessions */
  to: string;
  fromText: string;
  toText: string;
  callType: 'MO' | 'MT' | 'SMS-MO' | 'SMS-MT' | 'GPRS';
  imei: string;
  imsi: string;
  cellFirst: string;
  cellLast: string;
  /** what the row stands for in the story (not written to the CSV) */
  scenario: string;
}

export const SYNTHETIC_CDR_HEADER = ['CALLING_NO', 'CALLED_NO', 'CALL_DATE', 'CALL_TIME', 'DURATION', 'CALL_TYPE', 'IMEI', 'IMSI', 'CELL_FIRST', 'CELL_LAST'] as const;

/**
 * The mapping that reads the generator's CSV. National-format numbers in it are Malaysian (region MY: the
 * set stands for records compiled for the Malaysian side), times are Lima local time.
 */
export function syntheticCdrMapping(opts: Pick<NetworkOptions, 'delimiter' | 'dateFormat'> = {}): CdrMapping {
  return CdrMapping.parse({
    name: 'synthetic-network', delimiter: opts.delimiter ?? ';', encoding: 'utf-8', header: true,
    columns: {
      aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', date: 'CALL_DATE', time: 'CALL_TIME', duration: 'DURATION', callType: 'CALL_TYPE',
      imei: 'IMEI', imsi: 'IMSI', cellFirst: 'CELL_FIRST', cellLast: 'CELL_LAST',
    },
    dateFormat: opts.dateFormat ?? 'DD/MM/YYYY', timeFormat: 'HH:mm:ss', durationFormat: 'seconds', decimalComma: false,
    timeZone: 'America/Lima', region: 'MY',
  });
}
export const SYNTHETIC_CDR_MAPPING: CdrMapping = syntheticCdrMapping();

// Lima has had no daylight saving time since 1994: local time is UTC−5 for the whole period.
const LIMA_OFFSET_MS = -5 * 3600_000;
const limaToUtc = (y: number, mo: number, d: number, h = 0) => Date.UTC(y, mo - 1, d, h) - LIMA_OFFSET_MS;
export const NETWORK_START = new Date(limaToUtc(2023, 9, 1));
/** the raid on the La Molina house, early morning Lima time */
export const NETWORK_RAID = new Date(limaToUtc(2023, 10, 7, 6));
export const NETWORK_END = new Date(limaToUtc(2023, 11, 1));

interface Line {
  e164: string;
  /** ways the number is written in records */
  spellings: string[];
  imei: string;
  imsi: string;
  cells: string[];
}

interface Cast {
  hubs: Line[];
  compound: Line[];
  mobiles: Line[];
  handlers: Line[];
  successor: Line;
  family: Line[];
  targetsMy: Line[];
  targetsTw: Line[];
  /** targets the successor line takes over after the raid */
  takenOver: Line[];
}

function digits(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(r.int(0, 9));
  return s;
}


/** A synthetic IMEI: a made-up TAC, serial, and a valid Luhn check digit. */
function imei(r: Rng): string {
  const body = `35${digits(r, 12)}`;
  return body + String(luhnCheckDigit(body));
}

/** Builds the people and lines of the story; every number is unique. */
function buildCast(r: Rng, rows: number): Cast {
  const used = new Set<string>();
  const unique = (make: () => string) => {
    for (;;) {
      const n = make();
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
  };
  const compoundCells = ['716-10-1201-30041', '716-10-1201-30042', '716-10-1201-30043', '716-10-1202-30107'];
  const pe = (kind: 'land' | 'mobile', devices: string[] | undefined, cells: string[]): Line => {
    const nsn = kind === 'land' ? unique(() => `1${r.pick(['4', '2', '7'])}${digits(r, 6)}`) : unique(() => `9${digits(r, 8)}`);
    const e164 = `+51${nsn}`;
    const spaced = kind === 'land' ? `+51 1 ${nsn.slice(1, 4)} ${nsn.slice(4)}` : `+51 ${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`;
    return { e164, spellings: [e164, `0051${nsn}`, spaced], imei: devices ? r.pick(devices) : imei(r), imsi: `71610${digits(r, 10)}`, cells };
  };
  // 60 compound lines on 45 handsets (SIMs move between phones): 10 landlines (4 are the call-centre hubs) and 50 mobiles
  const handsets = Array.from({ length: 45 }, () => imei(r));
  const land = Array.from({ length: 10 }, () => pe('land', handsets, compoundCells));
  const mobiles = Array.from({ length: 50 }, () => pe('mobile', handsets, compoundCells));
  const hubs = land.slice(0, 4);
  const handlerCells = ['716-10-1100-20011', '716-10-1100-20012', '716-10-1104-20230'];
  const handlers = Array.from({ length: 5 }, () => {
    const nsn = unique(() => `9${digits(r, 8)}`);
    const e164 = `+886${nsn}`;
    return { e164, spellings: [e164, `00886${nsn}`, `+886 ${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`], imei: imei(r), imsi: `46692${digits(r, 10)}`, cells: handlerCells };
  });
  // after the raid a new line appears, in a handset that escaped the raid, in another district
  const successor = pe('mobile', undefined, ['716-10-1305-41001', '716-10-1305-41002', '716-10-1305-41003']);
  successor.imei = handsets[7];
  successor.imsi = `71606${digits(r, 10)}`;

  const my = (kind: 'mobile' | 'land'): Line => {
    const nsn = kind === 'mobile' ? unique(() => `1${r.pick(['2', '3', '6', '7', '9'])}${digits(r, 7)}`) : unique(() => `3${digits(r, 8)}`);
    const e164 = `+60${nsn}`;
    const spaced = kind === 'mobile' ? `${nsn.slice(0, 2)}-${nsn.slice(2, 5)} ${nsn.slice(5)}` : `${nsn.slice(0, 1)}-${nsn.slice(1, 5)} ${nsn.slice(5)}`;
    return { e164, spellings: [e164, `+60 ${spaced}`, `0060${nsn}`, `0${nsn}`, `0${spaced}`], imei: '', imsi: '', cells: [] };
  };
  const tw = (): Line => {
    const nsn = r.chance(0.85) ? unique(() => `9${digits(r, 8)}`) : unique(() => `2${digits(r, 8)}`);
    const e164 = `+886${nsn}`;
    return { e164, spellings: [e164, `00886${nsn}`, `+886 ${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`], imei: '', imsi: '', cells: [] };
  };
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
  const family = Array.from({ length: 43 }, () => my('mobile'));
  const targetsMy = Array.from({ length: clamp(rows * 0.04, 100, 40_000) }, () => my(r.chance(0.85) ? 'mobile' : 'land'));
  const targetsTw = Array.from({ length: clamp(rows * 0.01, 30, 10_000) }, () => tw());
  const takenOver = [...targetsMy.filter((_, i) => i % 3 === 0), ...targetsTw.filter((_, i) => i % 3 === 0)];
  return { hubs, compound: [...land, ...mobiles], mobiles, handlers, successor, family, targetsMy, targetsTw, takenOver };
}

/** Skewed pick: low indexes much more often (a few numbers get most of the traffic). */
function skewed<T>(r: Rng, a: readonly T[], power = 2): T {
  return a[Math.min(a.length - 1, Math.floor(a.length * r.next() ** power))];
}

/**
 * The records of the synthetic network, in time order. Deterministic for given options. 80% fall before
 * the raid; after it the compound lines never appear again.
 */
export function* syntheticRows(opts: NetworkOptions = {}): Generator<SyntheticRow> {
  const rows = Math.max(0, Math.floor(opts.rows ?? 10_000));
  const seed = opts.seed ?? 1;
  const cast = buildCast(rng(seed), rows);
  const r = rng((seed ^ 0x9e3779b9) >>> 0);
  const preRows = Math.round(rows * 0.8);
  const pre = NETWORK_RAID.getTime() - NETWORK_START.getTime();
  const post = NETWORK_END.getTime() - NETWORK_RAID.getTime();
  const target = () => (r.chance(0.8) ? skewed(r, cast.targetsMy) : skewed(r, cast.targetsTw));
  const shortCall = () => (r.chance(0.7) ? r.int(0, 30) : r.int(31, 900));
  const longCall = () => r.int(20, 1800);

  for (let i = 0; i < rows; i++) {
    const slot = i < preRows ? NETWORK_START.getTime() + ((i + r.next()) / preRows) * pre : NETWORK_RAID.getTime() + ((i - preRows + r.next()) / (rows - preRows)) * post;
    const at = new Date(Math.floor(slot / 1000) * 1000);
    let a: Line;
    let b: Line | undefined;
    let type: SyntheticRow['callType'] = 'MO';
    let durationS = 0;
    let scenario: string;
    const u = r.next();
    if (i < preRows) {
      if (u < 0.45) {
        [a, b, durationS, scenario] = [skewed(r, cast.hubs, 1.5), target(), shortCall(), 'hub calls target'];
      } else if (u < 0.57) {
        [a, b, durationS, scenario] = [r.pick(cast.mobiles), target(), shortCall(), 'compound mobile calls target'];
      } else if (u < 0.65) {
        [a, b, durationS, scenario, type] = [target(), r.pick(cast.compound), shortCall(), 'target calls back', 'MT'];
      } else if (u < 0.72) {
        [a, b, scenario, type] = [r.pick(cast.compound), target(), 'compound texts target', 'SMS-MO'];
      } else if (u < 0.85) {
        const h = skewed(r, cast.handlers, 2.5);
        const c = r.chance(0.5) ? skewed(r, cast.hubs) : r.pick(cast.compound);
        if (r.chance(0.5)) [a, b, type] = [h, c, 'MT'];
        else [a, b] = [c, h];
        [durationS, scenario] = [longCall(), 'handler and compound'];
      } else if (u < 0.9) {
        const h1 = skewed(r, cast.handlers, 2.5);
        let h2 = r.pick(cast.handlers);
        if (h2 === h1) h2 = cast.handlers[(cast.handlers.indexOf(h1) + 1) % cast.handlers.length];
        [a, b, durationS, scenario] = [h1, h2, longCall(), 'handlers'];
      } else if (u < 0.96) {
        const k = r.int(0, cast.mobiles.length - 1);
        const worker = cast.mobiles[k];
        const home = cast.family[k % cast.family.length];
        const sms = r.chance(0.4);
        if (r.chance(0.7)) [a, b, type] = [worker, home, sms ? 'SMS-MO' : 'MO'];
        else [a, b, type] = [home, worker, sms ? 'SMS-MT' : 'MT'];
        [durationS, scenario] = [sms ? 0 : longCall(), 'worker and family'];
      } else if (u < 0.99) {
        [a, b, durationS, scenario] = [r.pick(cast.mobiles), skewed(r, cast.hubs), r.int(5, 300), 'inside the compound'];
      } else {
        [a, b, type, durationS, scenario] = [r.pick(cast.mobiles), undefined, 'GPRS', r.int(60, 3600), 'data session'];
      }
    } else if (u < 0.4) {
      [a, b, durationS, scenario] = [cast.successor, skewed(r, cast.takenOver), shortCall(), 'successor calls taken-over target'];
    } else if (u < 0.5) {
      [a, b, scenario, type] = [cast.successor, skewed(r, cast.takenOver), 'successor texts taken-over target', 'SMS-MO'];
    } else if (u < 0.75) {
      const h = skewed(r, cast.handlers, 2.5);
      if (r.chance(0.5)) [a, b, type] = [h, cast.successor, 'MT'];
      else [a, b] = [cast.successor, h];
      [durationS, scenario] = [longCall(), 'handler and successor'];
    } else if (u < 0.95) {
      const h1 = skewed(r, cast.handlers, 2.5);
      const h2 = cast.handlers[(cast.handlers.indexOf(h1) + r.int(1, cast.handlers.length - 1)) % cast.handlers.length];
      [a, b, durationS, scenario] = [h1, h2, longCall(), 'handlers'];
    } else if (u < 0.99) {
      [a, b, durationS, scenario] = [skewed(r, cast.handlers, 2.5), skewed(r, cast.targetsTw), shortCall(), 'handler calls Taiwanese target'];
    } else {
      [a, b, type, durationS, scenario] = [cast.successor, undefined, 'GPRS', r.int(60, 3600), 'data session'];
    }
    const served = type === 'MT' || type === 'SMS-MT' ? b! : a;
    const kind = type === 'GPRS' ? 'data' : type.startsWith('SMS') ? 'sms' : 'call';
    const cellFirst = served.cells.length ? r.pick(served.cells) : '';
    const cellLast = cellFirst && kind !== 'sms' && r.chance(0.3) ? r.pick(served.cells) : cellFirst;
    yield {
      from: a.e164, to: b?.e164 ?? '', fromText: r.pick(a.spellings), toText: b ? r.pick(b.spellings) : '', at, durationS: kind === 'sms' ? 0 : durationS, kind,
      callType: type, imei: served.imei, imsi: served.imsi, cellFirst, cellLast: kind === 'sms' ? '' : cellLast, scenario,
    };
  }
}

/** The network as edges (calls and SMS; data sessions skipped) for building a graph without CSV. */
export function* syntheticNetworkEdges(opts: NetworkOptions = {}): Generator<SyntheticEdge> {
  for (const row of syntheticRows(opts)) {
    if (row.kind === 'data') continue;
    yield { from: row.from, to: row.to, at: row.at, durationS: row.durationS, kind: row.kind };
  }
}

/** Formats a UTC instant as Lima local date (in `pattern`) and HH:mm:ss. */
function limaFormatter(pattern: string): (at: Date) => [string, string] {
  if (!compileWallClockPattern(pattern) || /HH|mm|ss/.test(pattern) || !/YYYY/.test(pattern)) {
    throw new Error(`dateFormat "${pattern}" must be a date-only pattern such as DD/MM/YYYY or YYYYMMDD`);
  }
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (at) => {
    const l = new Date(at.getTime() + LIMA_OFFSET_MS);
    const date = pattern.replace('YYYY', String(l.getUTCFullYear())).replace('MM', p2(l.getUTCMonth() + 1)).replace('DD', p2(l.getUTCDate()));
    return [date, `${p2(l.getUTCHours())}:${p2(l.getUTCMinutes())}:${p2(l.getUTCSeconds())}`];
  };
}

/**
 * Writes the synthetic network as CDR CSV (header + `rows` records) with bounded memory, honouring
 * back-pressure. Name the file `synthetic-*.csv`. Returns the row count and how many distinct numbers appear.
 */
export async function writeSyntheticCdr(path: string, opts: NetworkOptions = {}): Promise<{ rows: number; distinctNumbers: number }> {
  const delimiter = opts.delimiter ?? ';';
  const format = limaFormatter(opts.dateFormat ?? 'DD/MM/YYYY');
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw err;
  });
  failed.catch(() => undefined);
  const numbers = new Set<string>();
  let rows = 0;
  let buf = `${SYNTHETIC_CDR_HEADER.join(delimiter)}\n`;
  const drain = async () => {
    if (!out.write(buf)) await Promise.race([once(out, 'drain'), failed]);
    buf = '';
  };
  for (const row of syntheticRows(opts)) {
    const [date, time] = format(row.at);
    buf += `${[row.fromText, row.toText, date, time, String(row.durationS), row.callType, row.imei, row.imsi, row.cellFirst, row.cellLast].join(delimiter)}\n`;
    numbers.add(row.from);
    if (row.to) numbers.add(row.to);
    rows++;
    if (buf.length >= 64 * 1024) await drain();
  }
  if (buf) await drain();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { rows, distinctNumbers: numbers.size };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { rows: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, delimiter: { type: 'string', default: ';' }, 'date-format': { type: 'string', default: 'DD/MM/YYYY' } },
  });
  const out = positionals[0];
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  const delimiter = values.delimiter === '\\t' || values.delimiter === 'tab' ? '\t' : values.delimiter;
  if (!out || !Number.isInteger(rows) || rows < 0 || !Number.isInteger(seed) || ![',', ';', '\t', '|'].includes(delimiter)) {
    process.stderr.write('usage: tsx seed/generators/network.ts <synthetic-*.csv> [--rows N] [--seed N] [--delimiter ";"|","|tab|"|"] [--date-format DD/MM/YYYY]\n');
    process.exitCode = 2;
    return;
  }
  if (!/^synthetic-/.test(basename(out))) process.stderr.write(`note: name synthetic data files synthetic-*.csv (got ${basename(out)})\n`);
  const started = Date.now();
  const r = await writeSyntheticCdr(out, { rows, seed, delimiter: delimiter as CdrDelimiter, dateFormat: values['date-format'] });
  process.stdout.write(`${out}: ${r.rows} synthetic rows, ${r.distinctNumbers} distinct numbers, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
