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

/** Offset of an IANA zone from UTC, in minutes, at a given instant. Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
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
