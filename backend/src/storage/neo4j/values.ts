// Value conversion at the Neo4j port boundary: JSON props ⇄ native Neo4j properties, ISO strings ⇄
// DateTime, JS numbers ⇄ Integer. Everything read from the driver passes through `plain`, so no driver
// Integer or temporal object ever leaves storage/neo4j.
import neo4j, { isDate, isDateTime, isDuration, isInt, isLocalDateTime, isLocalTime, isTime, type DateTime, type Integer } from 'neo4j-driver';
import { AppError } from '../../errors.ts';
import type { Props } from '../../model/index.ts';

/** Prefix of a user prop stored natively (`number` → `p_number`), so user keys never collide with ours. */
export const PROP_PREFIX = 'p_';
/** Prefix of a user prop Neo4j cannot store natively (empty or mixed-type list), kept as JSON text. */
export const PROP_JSON_PREFIX = 'pj_';
/** Ordered list of the user prop keys (null-valued keys live only here: Neo4j cannot store null). */
export const PROP_KEYS = 'propKeys';

type Scalar = string | number | boolean;

export function toInt(n: number): Integer {
  if (!Number.isSafeInteger(n)) throw new AppError('bad_request', `${n} is not a whole number`);
  return neo4j.int(n);
}

/** A JSON prop value as a native Neo4j property value, or undefined when Neo4j cannot store it as such. */
function nativeValue(v: Scalar | Scalar[]): unknown {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? neo4j.int(v) : v;
  if (v.length === 0) return undefined;
  if (v.every((x) => typeof x === 'string') || v.every((x) => typeof x === 'boolean')) return v;
  if (v.every((x) => typeof x === 'number')) return v.every((x) => Number.isSafeInteger(x)) ? v.map((x) => neo4j.int(x)) : v;
  return undefined;
}

/**
 * Props as Neo4j properties: `p_<key>` holds a native value (strings, booleans, integers, floats, homogeneous
 * lists), `pj_<key>` JSON text for lists Neo4j refuses (empty, mixed), and `propKeys` the key order.
 * Null values are kept by key only. An empty props object yields `{ propKeys: null }` (no property).
 */
export function encodeProps(props: Props): Record<string, unknown> {
  const keys = Object.keys(props);
  const out: Record<string, unknown> = { [PROP_KEYS]: keys.length ? keys : null };
  for (const k of keys) {
    const v = props[k];
    if (v === null || v === undefined) continue;
    const native = nativeValue(v);
    if (native === undefined) out[PROP_JSON_PREFIX + k] = JSON.stringify(v);
    else out[PROP_PREFIX + k] = native;
  }
  return out;
}

/** The props of a node or relationship (already passed through `plain`), in their stored key order. */
export function decodeProps(stored: Record<string, unknown>): Props {
  const keys = Array.isArray(stored[PROP_KEYS]) ? (stored[PROP_KEYS] as string[]) : [];
  const props: Props = {};
  for (const k of keys) {
    if (Object.hasOwn(stored, PROP_PREFIX + k)) props[k] = stored[PROP_PREFIX + k] as Props[string];
    else if (Object.hasOwn(stored, PROP_JSON_PREFIX + k)) props[k] = JSON.parse(String(stored[PROP_JSON_PREFIX + k])) as Props[string];
    else props[k] = null;
  }
  return props;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A UTC ISO-8601 string as a Neo4j DateTime at offset Z (millisecond precision, like the embedded store's text). */
export function isoToDateTime(iso: string): DateTime<Integer> {
  // a date-time without a zone is UTC in Casegraph's model (JS would read it as local time)
  const ms = Date.parse(LOCAL_DATE_TIME.test(iso) ? `${iso}Z` : iso);
  if (Number.isNaN(ms)) throw new AppError('import_failed', `${JSON.stringify(iso.slice(0, 80))} is not an ISO-8601 time`);
  const d = new Date(ms);
  return new neo4j.types.DateTime(
    neo4j.int(d.getUTCFullYear()), neo4j.int(d.getUTCMonth() + 1), neo4j.int(d.getUTCDate()), neo4j.int(d.getUTCHours()),
    neo4j.int(d.getUTCMinutes()), neo4j.int(d.getUTCSeconds()), neo4j.int(d.getUTCMilliseconds() * 1_000_000), neo4j.int(0),
  );
}

const num = (v: number | Integer): number => (isInt(v) ? (v as Integer).toNumber() : (v as number));

/** A Neo4j DateTime as `YYYY-MM-DDTHH:MM:SS.sssZ` — the format the embedded store returns. */
export function dateTimeToIso(v: DateTime<number | Integer>): string {
  const offset = v.timeZoneOffsetSeconds;
  if (offset === undefined || offset === null) return v.toStandardDate().toISOString();
  const d = new Date(0);
  d.setUTCFullYear(num(v.year), num(v.month) - 1, num(v.day));
  d.setUTCHours(num(v.hour), num(v.minute), num(v.second), Math.floor(num(v.nanosecond) / 1_000_000));
  return new Date(d.getTime() - num(offset) * 1000).toISOString();
}

/** Deep conversion of a driver value to plain JSON-like data: Integer → number, DateTime → ISO string. */
export function plain(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (isInt(v)) return (v as Integer).toNumber();
  if (isDateTime(v)) return dateTimeToIso(v as DateTime<number | Integer>);
  if (isDate(v) || isLocalDateTime(v) || isLocalTime(v) || isTime(v) || isDuration(v)) return String(v);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = plain(x);
    return out;
  }
  return v;
}

/** A count or other number from a record (after `plain`), with null for absent. */
export function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Byte order of UTF-8 strings: how SQLite's BINARY collation sorts, so both stores order text alike. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Drops undefined values (the driver cannot send them). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
