// "Compare periods" panel: two date ranges (or the 30 days either side of a dated event such as the raid)
// sent to /api/diff; what appeared, disappeared, rose or fell is marked on the canvas with diff-* classes,
// a number that took over a gone number's contacts gets a badge naming it, and the server's sentences are
// listed (a click selects the entities a sentence names). Clear takes every mark off again.
import type { Core } from 'cytoscape';
import { h, replaceChildren, s } from '../dom.ts';
import { isAbort, type AnalysisScope, type DiffResult, type DiffStatus, type Timeline, type TimelineClient, type TimeWindow } from '../api.ts';
import { plural } from '../format.ts';
import { formatDay } from './timeline.ts';

const DAY = 86_400_000;
/** days either side of a dated event for the "before / after" shortcut */
export const AROUND_DAYS = 30;
export const DIFF_CLASSES = ['diff-appeared', 'diff-disappeared', 'diff-rose', 'diff-fell', 'diff-successor'] as const;
const ALL_DIFF = DIFF_CLASSES.join(' ');
/** node data field drawn as the successor's label (its own label and the number it took over from) */
export const DIFF_BADGE = 'diffBadge';

// ---------------------------------------------------------------- pure helpers

/** `2023-10-07` of an ISO date or date-time (UTC). */
export function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Inclusive date inputs → a half-open window [from 00:00, the day after `to` 00:00) in UTC. */
export function windowOfDays(from: string, to: string): TimeWindow | null {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return null;
  return { from: new Date(a).toISOString(), to: new Date(b + DAY).toISOString() };
}

/** The `days` days before the event's day and the `days` days after it (the day itself in neither). */
export function aroundEvent(at: string, days = AROUND_DAYS): { a: [string, string]; b: [string, string] } {
  const t = Date.parse(at);
  const day = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate());
  return { a: [isoDay(day - days * DAY), isoDay(day - DAY)], b: [isoDay(day + DAY), isoDay(day + days * DAY)] };
}

export interface Named {
  id: string;
  label: string;
}

/**
 * The entities a sentence names, in the order it names them: labels found as whole words (not inside a
 * longer number or word), longest first so `+5198…01` never matches inside `+5198…012`.
 */
export function namedIn(line: string, names: readonly Named[]): string[] {
  const found: { id: string; at: number }[] = [];
  const taken = new Array<boolean>(line.length).fill(false);
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  for (const n of [...names].sort((a, b) => b.label.length - a.label.length)) {
    if (n.label.length < 2) continue;
    for (let i = line.indexOf(n.label); i >= 0; i = line.indexOf(n.label, i + 1)) {
      const end = i + n.label.length;
      if (isWord(line[i - 1]) && isWord(n.label[0])) continue;
      if (isWord(line[end]) && isWord(n.label[n.label.length - 1])) continue;
      if (taken.slice(i, end).some(Boolean)) continue;
      taken.fill(true, i, end);
      if (!found.some((f) => f.id === n.id)) found.push({ id: n.id, at: i });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.id);
}

/** Takes every diff mark off the canvas. */
export function clearDiffMarks(cy: Core): void {
  cy.batch(() => {
    cy.elements(DIFF_CLASSES.map((c) => `.${c}`).join(', ')).removeClass(ALL_DIFF);
    cy.nodes(`[${DIFF_BADGE}]`).removeData(DIFF_BADGE);
  });
}

/** Marks the diff on the canvas; answers the entity ids of the diff that are not on it. */
export function markDiff(cy: Core, result: DiffResult, labelOf: (id: string) => string): string[] {
  const missing = new Set<string>();
  cy.batch(() => {
    clearDiffMarks(cy);
    for (const e of result.entities) {
      const node = cy.getElementById(e.id);
      if (node.isNode()) node.addClass(`diff-${e.status}`);
      else missing.add(e.id);
    }
    for (const l of result.links) {
      const edge = cy.getElementById(l.id);
      if (edge.isEdge()) edge.addClass(`diff-${l.status}`);
    }
    for (const t of result.takeovers) {
      const successor = cy.getElementById(t.successor);
      if (successor.isNode()) {
        successor.addClass('diff-successor');
        successor.data(DIFF_BADGE, `${String(successor.data('label'))}\n↻ takes over from ${labelOf(t.gone)}`);
      } else {
        missing.add(t.successor);
      }
      if (!cy.getElementById(t.gone).isNode()) missing.add(t.gone);
    }
  });
  return [...missing];
}

// ---------------------------------------------------------------- the panel

export interface DiffHandlers {
  cy: Core;
  /** entities on the canvas (`canvas`) or the case; null when there is no case */
  scope(kind: 'canvas' | 'case'): AnalysisScope | null;
  /** brings entities onto the canvas (with their links to what is there) */
  addToCanvas(ids: string[]): Promise<void>;
  /** selects these entities and brings them into view */
  reveal(ids: string[]): void;
  track<T>(work: () => Promise<T>): Promise<T>;
  onError(err: unknown): void;
  onToggle?(open: boolean): void;
}

export interface DiffPanel {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** takes the marks off and forgets the result */
  clear(): void;
  /** another case was opened */
  reset(): void;
}

const LEGEND: { cls: string; label: string }[] = [
  { cls: 'diff-appeared', label: 'appeared in B' },
  { cls: 'diff-disappeared', label: 'gone in B' },
  { cls: 'diff-rose', label: 'much more active in B' },
  { cls: 'diff-fell', label: 'much less active in B' },
  { cls: 'diff-successor', label: 'took over a gone number’s contacts' },
];

function legendMark(cls: string): SVGSVGElement {
  return s('svg', { class: `diff-mark ${cls}`, width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true' }, s('circle', { cx: 8, cy: 8, r: 5.5 }));
}

export function createDiffPanel(root: HTMLElement, client: TimelineClient, handlers: DiffHandlers): DiffPanel {
  const { cy } = handlers;
  root.dataset.testid = 'diff-panel';
  let isOpen = false;
  let result: DiffResult | null = null;
  let dated: Timeline['dated'] = [];
  let missing: string[] = [];
  let ctl: AbortController | null = null;
  /** labels of the last result's entities (some may not be on the canvas) */
  let labels = new Map<string, string>();

  const dateInput = (testid: string, label: string) => h('input', { type: 'date', 'data-testid': testid, 'aria-label': label, required: true });
  const aFrom = dateInput('diff-a-from', 'Period A from');
  const aTo = dateInput('diff-a-to', 'Period A to (inclusive)');
  const bFrom = dateInput('diff-b-from', 'Period B from');
  const bTo = dateInput('diff-b-to', 'Period B to (inclusive)');
  const eventSelect = h('select', { 'data-testid': 'diff-event', 'aria-label': 'Dated event' });
  const around = h('button', { type: 'button', class: 'btn small', 'data-testid': 'diff-around', title: `A: the ${AROUND_DAYS} days before the event's day; B: the ${AROUND_DAYS} days after it` }, `± ${AROUND_DAYS} days`);
  const scopeCanvas = h('input', { type: 'radio', name: 'diff-scope', value: 'canvas', checked: true, 'data-testid': 'diff-scope-canvas' });
  const scopeCase = h('input', { type: 'radio', name: 'diff-scope', value: 'case', 'data-testid': 'diff-scope-case' });
  const compare = h('button', { type: 'button', class: 'btn small primary', 'data-testid': 'diff-compare' }, 'Compare');
  const clearBtn = h('button', { type: 'button', class: 'btn small ghost', 'data-testid': 'diff-clear', title: 'Take the marks off the canvas' }, 'Clear');
  const message = h('p', { class: 'diff-message', 'data-testid': 'diff-summary', role: 'status' });
  const addRow = h('div', { class: 'diff-missing', 'data-testid': 'diff-missing', hidden: true });
  const list = h('ol', { class: 'diff-lines', 'data-testid': 'diff-lines' });
  const closeBtn = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close Compare periods', 'data-testid': 'diff-close' }, '×');
  const legend = h(
    'ul',
    { class: 'diff-legend', 'data-testid': 'diff-legend' },
    ...LEGEND.map((l) => h('li', {}, legendMark(l.cls), l.label)),
  );
  const eventRow = h('div', { class: 'tool-row diff-around' }, h('span', { class: 'path-end-label' }, 'Around'), eventSelect, around);

  replaceChildren(
    root,
    h('header', { class: 'tool-head' }, h('h2', { class: 'section-title' }, 'Compare periods'), closeBtn),
    h(
      'div',
      { class: 'tool-body' },
      eventRow,
      h(
        'div',
        { class: 'diff-periods' },
        h('span', { class: 'path-end-label' }, 'A'),
        aFrom,
        h('span', { class: 'muted' }, '–'),
        aTo,
        h('span', { class: 'path-end-label' }, 'B'),
        bFrom,
        h('span', { class: 'muted' }, '–'),
        bTo,
      ),
      h(
        'div',
        { class: 'tool-row' },
        h('span', { class: 'segmented diff-scope', role: 'radiogroup', 'aria-label': 'Compare' }, h('label', {}, scopeCanvas, 'Canvas'), h('label', {}, scopeCase, 'Whole case')),
        compare,
        clearBtn,
      ),
      legend,
      message,
      addRow,
      list,
    ),
  );

  function setPeriods(a: [string, string], b: [string, string]): void {
    [aFrom.value, aTo.value] = a;
    [bFrom.value, bTo.value] = b;
  }

  /** The dated events of the scope for the shortcut (and a first guess at the periods). */
  async function loadDated(): Promise<void> {
    const scope = handlers.scope('case') ?? handlers.scope('canvas');
    if (!scope) return;
    try {
      const tl = await handlers.track(() => client.timeline({ scope, bucket: 'month' }));
      dated = [...tl.dated].filter((d) => !Number.isNaN(Date.parse(d.at))).sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
      replaceChildren(eventSelect, ...dated.map((d, i) => h('option', { value: String(i) }, `${d.label} (${formatDay(Date.parse(d.at))})`)));
      eventRow.hidden = dated.length === 0;
      // a raid (or the first event dated to the day) is the usual turning point
      const pick = dated.findIndex((d) => d.kind === 'raid');
      const fallback = dated.findIndex((d) => /^\d{4}-\d{2}-\d{2}/.test(d.at));
      const chosen = pick >= 0 ? pick : fallback;
      if (chosen >= 0) eventSelect.value = String(chosen);
      if (!aFrom.value && !bFrom.value) {
        if (chosen >= 0) {
          const p = aroundEvent(dated[chosen].at);
          setPeriods(p.a, p.b);
        } else if (tl.first && tl.last) {
          const t0 = Date.parse(tl.first);
          const t1 = Date.parse(tl.last);
          const mid = t0 + Math.floor((t1 - t0) / 2 / DAY) * DAY;
          setPeriods([isoDay(t0), isoDay(mid)], [isoDay(mid + DAY), isoDay(t1)]);
        }
      }
    } catch (err) {
      handlers.onError(err);
    }
  }

  const labelOf = (id: string) => labels.get(id) ?? String(cy.getElementById(id).data('label') ?? id);

  function names(): { id: string; label: string }[] {
    const ids = new Set<string>([...labels.keys()]);
    for (const t of result?.takeovers ?? []) ids.add(t.gone).add(t.successor);
    // the server cuts labels longer than 80 characters to 79 and an ellipsis: match either form
    return [...ids].flatMap((id) => {
      const label = labelOf(id);
      return label.length > 80 ? [{ id, label }, { id, label: `${label.slice(0, 79)}…` }] : [{ id, label }];
    });
  }

  function render(): void {
    if (!result) {
      list.replaceChildren();
      addRow.hidden = true;
      root.dataset.state = 'idle';
      return;
    }
    root.dataset.state = 'done';
    const count = (st: DiffStatus) => result!.entities.filter((e) => e.status === st).length + result!.links.filter((l) => l.status === st).length;
    const parts = (['appeared', 'disappeared', 'rose', 'fell'] as const).filter((st) => count(st) > 0).map((st) => `${count(st)} ${st}`);
    if (result.takeovers.length) parts.push(plural(result.takeovers.length, 'takeover'));
    message.textContent = parts.length ? `${parts.join(' · ')}${result.capped ? ' (the most significant changes only)' : ''}` : 'No strong change between the two periods.';

    addRow.hidden = missing.length === 0;
    if (missing.length) {
      const add = h('button', { type: 'button', class: 'btn small', 'data-testid': 'diff-add' }, 'Add to canvas');
      add.addEventListener('click', () => void addMissing(missing));
      replaceChildren(addRow, h('span', {}, `${plural(missing.length, 'entity', 'entities')} of the comparison ${missing.length === 1 ? 'is' : 'are'} not on the canvas`), add);
    }

    const all = names();
    replaceChildren(
      list,
      ...result.lines.map((line) => {
        const ids = namedIn(line, all);
        const btn = h('button', { type: 'button', class: 'diff-line', 'data-testid': 'diff-line', 'data-ids': ids.join(' '), title: ids.length ? 'Select the entities this names' : '' }, line);
        btn.disabled = ids.length === 0;
        btn.addEventListener('click', () => void showLine(ids));
        return h('li', {}, btn);
      }),
    );
  }

  async function addMissing(ids: string[]): Promise<void> {
    try {
      await handlers.addToCanvas(ids);
      if (result) missing = markDiff(cy, result, labelOf);
      render();
    } catch (err) {
      handlers.onError(err);
    }
  }

  async function showLine(ids: string[]): Promise<void> {
    const absent = ids.filter((id) => !cy.getElementById(id).isNode());
    if (absent.length) await addMissing(absent);
    handlers.reveal(ids);
  }

  async function run(): Promise<void> {
    const a = windowOfDays(aFrom.value, aTo.value);
    const b = windowOfDays(bFrom.value, bTo.value);
    if (!a || !b) {
      message.textContent = 'Give both periods a start and an end (the end on or after the start).';
      root.dataset.state = 'invalid';
      return;
    }
    const scope = handlers.scope(scopeCase.checked ? 'case' : 'canvas');
    if (!scope) {
      message.textContent = 'Open a case first.';
      return;
    }
    ctl?.abort();
    const mine = (ctl = new AbortController());
    root.dataset.state = 'loading';
    message.textContent = 'Comparing…';
    compare.disabled = true;
    try {
      const res = await handlers.track(() => client.diff({ scope, a, b }, mine.signal));
      if (mine.signal.aborted) return;
      result = res;
      labels = new Map(res.entities.map((e) => [e.id, e.label]));
      missing = markDiff(cy, res, labelOf);
      render();
    } catch (err) {
      if (isAbort(err)) return;
      root.dataset.state = 'error';
      message.textContent = `The comparison failed: ${err instanceof Error ? err.message : String(err)}`;
      handlers.onError(err);
    } finally {
      if (mine === ctl) compare.disabled = false;
    }
  }

  function clear(): void {
    ctl?.abort();
    compare.disabled = false;
    result = null;
    missing = [];
    labels = new Map();
    clearDiffMarks(cy);
    message.textContent = '';
    render();
  }

  around.addEventListener('click', () => {
    const d = dated[Number(eventSelect.value)];
    if (!d) return;
    const p = aroundEvent(d.at);
    setPeriods(p.a, p.b);
  });
  compare.addEventListener('click', () => void run());
  clearBtn.addEventListener('click', () => clear());
  closeBtn.addEventListener('click', () => panel.close());
  for (const input of [aFrom, aTo, bFrom, bTo]) input.addEventListener('keydown', (ev) => ev.key === 'Enter' && void run());

  // entities that arrive later (expand, undo, Add to canvas) get their marks too
  let remarkTimer: ReturnType<typeof setTimeout> | undefined;
  cy.on('add', () => {
    if (!result) return;
    clearTimeout(remarkTimer);
    remarkTimer = setTimeout(() => {
      if (!result) return;
      missing = markDiff(cy, result, labelOf);
      render();
    }, 100);
  });

  root.hidden = true;
  render();
  const panel: DiffPanel = {
    open() {
      if (isOpen) return;
      isOpen = true;
      root.hidden = false;
      handlers.onToggle?.(true);
      if (dated.length === 0 || !aFrom.value) void loadDated();
      compare.focus();
    },
    close() {
      if (!isOpen) return;
      isOpen = false;
      root.hidden = true;
      // the marks mean nothing without the panel's legend and periods
      clear();
      handlers.onToggle?.(false);
    },
    toggle() {
      if (isOpen) panel.close();
      else panel.open();
    },
    isOpen: () => isOpen,
    clear,
    reset() {
      clear();
      dated = [];
      eventSelect.replaceChildren();
      for (const input of [aFrom, aTo, bFrom, bTo]) input.value = '';
      if (isOpen) void loadDated();
    },
  };
  return panel;
}
