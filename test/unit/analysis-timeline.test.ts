// Timeline arithmetic: UTC bucket starts across month, year and leap-day boundaries, zero-filled series,
// the bucket limit, and Event dates as people write them.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../backend/src/errors.ts';
import { MAX_BUCKETS, bucketStart, fillBuckets, parseDateProp } from '../../backend/src/analysis/timeline.ts';
import { TimelineBucket } from '../../backend/src/analysis/analysis.schema.ts';

describe('bucketStart', () => {
  it.each([
    // day: UTC midnight, whatever the offset the time was written with
    ['2023-10-07T23:59:59.999Z', 'day', '2023-10-07T00:00:00.000Z'],
    ['2023-10-07T22:30:00-05:00', 'day', '2023-10-08T00:00:00.000Z'],
    ['2023-10-07T10:00:00', 'day', '2023-10-07T00:00:00.000Z'], // no offset: UTC, not the server's zone
    ['2024-02-29T12:00:00Z', 'day', '2024-02-29T00:00:00.000Z'],
    ['2023-12-31 23:00:00', 'day', '2023-12-31T00:00:00.000Z'],
    // week: Monday 00:00 UTC
    ['2023-10-07T12:00:00Z', 'week', '2023-10-02T00:00:00.000Z'], // a Saturday
    ['2023-10-08T23:59:59Z', 'week', '2023-10-02T00:00:00.000Z'], // Sunday still belongs to that week
    ['2023-10-09T00:00:00Z', 'week', '2023-10-09T00:00:00.000Z'], // Monday starts a new one
    ['2024-03-03T10:00:00Z', 'week', '2024-02-26T00:00:00.000Z'], // across the leap day
    ['2023-01-01T05:00:00Z', 'week', '2022-12-26T00:00:00.000Z'], // across the year
    ['2023-11-01', 'week', '2023-10-30T00:00:00.000Z'], // across the month
    // month: the 1st
    ['2024-02-29T23:00:00Z', 'month', '2024-02-01T00:00:00.000Z'],
    ['2023-12-31T23:59:59Z', 'month', '2023-12-01T00:00:00.000Z'],
    ['2024-01-01T00:00:00+01:00', 'month', '2023-12-01T00:00:00.000Z'],
  ] as const)('%s by %s → %s', (iso, bucket, want) => {
    expect(bucketStart(iso, bucket)).toBe(want);
  });

  it('refuses text that is not a date with bad_request', () => {
    expect(() => bucketStart('yesterday', 'day')).toThrowError(AppError);
    expect(() => bucketStart('2023-02-30', 'day')).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('fillBuckets', () => {
  it('gives a continuous series with zero buckets and maps event kinds to calls, messages and other', () => {
    const rows = [
      { start: '2024-02-27T08:00:00Z', kind: 'call', count: 3 },
      { start: '2024-02-27T09:00:00Z', kind: 'sms', count: 2 },
      { start: '2024-02-27T09:00:00Z', kind: 'chat', count: 1 },
      { start: '2024-03-02T00:00:00Z', kind: 'mms', count: 4 },
      { start: '2024-03-02T00:00:00Z', kind: 'message', count: 1 },
      { start: '2024-03-02T00:00:00Z', kind: 'travel', count: 2 },
    ];
    const series = fillBuckets(rows, 'day', {}, [{ at: '2024-02-29T00:00:00.000Z' }]);
    expect(series.map((b) => TimelineBucket.parse(b))).toEqual(series);
    expect(series.map((b) => b.start.slice(0, 10))).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
    expect(series[0]).toMatchObject({ calls: 3, messages: 3, other: 0, dated: 0 });
    expect(series[1]).toEqual({ start: '2024-02-28T00:00:00.000Z', calls: 0, messages: 0, other: 0, dated: 0 });
    expect(series[2]).toMatchObject({ calls: 0, messages: 0, dated: 1 });
    expect(series[4]).toMatchObject({ calls: 0, messages: 5, other: 2 });
  });

  it('re-buckets rows into weeks and months', () => {
    const rows = [
      { start: '2023-09-29', kind: 'call', count: 1 },
      { start: '2023-10-01', kind: 'call', count: 2 },
      { start: '2023-10-20', kind: 'call', count: 4 },
    ];
    expect(fillBuckets(rows, 'week').map((b) => [b.start.slice(0, 10), b.calls])).toEqual([['2023-09-25', 3], ['2023-10-02', 0], ['2023-10-09', 0], ['2023-10-16', 4]]);
    expect(fillBuckets(rows, 'month').map((b) => [b.start.slice(0, 7), b.calls])).toEqual([['2023-09', 1], ['2023-10', 6]]);
  });

  it('lets the half-open window fix the ends and drop what lies outside it', () => {
    const rows = [
      { start: '2023-10-01', kind: 'call', count: 1 },
      { start: '2023-10-05', kind: 'call', count: 7 },
    ];
    const series = fillBuckets(rows, 'day', { from: '2023-10-03', to: '2023-10-06' }, [{ at: '2023-10-06T00:00:00Z' }, { at: '2023-10-04' }]);
    expect(series.map((b) => [b.start.slice(0, 10), b.calls, b.dated])).toEqual([['2023-10-03', 0, 0], ['2023-10-04', 0, 1], ['2023-10-05', 7, 0]]);
    // one open end follows the data
    expect(fillBuckets(rows, 'day', { from: '2023-09-30' }).map((b) => b.start.slice(0, 10))).toEqual(['2023-09-30', '2023-10-01', '2023-10-02', '2023-10-03', '2023-10-04', '2023-10-05']);
    expect(fillBuckets([], 'day')).toEqual([]);
  });

  it('refuses a range over the bucket limit with bad_request, and accepts the limit itself', () => {
    const rows = [
      { start: '2000-01-01', kind: 'call', count: 1 },
      { start: '2023-10-07', kind: 'call', count: 1 },
    ];
    expect(() => fillBuckets(rows, 'day')).toThrow(expect.objectContaining({ code: 'bad_request', status: 400 }));
    expect(() => fillBuckets(rows, 'day')).toThrow(/week or month/);
    expect(fillBuckets(rows, 'month')).toHaveLength(12 * 23 + 10);
    expect(() => fillBuckets([], 'month', { from: '1000-01-01', to: '9999-01-01' })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    const last = new Date(Date.UTC(2000, 0, MAX_BUCKETS)).toISOString(); // day MAX_BUCKETS, counting 2000-01-01 as day 1
    expect(fillBuckets([{ start: '2000-01-01', kind: 'call', count: 1 }], 'day', { to: last.replace('T00:00:00.000Z', 'T00:00:01Z') })).toHaveLength(MAX_BUCKETS);
    expect(() => fillBuckets([], 'day', { from: '2000-01-01', to: new Date(Date.UTC(2000, 0, MAX_BUCKETS + 1, 0, 0, 1)).toISOString() })).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });

  it('refuses a window end that is not a date', () => {
    expect(() => fillBuckets([], 'day', { from: 'soon' })).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('parseDateProp', () => {
  it.each([
    ['2023', '2023-01-01T00:00:00.000Z'],
    ['2023-09', '2023-09-01T00:00:00.000Z'],
    ['2023-10-07', '2023-10-07T00:00:00.000Z'],
    [' 2023-10-07 ', '2023-10-07T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2023-10-07T22:15:00Z', '2023-10-07T22:15:00.000Z'],
    ['2023-10-07T22:15:00.250-05:00', '2023-10-08T03:15:00.250Z'],
    ['2023-10-07 22:15', '2023-10-07T22:15:00.000Z'],
    ['2023-02-29', null],
    ['2023-04-31', null],
    ['2023-13', null],
    ['2023-00-10', null],
    ['2023-10-07T24:30:00Z', null],
    ['2023-09T10:00', null],
    ['0099', null],
    ['October 2023', null],
    ['', null],
    ['2023-10-07T22:15:00Z'.padEnd(60, ' x'), null],
  ])('%j → %s', (text, want) => {
    expect(parseDateProp(text)).toBe(want);
  });
});
