// Timeline arithmetic: UTC bucket starts (day, ISO week from Monday, month), continuous zero-filled series
// of event counts per kind, and the start instant of an Event entity's free-form `props.date`.
import { AppError } from '../errors.ts';
import { parseIsoLike } from '../importers/shared/time.ts';
import type { Bucket, TimelineBucket } from './analysis.schema.ts';

/** A series longer than this is refused: nobody reads 5,000 bars, and a typo'd year must not allocate millions. */
export const MAX_BUCKETS = 5000;

const DAY_MS = 86_400_000;

/** Raw event kinds as the importers write them (grep `kind:` in importers/ and exchange/ftm) → series. */
const MESSAGE_KINDS = new Set(['message', 'sms', 'mms', 'chat']);

function seriesOf(kind: string): 'calls' | 'messages' | 'other' {
  if (kind === 'call') return 'calls';
  return MESSAGE_KINDS.has(kind) ? 'messages' : 'other';
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * An instant in ms since the epoch, or null: "2023", "2023-09", "2023-10-07" (their first UTC instant) or an
 * ISO date-time. Date-times without an offset are read as UTC (the store keeps UTC; `Date.parse` would use
 * the server's local zone). Impossible calendar dates (2023-02-29) and years before 1000 are refused
 * (Date.UTC would silently roll the one over and read "0050" as 1950).
 */
function instant(text: string): number | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const s = text.trim();
  const ymd = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?=$|[T ])/.exec(s);
  if (!ymd) return null;
  const y = Number(ymd[1]);
  const m = ymd[2] === undefined ? 1 : Number(ymd[2]);
  const d = ymd[3] === undefined ? 1 : Number(ymd[3]);
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  if (ymd[0].length === s.length) return Date.UTC(y, m - 1, d);
  if (ymd[3] === undefined) return null; // "2023-09T10:00" is not a date-time
  const t = parseIsoLike(s, 'UTC')?.at.getTime();
  return t !== undefined && Number.isFinite(t) ? t : null;
}

function startMs(t: number, bucket: Bucket): number {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (bucket === 'day') return midnight;
  if (bucket === 'week') return midnight - ((d.getUTCDay() + 6) % 7) * DAY_MS; // getUTCDay: 0 = Sunday; weeks start Monday
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextStart(t: number, bucket: Bucket): number {
  if (bucket === 'day') return t + DAY_MS;
  if (bucket === 'week') return t + 7 * DAY_MS;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function bucketsBetween(first: number, last: number, bucket: Bucket): number {
  if (bucket === 'month') {
    const a = new Date(first);
    const b = new Date(last);
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
  }
  return Math.round((last - first) / (bucket === 'day' ? DAY_MS : 7 * DAY_MS)) + 1;
}

/** Start of the UTC bucket holding `iso`: day → 00:00, week → Monday 00:00, month → the 1st 00:00. */
export function bucketStart(iso: string, bucket: Bucket): string {
  const t = instant(iso);
  if (t === null) throw new AppError('bad_request', `"${iso.slice(0, 40)}" is not an ISO 8601 date or date-time`);
  return new Date(startMs(t, bucket)).toISOString();
}

/**
 * A continuous series from the first to the last bucket (zero buckets in between). `rows` are event counts
 * per time and kind — bucket starts or raw times, both are re-bucketed here. The window, half-open
 * [from, to), fixes either end; an open end follows the data (rows and dated events). Rows and dated
 * events outside the window are left out. More than MAX_BUCKETS buckets → AppError('bad_request').
 */
export function fillBuckets(
  rows: { start: string; kind: string; count: number }[],
  bucket: Bucket,
  window: { from?: string; to?: string } = {},
  dated: { at: string }[] = [],
): TimelineBucket[] {
  const from = window.from === undefined ? null : instant(window.from);
  const to = window.to === undefined ? null : instant(window.to);
  if ((window.from !== undefined && from === null) || (window.to !== undefined && to === null)) {
    throw new AppError('bad_request', 'the window ends must be ISO 8601 dates or date-times');
  }
  const inWindow = (t: number) => (from === null || t >= from) && (to === null || t < to);
  const times: { t: number; series: 'calls' | 'messages' | 'other' | 'dated'; count: number }[] = [];
  for (const r of rows) {
    const t = instant(r.start);
    if (t === null || !inWindow(t) || !Number.isFinite(r.count) || r.count <= 0) continue;
    times.push({ t, series: seriesOf(r.kind), count: Math.round(r.count) });
  }
  for (const d of dated) {
    const t = instant(d.at);
    if (t !== null && inWindow(t)) times.push({ t, series: 'dated', count: 1 });
  }
  let lo = from;
  let hi = to === null ? null : to - 1; // the last instant inside the half-open window
  if (lo === null || hi === null) {
    for (const { t } of times) {
      if (from === null && (lo === null || t < lo)) lo = t;
      if (to === null && (hi === null || t > hi)) hi = t;
    }
  }
  if (lo === null || hi === null || hi < lo) return [];
  const first = startMs(lo, bucket);
  const last = startMs(hi, bucket);
  const count = bucketsBetween(first, last, bucket);
  if (count > MAX_BUCKETS) {
    const coarser = bucket === 'day' ? 'week or month' : 'month';
    throw new AppError(
      'bad_request',
      bucket === 'month'
        ? `the range needs ${count} month buckets (at most ${MAX_BUCKETS}); narrow the window`
        : `the range needs ${count} ${bucket} buckets (at most ${MAX_BUCKETS}); use ${coarser} buckets or narrow the window`,
      { buckets: count, max: MAX_BUCKETS },
    );
  }
  const out: TimelineBucket[] = [];
  const at = new Map<number, TimelineBucket>();
  for (let t = first; t <= last; t = nextStart(t, bucket)) {
    const b = { start: new Date(t).toISOString(), calls: 0, messages: 0, other: 0, dated: 0 };
    out.push(b);
    at.set(t, b);
  }
  for (const { t, series, count: c } of times) at.get(startMs(t, bucket))![series] += c;
  return out;
}

/**
 * The start instant of an Event's `props.date` as people write it: "2023", "2023-09", "2023-10-07" or a
 * date-time (UTC unless it carries an offset), as ISO text. Null for anything else, including impossible dates.
 */
export function parseDateProp(date: string): string | null {
  const t = instant(date);
  return t === null ? null : new Date(t).toISOString();
}
