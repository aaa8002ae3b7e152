// Time conversions every device importer needs: epochs in ms / s / ns, Apple's 2001 epoch, .NET
// TimeSpan durations, and local wall-clock times in an explicit IANA zone. All results are UTC Dates.

export const APPLE_EPOCH_OFFSET_S = 978_307_200; // 2001-01-01T00:00:00Z in Unix seconds

/** Unix epoch in milliseconds (Android `date`). */
export function fromUnixMs(ms: number): Date {
  return new Date(ms);
}

/** Unix epoch in seconds (MMS `pdu.date`). */
export function fromUnixSeconds(s: number): Date {
  return new Date(s * 1000);
}

/**
 * Apple Cocoa time: seconds since 2001-01-01 UTC; iOS 11+ `sms.db` stores nanoseconds instead,
 * told apart by magnitude (anything above 1e15 is nanoseconds).
 */
export function fromAppleTime(v: number): Date {
  const seconds = Math.abs(v) > 1e15 ? v / 1e9 : v;
  return new Date((seconds + APPLE_EPOCH_OFFSET_S) * 1000);
}

/** .NET TimeSpan text `[d.]HH:MM:SS[.fffffff]` (Cellebrite durations) → seconds; null when malformed. */
export function parseTimeSpan(text: string): number | null {
  const m = /^\s*(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\s*$/.exec(text);
  if (!m) return null;
  const [, days, h, mi, s, frac] = m;
  const total = Number(days ?? 0) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s) + (frac ? Number(`0.${frac}`) : 0);
  return Number.isFinite(total) ? total : null;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset of an IANA zone from UTC, in minutes, at a given instant. Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  // formatters are costly to build and importers convert millions of times: keep one per zone
  let fmt = zoneFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    if (zoneFormats.size < 100) zoneFormats.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock time in `timeZone` → the UTC instant (handles DST by re-checking the offset once). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  let t = guess - zoneOffsetMinutes(timeZone, new Date(guess)) * 60000;
  const again = guess - zoneOffsetMinutes(timeZone, new Date(t)) * 60000;
  if (again !== t) t = again;
  return new Date(t);
}

/**
 * ISO-8601 text as devices write it. With an offset or Z it is exact; without one the time is read in
 * `assumeZone` (and the caller records that assumption). Returns null when the text is not a date.
 */
export function parseIsoLike(text: string, assumeZone = 'UTC'): { at: Date; assumedZone?: string } | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac, zone] = m;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  if (zone) {
    const off = zone.toUpperCase() === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + ms - off * 60000;
    return { at: new Date(t) };
  }
  const at = zonedToUtc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), assumeZone);
  return { at: new Date(at.getTime() + ms), assumedZone: assumeZone };
}

/** A plausibility window for device timestamps: outside it the value is most likely in the wrong unit. */
export function plausible(d: Date): boolean {
  const t = d.getTime();
  return Number.isFinite(t) && t > Date.UTC(1990, 0, 1) && t < Date.UTC(2100, 0, 1);
}

/** Which way round a slashed date is written: month first (US) or day first (most of the world). */
export type DateOrder = 'MDY' | 'DMY';

export interface SlashDateTime {
  /** first and second date components as written (month/day or day/month) */
  first: number;
  second: number;
  year: number;
  hour: number;
  minute: number;
  second_: number;
  /** 'AM' | 'PM' when a 12-hour clock is used */
  meridiem?: 'AM' | 'PM';
  /** offset from UTC in minutes when the text gives one (`UTC+4`, `GMT-07:00`, `+0200`) */
  offsetMin?: number;
  /** a trailing parenthesised label such as `Device` or `Network` */
  label?: string;
}

const SLASH_DATE_TIME =
  /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})[\sT,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*([AaPp]\.?[Mm]\.?)?\s*(?:\(?\s*(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*\)?|\(?\s*(?:UTC|GMT|Z)\s*\)?)?\s*(?:\(([^)]*)\))?\s*$/;

/**
 * Splits a locale-formatted date and time such as `1/2/2019 1:23:45 PM (Device)` or
 * `13/02/2019 13:23:45 UTC+4`. Returns null when the text has another shape. Which component is the month
 * is not decided here: see `slashDateToUtc`.
 */
export function splitSlashDateTime(text: string): SlashDateTime | null {
  const m = SLASH_DATE_TIME.exec(text);
  if (!m) return null;
  const [, a, b, y, h, mi, s = '0', mer, sign, oh, om = '0', label] = m;
  let year = Number(y);
  if (y.length === 2) year += year < 70 ? 2000 : 1900;
  const out: SlashDateTime = { first: Number(a), second: Number(b), year, hour: Number(h), minute: Number(mi), second_: Number(s) };
  if (mer) out.meridiem = mer.toUpperCase().startsWith('A') ? 'AM' : 'PM';
  if (sign) out.offsetMin = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  else if (/\b(UTC|GMT|Z)\b/.test(text.replace(/\([^)]*\)\s*$/, ''))) out.offsetMin = 0;
  if (label) out.label = label.trim();
  return out;
}

/**
 * The UTC instant of split date-time parts read with `order`; without an offset in the text the wall
 * time is read in `assumeZone` (reported back as `assumedZone`). Null when the parts are not a real date.
 */
export function slashDateToUtc(p: SlashDateTime, order: DateOrder, assumeZone = 'UTC'): { at: Date; assumedZone?: string } | null {
  const month = order === 'MDY' ? p.first : p.second;
  const day = order === 'MDY' ? p.second : p.first;
  let hour = p.hour;
  if (p.meridiem) {
    if (hour < 1 || hour > 12) return null;
    if (p.meridiem === 'AM' && hour === 12) hour = 0;
    if (p.meridiem === 'PM' && hour !== 12) hour += 12;
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || p.minute > 59 || p.second_ > 60) return null;
  if (day > new Date(Date.UTC(p.year, month, 0)).getUTCDate()) return null;
  if (p.offsetMin !== undefined) {
    return { at: new Date(Date.UTC(p.year, month - 1, day, hour, p.minute, p.second_) - p.offsetMin * 60000) };
  }
  return { at: zonedToUtc(p.year, month, day, hour, p.minute, p.second_, assumeZone), assumedZone: assumeZone };
}
