// Timeline drawer: a stacked histogram of calls, messages and other events of the entities on the canvas
// (or of the case), dated Event markers (the raid…), and a brush that cuts the canvas's communication
// links to a time window through /api/activity; playback steps that window forward. Clearing the brush or
// closing the drawer puts the full aggregates back, so undo snapshots and the saved view never keep a window.
import type { Core, EdgeCollection, EdgeSingular } from 'cytoscape';
import { h, replaceChildren, s } from '../dom.ts';
import { ApiError, isAbort, type AnalysisScope, type LinkActivity, type TimeBucket, type Timeline, type TimelineClient } from '../api.ts';
import { edgeLabel, edgeWidth } from '../graph/elements.ts';
import { plural } from '../format.ts';

const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** class of communication links with no event in the window */
export const OUT_OF_WINDOW = 'out-of-window';
/** playback: one step per this many ms (at least; a slow answer makes the step longer) */
export const PLAY_STEP_MS = 1000;
const BUCKETS: readonly TimeBucket[] = ['day', 'week', 'month'];

// ---------------------------------------------------------------- time arithmetic (UTC, like the API)

/** Start of the bucket holding `t`: 00:00 of the day, Monday 00:00 of the week, the 1st of the month. */
export function bucketStart(t: number, bucket: TimeBucket): number {
  const d = new Date(t);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (bucket === 'day') return day;
  if (bucket === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** End (exclusive) of the bucket starting at `start`. */
export function bucketEnd(start: number, bucket: TimeBucket): number {
  if (bucket === 'day') return start + DAY;
  if (bucket === 'week') return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** `t` moved by `n` buckets (n ≥ 0); `t` is a bucket start. */
export function addBuckets(t: number, n: number, bucket: TimeBucket): number {
  let x = t;
  for (let i = 0; i < n; i++) x = bucketEnd(x, bucket);
  return x;
}

/** Buckets in [from, to) (both bucket bounds). */
export function bucketsBetween(from: number, to: number, bucket: TimeBucket): number {
  let n = 0;
  for (let x = from; x < to && n < 100_000; x = bucketEnd(x, bucket)) n++;
  return n;
}

/** A readable bucket for a span: days up to four months, weeks up to two years, months beyond. */
export function autoBucket(first?: string, last?: string): TimeBucket {
  if (!first || !last) return 'day';
  const span = Date.parse(last) - Date.parse(first);
  if (!(span >= 0)) return 'day';
  return span <= 120 * DAY ? 'day' : span <= 730 * DAY ? 'week' : 'month';
}

/** `7 Sep 2023` (UTC). */
export function formatDay(t: number): string {
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** The window [from, to) as the days it covers: `7 Sep 2023 – 14 Sep 2023`. */
export function windowLabel(from: number, to: number): string {
  const last = formatDay(to - 1);
  const first = formatDay(from);
  return first === last ? first : `${first} – ${last}`;
}

/** Snaps a dragged range outwards to whole buckets; a click (a range of no width) takes its bucket. */
export function snapWindow(a: number, b: number, bucket: TimeBucket): { from: number; to: number } {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const from = bucketStart(lo, bucket);
  const startOfHi = bucketStart(hi, bucket);
  const to = hi > lo && startOfHi === hi ? hi : bucketEnd(startOfHi, bucket);
  return { from, to };
}

export interface WindowCounts {
  calls: number;
  messages: number;
  other: number;
}

/** Events of the buckets inside [from, to). */
export function countsIn(tl: Timeline, from: number, to: number): WindowCounts {
  const out = { calls: 0, messages: 0, other: 0 };
  for (const b of tl.buckets) {
    const t = Date.parse(b.start);
    if (t < from || t >= to) continue;
    out.calls += b.calls;
    out.messages += b.messages;
    out.other += b.other;
  }
  return out;
}

// ---------------------------------------------------------------- the canvas cut to a window

interface FullAggregate {
  count: number | null;
  durationS: number | null;
  firstAt: string | null;
  lastAt: string | null;
  width: number;
  label: string;
}

function fullOf(e: EdgeSingular): FullAggregate {
  const d = e.data() as FullAggregate;
  return { count: d.count, durationS: d.durationS, firstAt: d.firstAt, lastAt: d.lastAt, width: d.width, label: d.label };
}

/**
 * Shows each communication link's activity within a window: count, duration, first/last time, width and
 * label from `activity`; links without an entry get class `out-of-window` and a count of 0. The full
 * aggregates are kept in the edge's data (`full`), so an edge brought back by undo still knows them.
 * Returns how many links are in and out of the window.
 */
export function applyActivity(cy: Core, activity: readonly LinkActivity[]): { inWindow: number; outOfWindow: number } {
  const byId = new Map(activity.map((a) => [a.id, a]));
  let inWindow = 0;
  let outOfWindow = 0;
  cy.batch(() => {
    cy.edges().forEach((e) => {
      if (e.data('communication') !== true) return;
      if (!e.data('full')) e.data('full', fullOf(e));
      const type = String(e.data('type'));
      const a = byId.get(e.id());
      if (a) {
        e.data({ count: a.count, durationS: a.durationS, firstAt: a.firstAt, lastAt: a.lastAt, width: edgeWidth(type, a.count), label: edgeLabel({ type: type as LinkActivity['type'], count: a.count }) });
        e.removeClass(OUT_OF_WINDOW);
        inWindow++;
      } else {
        e.data({ count: 0, durationS: 0, firstAt: null, lastAt: null, width: edgeWidth(type, 1), label: type });
        e.addClass(OUT_OF_WINDOW);
        outOfWindow++;
      }
    });
  });
  return { inWindow, outOfWindow };
}

/** Puts the full aggregates back on every edge that carries a window (all edges by default). */
export function restoreAggregates(cy: Core, edges: EdgeCollection = cy.edges()): number {
  let restored = 0;
  cy.batch(() => {
    edges.forEach((e) => {
      const full = e.data('full') as FullAggregate | undefined;
      if (full) {
        e.data({ ...full });
        e.removeData('full');
        restored++;
      }
      e.removeClass(OUT_OF_WINDOW);
    });
  });
  return restored;
}

// ---------------------------------------------------------------- the drawer

export interface TimelineHandlers {
  cy: Core;
  /** what the histogram counts: the visible entities, or the case when none; null without a case */
  scope(): AnalysisScope | null;
  /** what the window recomputes: every entity on the canvas, or the case when too many */
  activityScope(): AnalysisScope | null;
  track<T>(work: () => Promise<T>): Promise<T>;
  onError(err: unknown): void;
  /** the drawer opened or closed (the caller may move things out of its way) */
  onToggle?(open: boolean): void;
}

export interface TimelinePanel {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** another case was opened: forget the window and the data */
  reset(): void;
}

interface Win {
  from: number;
  to: number;
}

const CHART_H = 156;
/** three rows of marker labels fit above the bars */
const M = { left: 40, right: 14, top: 36, bottom: 22 };
const MARKER_ROWS = 3;

export function createTimeline(root: HTMLElement, client: TimelineClient, handlers: TimelineHandlers): TimelinePanel {
  const { cy } = handlers;
  root.dataset.testid = 'timeline-panel';
  root.classList.add('timeline-drawer');

  let isOpen = false;
  /** the user's bucket, or null: pick from the span */
  let chosen: TimeBucket | null = null;
  let data: Timeline | null = null;
  let win: Win | null = null;
  let playing = false;
  let playTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let timelineCtl: AbortController | null = null;
  let activityCtl: AbortController | null = null;
  /** chart geometry of the last render */
  let geo: { d0: number; d1: number; x0: number; x1: number } | null = null;

  const radios = BUCKETS.map((b) => h('input', { type: 'radio', name: 'timeline-bucket', value: b, 'data-testid': `timeline-bucket-${b}` }));
  const bucketSwitch = h(
    'span',
    { class: 'segmented', role: 'radiogroup', 'aria-label': 'Bar width' },
    ...radios.map((r, i) => h('label', {}, r, BUCKETS[i][0].toUpperCase() + BUCKETS[i].slice(1))),
  );
  const windowText = h('span', { class: 'tl-window', 'data-testid': 'timeline-window', role: 'status' });
  const playBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'timeline-play', title: 'Step the window forward by its width every second' }, '▶ Play');
  const clearBtn = h('button', { type: 'button', class: 'btn small ghost', 'data-testid': 'timeline-clear', title: 'Show the links over all time again (Esc)' }, 'Clear');
  const closeBtn = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close the timeline', 'data-testid': 'timeline-close' }, '×');
  const chart = h('div', { class: 'tl-chart', 'data-testid': 'timeline-chart' });
  const note = h('p', { class: 'tl-note muted', 'data-testid': 'timeline-note' });
  const perBucket = h('span', { class: 'tl-per' });
  const key = h(
    'span',
    { class: 'tl-key' },
    perBucket,
    h('span', { class: 'tl-key-item' }, h('i', { class: 'tl-sw tl-calls' }), 'calls'),
    h('span', { class: 'tl-key-item' }, h('i', { class: 'tl-sw tl-messages' }), 'messages'),
    h('span', { class: 'tl-key-item' }, h('i', { class: 'tl-sw tl-other' }), 'other'),
    h('span', { class: 'tl-key-item' }, h('i', { class: 'tl-sw tl-marker-sw' }), 'dated event'),
  );

  replaceChildren(
    root,
    h('header', { class: 'tl-head' }, h('h2', { class: 'section-title' }, 'Timeline'), bucketSwitch, windowText, h('span', { class: 'tl-actions' }, playBtn, clearBtn, closeBtn)),
    chart,
    h('footer', { class: 'tl-foot' }, key, note),
  );

  const bucket = (): TimeBucket => data?.bucket ?? chosen ?? 'day';

  // ------------------------------------------------------------ data

  async function load(): Promise<void> {
    const scope = handlers.scope();
    timelineCtl?.abort();
    if (!scope) {
      data = null;
      render();
      return;
    }
    const ctl = (timelineCtl = new AbortController());
    root.dataset.state = 'loading';
    try {
      // by month first (the fewest bars: never too many) to learn the span, then the chosen or a fitting size
      let tl = await handlers.track(() => client.timeline({ scope, bucket: 'month' }, ctl.signal));
      let want = chosen ?? autoBucket(tl.first, tl.last);
      while (want !== tl.bucket) {
        try {
          tl = await handlers.track(() => client.timeline({ scope, bucket: want }, ctl.signal));
        } catch (err) {
          // too many bars for the range (dated events far from the calls widen it): one size coarser
          if (!(err instanceof ApiError) || err.code !== 'bad_request' || want === 'month') throw err;
          want = want === 'day' ? 'week' : 'month';
          if (want === tl.bucket) break;
        }
      }
      if (ctl.signal.aborted) return;
      data = tl;
      render();
      if (win) await applyWindow();
    } catch (err) {
      if (isAbort(err)) return;
      root.dataset.state = 'error';
      note.textContent = `The timeline could not be loaded: ${err instanceof Error ? err.message : String(err)}`;
      handlers.onError(err);
    }
  }

  /** Asks for the links' activity in the window and shows it on the canvas (or restores everything). */
  async function applyWindow(): Promise<void> {
    activityCtl?.abort();
    if (!win) {
      restoreAggregates(cy);
      delete root.dataset.applied;
      return;
    }
    const scope = handlers.activityScope();
    if (!scope) return;
    const w = win;
    const ctl = (activityCtl = new AbortController());
    const window = { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
    try {
      const res = await handlers.track(() => client.activity({ scope, window }, ctl.signal));
      if (ctl.signal.aborted || win !== w) return;
      const shown = applyActivity(cy, res.links);
      root.dataset.applied = `${window.from}/${window.to}`;
      root.dataset.inWindow = String(shown.inWindow);
      note.textContent = res.capped ? `Only the ${plural(res.links.length, 'most active link')} of the window are shown with their counts (capped).` : '';
    } catch (err) {
      if (isAbort(err)) return;
      handlers.onError(err);
    }
  }

  function setWindow(next: Win | null): Promise<void> {
    win = next;
    if (next) root.dataset.window = `${new Date(next.from).toISOString()}/${new Date(next.to).toISOString()}`;
    else delete root.dataset.window;
    renderBrush();
    renderWindowText();
    return applyWindow();
  }

  // ------------------------------------------------------------ drawing

  function domain(tl: Timeline): { d0: number; d1: number } | null {
    const b = tl.bucket;
    const times: number[] = [];
    for (const x of tl.buckets) times.push(Date.parse(x.start));
    if (times.length === 0) return null;
    let d0 = Math.min(...times);
    let d1 = bucketEnd(Math.max(...times), b);
    // dated events close to the activity widen the axis so their markers show (a far-off date would squash the bars)
    const span = d1 - d0;
    for (const m of tl.dated) {
      const t = Date.parse(m.at);
      if (Number.isNaN(t) || t < d0 - span || t >= d1 + span) continue;
      d0 = Math.min(d0, bucketStart(t, b));
      d1 = Math.max(d1, bucketEnd(bucketStart(t, b), b));
    }
    return { d0, d1 };
  }

  function render(): void {
    for (const r of radios) r.checked = r.value === bucket();
    chart.replaceChildren();
    geo = null;
    root.dataset.state = data ? 'ready' : 'empty';
    if (!data) {
      chart.append(h('p', { class: 'tl-empty muted' }, 'Open a case to see its timeline.'));
      renderWindowText();
      return;
    }
    const dom = domain(data);
    if (!dom) {
      chart.append(h('p', { class: 'tl-empty muted', 'data-testid': 'timeline-empty' }, 'No dated calls, messages or other events among these entities.'));
      renderWindowText();
      return;
    }
    const width = Math.max(320, Math.round(chart.clientWidth || root.clientWidth || 800));
    const x0 = M.left;
    const x1 = width - M.right;
    const y0 = CHART_H - M.bottom;
    const y1 = M.top;
    geo = { d0: dom.d0, d1: dom.d1, x0, x1 };
    const sx = (t: number) => x0 + ((t - dom.d0) / (dom.d1 - dom.d0)) * (x1 - x0);
    const max = Math.max(1, ...data.buckets.map((b) => b.calls + b.messages + b.other));
    const sy = (v: number) => y0 - (v / max) * (y0 - y1);

    perBucket.textContent = `Events per ${data.bucket}:`;
    const svg = s('svg', { class: 'tl-svg', width, height: CHART_H, viewBox: `0 0 ${width} ${CHART_H}`, role: 'img', 'aria-label': `Events per ${data.bucket}`, 'data-total': data.total, 'data-bucket': data.bucket });

    // y axis: gridlines at 0, half and the maximum
    const yAxis = s('g', { class: 'tl-axis tl-axis-y' });
    for (const v of [...new Set([0, Math.round(max / 2), max])]) {
      yAxis.append(s('line', { class: 'tl-grid', x1: x0, x2: x1, y1: sy(v), y2: sy(v) }), s('text', { x: x0 - 6, y: sy(v) + 3, 'text-anchor': 'end' }, v.toLocaleString('en')));
    }
    svg.append(yAxis);

    // stacked bars: calls at the bottom, then messages, then other
    const bars = s('g', { class: 'tl-bars' });
    for (const b of data.buckets) {
      const t = Date.parse(b.start);
      const total = b.calls + b.messages + b.other;
      const bx = sx(t);
      const bw = Math.max(1, sx(bucketEnd(t, data.bucket)) - bx - (sx(bucketEnd(t, data.bucket)) - bx > 4 ? 1 : 0));
      const g = s('g', { class: 'tl-bucket', 'data-testid': 'timeline-bar', 'data-start': b.start, 'data-total': total, 'data-calls': b.calls, 'data-messages': b.messages, 'data-other': b.other });
      let level = 0;
      for (const [cls, v] of [['tl-calls', b.calls], ['tl-messages', b.messages], ['tl-other', b.other]] as const) {
        if (v <= 0) continue;
        g.append(s('rect', { class: cls, x: bx, width: bw, y: sy(level + v), height: Math.max(0.5, sy(level) - sy(level + v)) }));
        level += v;
      }
      g.append(s('title', {}, `${bucketTitle(t, data.bucket)}: ${plural(b.calls, 'call')}, ${plural(b.messages, 'message')}, ${plural(b.other, 'other event')}`));
      bars.append(g);
    }
    svg.append(bars);

    // x axis: a tick label every few buckets, the year shown when it changes
    const xAxis = s('g', { class: 'tl-axis tl-axis-x' }, s('line', { class: 'tl-baseline', x1: x0, x2: x1, y1: y0, y2: y0 }));
    const n = bucketsBetween(dom.d0, dom.d1, data.bucket);
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor((x1 - x0) / 80))));
    let lastYear = -1;
    let lastEnd = -Infinity;
    let i = 0;
    for (let t = dom.d0; t < dom.d1; t = bucketEnd(t, data.bucket), i++) {
      if (i % every !== 0) continue;
      const d = new Date(t);
      const year = d.getUTCFullYear();
      const label = data.bucket === 'month' ? `${MONTHS[d.getUTCMonth()]}${year !== lastYear ? ` ${year}` : ''}` : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}${year !== lastYear ? ` ${year}` : ''}`;
      // a label that would run into the previous one (or off the right edge) is left out
      const w = label.length * 5.6;
      const x = sx(t);
      const left = i === 0 ? x : x - w / 2;
      if (left < lastEnd + 6 || left + w > width) continue;
      lastYear = year;
      lastEnd = left + w;
      xAxis.append(s('line', { class: 'tl-tick', x1: x, x2: x, y1: y0, y2: y0 + 4 }), s('text', { x, y: y0 + 15, 'text-anchor': i === 0 ? 'start' : 'middle' }, label));
    }
    svg.append(xAxis);

    // the brush overlay, then the window, then the markers (their labels stay hoverable)
    const overlay = s('rect', { class: 'tl-overlay', 'data-testid': 'timeline-overlay', x: x0, y: y1 - 8, width: x1 - x0, height: y0 - y1 + 8 });
    svg.append(overlay, s('g', { class: 'tl-brush-layer' }));
    const markers = s('g', { class: 'tl-markers' });
    // events dated to the same bar (three in "2023-09") share one marker: the first label, "+2", every label in the title
    const groups: { x: number; items: Timeline['dated'] }[] = [];
    for (const m of [...data.dated].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
      const t = Date.parse(m.at);
      if (Number.isNaN(t) || t < dom.d0 || t > dom.d1) continue;
      const x = sx(t);
      const last = groups.at(-1);
      if (last && x - last.x < 4) last.items.push(m);
      else groups.push({ x, items: [m] });
    }
    // each label takes the first row where it clears the previous label, else the row that ends furthest left
    const rowEnds = new Array<number>(MARKER_ROWS).fill(-Infinity);
    for (const { x, items } of groups) {
      const first = items[0];
      const base = first.label.length > 22 ? `${first.label.slice(0, 21)}…` : first.label;
      const short = items.length > 1 ? `${base} +${items.length - 1}` : base;
      const w = short.length * 5.6;
      const anchorEnd = x + 3 + w > x1;
      const left = anchorEnd ? x - 3 - w : x + 3;
      let row = rowEnds.findIndex((end) => left >= end + 6);
      if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
      rowEnds[row] = Math.max(rowEnds[row], left + w);
      const kind = first.kind ? ` k-${first.kind.replace(/[^a-z0-9-]/gi, '-')}` : '';
      markers.append(
        s(
          'g',
          { class: `tl-marker${kind}`, 'data-testid': 'timeline-marker', 'data-at': first.at, 'data-ids': items.map((m) => m.id).join(' ') },
          s('line', { x1: x, x2: x, y1: 4 + row * 10, y2: y0 }),
          s('text', { x: anchorEnd ? x - 3 : x + 3, y: 12 + row * 10, 'text-anchor': anchorEnd ? 'end' : 'start' }, short),
          s('title', {}, items.map((m) => `${m.label} (${m.at.slice(0, 10)})`).join('\n')),
        ),
      );
    }
    svg.append(markers);
    chart.append(svg);
    wireBrush(svg, overlay);
    renderBrush();
    renderWindowText();
  }

  function bucketTitle(t: number, b: TimeBucket): string {
    if (b === 'day') return formatDay(t);
    if (b === 'week') return `Week of ${formatDay(t)}`;
    const d = new Date(t);
    return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  }

  function renderBrush(): void {
    const layer = chart.querySelector('.tl-brush-layer');
    if (!layer || !geo) return;
    layer.replaceChildren();
    chart.querySelectorAll('.tl-bucket').forEach((g) => {
      const t = Date.parse((g as SVGGElement).dataset.start ?? '');
      g.classList.toggle('dim', win !== null && (t < win.from || t >= win.to));
    });
    if (!win) return;
    const { d0, d1, x0, x1 } = geo;
    const sx = (t: number) => x0 + ((Math.min(d1, Math.max(d0, t)) - d0) / (d1 - d0)) * (x1 - x0);
    layer.append(s('rect', { class: 'tl-brush', 'data-testid': 'timeline-brush', x: sx(win.from), y: M.top - 8, width: Math.max(2, sx(win.to) - sx(win.from)), height: CHART_H - M.bottom - M.top + 8 }));
  }

  function renderWindowText(): void {
    playBtn.textContent = playing ? '⏸ Pause' : '▶ Play';
    playBtn.setAttribute('aria-pressed', String(playing));
    playBtn.title = playing ? 'Stop the playback' : 'Step the window forward by its width every second';
    root.dataset.playing = String(playing);
    playBtn.disabled = !geo;
    clearBtn.disabled = !win;
    if (!data) {
      windowText.textContent = '';
      return;
    }
    if (win) {
      const c = countsIn(data, win.from, win.to);
      const parts = [plural(c.calls, 'call')];
      if (c.messages) parts.push(plural(c.messages, 'message'));
      if (c.other) parts.push(plural(c.other, 'other event'));
      windowText.textContent = `${windowLabel(win.from, win.to)} · ${parts.join(' · ')}`;
    } else if (geo) {
      windowText.textContent = `All time: ${windowLabel(geo.d0, geo.d1)} · ${plural(data.total, 'event')} · drag to pick a window`;
    } else {
      windowText.textContent = '';
    }
  }

  // ------------------------------------------------------------ brushing

  function timeAt(svg: SVGSVGElement, clientX: number): number {
    const { d0, d1, x0, x1 } = geo!;
    const box = svg.getBoundingClientRect();
    const x = Math.min(x1, Math.max(x0, clientX - box.left));
    return d0 + ((x - x0) / (x1 - x0)) * (d1 - d0);
  }

  function wireBrush(svg: SVGSVGElement, overlay: SVGRectElement): void {
    let start: { x: number; t: number } | null = null;
    let raw: SVGRectElement | null = null;
    overlay.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0 || !geo) return;
      ev.preventDefault();
      overlay.setPointerCapture(ev.pointerId);
      start = { x: ev.clientX, t: timeAt(svg, ev.clientX) };
      stop();
    });
    overlay.addEventListener('pointermove', (ev) => {
      if (!start || !geo) return;
      const box = svg.getBoundingClientRect();
      const a = Math.min(start.x, ev.clientX) - box.left;
      const b = Math.max(start.x, ev.clientX) - box.left;
      if (!raw) {
        raw = s('rect', { class: 'tl-brush dragging', y: M.top - 8, height: CHART_H - M.bottom - M.top + 8 });
        chart.querySelector('.tl-brush-layer')?.replaceChildren(raw);
      }
      raw.setAttribute('x', String(Math.max(geo.x0, a)));
      raw.setAttribute('width', String(Math.max(1, Math.min(geo.x1, b) - Math.max(geo.x0, a))));
    });
    const finish = (ev: PointerEvent) => {
      if (!start || !geo) return;
      const t = timeAt(svg, ev.clientX);
      const moved = Math.abs(ev.clientX - start.x) >= 3;
      const snapped = snapWindow(start.t, moved ? t : start.t, bucket());
      start = null;
      raw = null;
      void setWindow({ from: Math.max(snapped.from, bucketStart(geo.d0, bucket())), to: Math.min(snapped.to, geo.d1) });
    };
    overlay.addEventListener('pointerup', finish);
    overlay.addEventListener('pointercancel', () => {
      start = null;
      raw = null;
      renderBrush();
    });
  }

  // ------------------------------------------------------------ playback

  function stop(): void {
    playing = false;
    clearTimeout(playTimer);
    renderWindowText();
  }

  async function step(): Promise<void> {
    if (!playing || !geo || !win) return;
    const b = bucket();
    const width = Math.max(1, bucketsBetween(win.from, win.to, b));
    const from = win.to;
    if (from >= geo.d1) return stop();
    const started = Date.now();
    await setWindow({ from, to: Math.min(addBuckets(from, width, b), Math.max(geo.d1, addBuckets(from, 1, b))) });
    if (!playing) return;
    if (win && win.to >= geo.d1) return stop();
    playTimer = setTimeout(() => void step(), Math.max(0, PLAY_STEP_MS - (Date.now() - started)));
  }

  async function play(): Promise<void> {
    if (!geo || !data) return;
    playing = true;
    renderWindowText();
    const b = bucket();
    const started = Date.now();
    if (!win || win.from >= geo.d1 || win.to >= geo.d1) {
      // a tenth of the span (at least one bar), from the start
      const n = Math.max(1, Math.round(bucketsBetween(geo.d0, geo.d1, b) / 10));
      await setWindow({ from: geo.d0, to: addBuckets(geo.d0, n, b) });
    }
    if (!playing) return;
    playTimer = setTimeout(() => void step(), Math.max(0, PLAY_STEP_MS - (Date.now() - started)));
  }

  // ------------------------------------------------------------ wiring

  playBtn.addEventListener('click', () => (playing ? stop() : void play()));
  clearBtn.addEventListener('click', () => {
    stop();
    void setWindow(null);
  });
  closeBtn.addEventListener('click', () => panel.close());
  for (const r of radios) {
    r.addEventListener('change', () => {
      if (!r.checked) return;
      chosen = r.value as TimeBucket;
      stop();
      void load();
    });
  }
  root.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && win) {
      ev.preventDefault();
      ev.stopPropagation();
      stop();
      void setWindow(null);
    }
  });

  // the canvas changed (expand, remove, undo, another case): count its entities again, and cut new links
  cy.on('add remove', () => {
    if (!isOpen) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void load(), 400);
  });
  // an edge brought back by undo after the window was cleared still carries the window's numbers
  cy.on('add', 'edge', (ev) => {
    if (!win && (ev.target as EdgeSingular).data('full')) restoreAggregates(cy, ev.target as EdgeSingular);
  });

  let lastWidth = 0;
  new ResizeObserver(() => {
    const w = chart.clientWidth;
    if (!isOpen || !data || Math.abs(w - lastWidth) < 2) return;
    lastWidth = w;
    render();
  }).observe(chart);

  root.hidden = true;
  const panel: TimelinePanel = {
    open() {
      if (isOpen) return;
      isOpen = true;
      root.hidden = false;
      handlers.onToggle?.(true);
      void load();
    },
    close() {
      if (!isOpen) return;
      isOpen = false;
      stop();
      timelineCtl?.abort();
      clearTimeout(refreshTimer);
      root.hidden = true;
      void setWindow(null);
      handlers.onToggle?.(false);
    },
    toggle() {
      if (isOpen) panel.close();
      else panel.open();
    },
    isOpen: () => isOpen,
    reset() {
      stop();
      activityCtl?.abort();
      win = null;
      restoreAggregates(cy);
      delete root.dataset.window;
      delete root.dataset.applied;
      data = null;
      if (isOpen) void load();
    },
  };
  return panel;
}
