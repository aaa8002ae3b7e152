// Paths panel: between two selected entities, the shortest path or all simple paths up to k hops
// (optionally only along some link types), and the common neighbours of a selection. Results are merged
// into the canvas and highlighted by the caller; here they are listed as readable chains of labels
// (text nodes only) and a click on one highlights just it. "No path within k hops" is said plainly.
import { h, replaceChildren } from '../dom.ts';
import type { Api, CommonNeighboursResult, GraphView, PathsResult } from '../api.ts';
import { LINK_TYPES } from '../../../backend/src/model/ontology.ts';
import { plural } from '../format.ts';
import { entitySwatch } from './swatch.ts';
import { typeChecklist } from './type-checklist.ts';

export interface EntityRef {
  id: string;
  label: string;
  type: string;
}

export type PathsOutcome =
  | { kind: 'paths'; from: EntityRef; to: EntityRef; result: PathsResult }
  | { kind: 'common'; of: EntityRef[]; result: CommonNeighboursResult };

export interface PathsHandlers {
  /** the selected entities, in the order they were selected */
  selection(): EntityRef[];
  /** merges the result into the canvas and highlights it */
  onResult(outcome: PathsOutcome): void;
  /** highlights only these element ids; null: the whole result again */
  onHighlight(ids: string[] | null): void;
  onFocus(id: string): void;
  onClear(): void;
  track<T>(work: () => Promise<T>): Promise<T>;
  onError(err: unknown): void;
}

export interface PathsPanel {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** fills From/To from the selection (two entities: both; one: the empty slot) */
  useSelection(): void;
  /** the selection changed: refresh the buttons that depend on it */
  selectionChanged(): void;
  setEndpoint(which: 'from' | 'to', ref: EntityRef): void;
  /** runs the path search with the form as it is */
  find(): Promise<void>;
  /** runs common neighbours of the selection */
  findCommon(): Promise<void>;
  /** forgets From, To and the results (another case was opened) */
  reset(): void;
}

export const MAX_HOPS = 6;

function labelsOf(view: GraphView): Map<string, { label: string; type: string }> {
  return new Map(view.entities.map((e) => [e.id, { label: e.label, type: e.type }]));
}

export function createPathsPanel(root: HTMLElement, api: Api, handlers: PathsHandlers): PathsPanel {
  root.dataset.testid = 'paths-panel';
  let from: EntityRef | null = null;
  let to: EntityRef | null = null;
  let active: number | null = null;

  const slot = (which: 'from' | 'to') => h('div', { class: 'path-slot', 'data-testid': `paths-${which}` });
  const fromSlot = slot('from');
  const toSlot = slot('to');
  const useSel = h('button', { type: 'button', class: 'btn small', 'data-testid': 'paths-use-selection', title: 'Take From and To from the selected entities, in the order you selected them' }, 'Use selection');
  const swap = h('button', { type: 'button', class: 'btn small ghost', 'data-testid': 'paths-swap', title: 'Swap From and To', 'aria-label': 'Swap From and To' }, '⇅ Swap');
  const hops = h('select', { 'data-testid': 'paths-k', 'aria-label': 'Maximum hops' }, ...Array.from({ length: MAX_HOPS }, (_, i) => h('option', { value: i + 1 }, String(i + 1))));
  hops.value = '4';
  const modeShortest = h('input', { type: 'radio', name: 'paths-mode', value: 'shortest', checked: true, 'data-testid': 'paths-mode-shortest' });
  const modeAll = h('input', { type: 'radio', name: 'paths-mode', value: 'all', 'data-testid': 'paths-mode-all' });
  const links = typeChecklist('link', 'Only along', LINK_TYPES, 'all', 'paths-link-types');
  const linkSummary = h('summary', { 'data-testid': 'paths-link-summary' });
  const linkBox = h('details', { class: 'paths-links' }, linkSummary, links.el);
  const find = h('button', { type: 'button', class: 'btn small primary', 'data-testid': 'paths-find' }, 'Find paths');
  const common = h('button', { type: 'button', class: 'btn small', 'data-testid': 'paths-common', title: 'Entities linked to every selected entity' }, 'Common neighbours');
  const clear = h('button', { type: 'button', class: 'btn small ghost', 'data-testid': 'paths-clear', title: 'Remove the highlight and the list' }, 'Clear');
  const message = h('p', { class: 'paths-message', 'data-testid': 'paths-message', role: 'status' });
  const list = h('ol', { class: 'paths-list', 'data-testid': 'paths-list' });
  const closeBtn = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close the Paths panel', 'data-testid': 'paths-close' }, '×');

  replaceChildren(
    root,
    h('header', { class: 'tool-head' }, h('h2', { class: 'section-title' }, 'Paths'), closeBtn),
    h(
      'div',
      { class: 'tool-body' },
      h('div', { class: 'path-ends' }, h('span', { class: 'path-end-label' }, 'From'), fromSlot, h('span', { class: 'path-end-label' }, 'To'), toSlot),
      h('div', { class: 'tool-row' }, useSel, swap),
      h(
        'div',
        { class: 'tool-row' },
        h('label', { class: 'inline-field' }, 'Max hops', hops),
        h('span', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Search' }, h('label', {}, modeShortest, 'Shortest'), h('label', {}, modeAll, 'All paths')),
      ),
      linkBox,
      h('div', { class: 'tool-row' }, find, common, clear),
      message,
      list,
    ),
  );

  function renderSlot(el: HTMLElement, ref: EntityRef | null, which: 'from' | 'to'): void {
    if (!ref) {
      replaceChildren(el, h('span', { class: 'muted' }, which === 'from' ? 'Select an entity, then Use selection' : '—'));
      el.classList.add('empty');
      delete el.dataset.id;
      return;
    }
    el.classList.remove('empty');
    el.dataset.id = ref.id;
    const x = h('button', { type: 'button', class: 'chip-x', 'aria-label': `Clear ${which}` }, '×');
    x.addEventListener('click', () => {
      if (which === 'from') from = null;
      else to = null;
      render();
    });
    replaceChildren(el, h('span', { class: 'chip', title: `${ref.type}: ${ref.label}` }, entitySwatch(ref.type, 12), h('span', { class: 'chip-label' }, ref.label), x));
  }

  function render(): void {
    renderSlot(fromSlot, from, 'from');
    renderSlot(toSlot, to, 'to');
    find.disabled = !from || !to || from.id === to.id;
    swap.disabled = !from && !to;
    const n = handlers.selection().length;
    common.disabled = n < 2;
    common.textContent = n >= 2 ? `Common neighbours (${n})` : 'Common neighbours';
    const chosen = links.all() ? null : links.checked();
    linkSummary.textContent = chosen === null ? 'Any link type' : chosen.length === 0 ? 'No link type chosen' : `Only ${chosen.length === 1 ? chosen[0] : plural(chosen.length, 'link type')}`;
    if (chosen !== null && chosen.length === 0) find.disabled = common.disabled = true;
  }

  function linkFilter(): string[] | undefined {
    return links.all() ? undefined : links.checked();
  }

  function setMessage(text: string, kind: 'none' | 'found' | 'empty'): void {
    message.textContent = text;
    message.dataset.kind = kind;
  }

  function chainItem(i: number, entities: string[], linkIds: string[], names: Map<string, { label: string; type: string }>, linkTypes: Map<string, string>): HTMLElement {
    const chain = h('span', { class: 'chain' });
    entities.forEach((id, j) => {
      if (j > 0) {
        const t = linkTypes.get(linkIds[j - 1]) ?? '';
        chain.append(h('span', { class: 'hop', title: t }, ' → '));
      }
      const n = names.get(id);
      chain.append(h('span', { class: 'chain-node', title: n ? `${n.type}: ${n.label}` : id }, n?.label ?? id));
    });
    const btn = h(
      'button',
      { type: 'button', class: 'path-item', 'data-testid': 'path-item', 'data-index': i, 'aria-pressed': 'false' },
      h('span', { class: 'path-meta' }, `Path ${i + 1} · ${plural(linkIds.length, 'hop')}`),
      chain,
    );
    return h('li', {}, btn);
  }

  function showPaths(result: PathsResult): void {
    const names = labelsOf(result.view);
    const linkTypes = new Map(result.view.links.map((l) => [l.id, l.type]));
    active = null;
    setMessage(result.message, result.paths.length ? 'found' : 'empty');
    replaceChildren(list, ...result.paths.map((p, i) => chainItem(i, p.entities, p.links, names, linkTypes)));
    list.dataset.kind = 'paths';
    list.onclick = (ev) => {
      const item = (ev.target as Element).closest<HTMLElement>('.path-item');
      if (!item) return;
      const i = Number(item.dataset.index);
      active = active === i ? null : i;
      list.querySelectorAll<HTMLElement>('.path-item').forEach((el) => el.setAttribute('aria-pressed', String(Number(el.dataset.index) === active)));
      const p = result.paths[i];
      handlers.onHighlight(active === null ? null : [...p.entities, ...p.links]);
    };
  }

  function showCommon(of: EntityRef[], result: CommonNeighboursResult): void {
    const names = labelsOf(result.view);
    const who = of.map((r) => r.label).join(', ');
    const hubs = result.hubs.length ? ` ${plural(result.hubs.length, 'hub')} had more links than were followed.` : '';
    setMessage(
      result.common.length
        ? `${plural(result.common.length, 'entity', 'entities')} linked to all of ${who}.${hubs}`
        : `No entity is linked to all of ${who}.${hubs}`,
      result.common.length ? 'found' : 'empty',
    );
    list.dataset.kind = 'common';
    replaceChildren(
      list,
      ...result.common.map((id) => {
        const n = names.get(id);
        return h(
          'li',
          {},
          h('button', { type: 'button', class: 'path-item common', 'data-testid': 'common-item', 'data-id': id, title: n ? `${n.type}: ${n.label}` : id }, n ? entitySwatch(n.type, 12) : null, h('span', { class: 'chain-node' }, n?.label ?? id)),
        );
      }),
    );
    list.onclick = (ev) => {
      const item = (ev.target as Element).closest<HTMLElement>('.path-item');
      if (item?.dataset.id) handlers.onFocus(item.dataset.id);
    };
  }

  async function runPaths(): Promise<void> {
    if (!from || !to) return;
    const q = { from: from.id, to: to.id, k: Number(hops.value), mode: modeAll.checked ? ('all' as const) : ('shortest' as const), linkTypes: linkFilter(), maxPaths: 50 };
    const [a, b] = [from, to];
    find.disabled = true;
    setMessage('Searching…', 'none');
    try {
      const result = await handlers.track(() => api.paths(q));
      showPaths(result);
      handlers.onResult({ kind: 'paths', from: a, to: b, result });
    } catch (err) {
      setMessage('', 'none');
      handlers.onError(err);
    } finally {
      render();
    }
  }

  async function runCommon(): Promise<void> {
    const of = handlers.selection();
    if (of.length < 2) return;
    common.disabled = true;
    setMessage('Searching…', 'none');
    try {
      const result = await handlers.track(() => api.commonNeighbours(of.map((r) => r.id), linkFilter()));
      showCommon(of, result);
      handlers.onResult({ kind: 'common', of, result });
    } catch (err) {
      setMessage('', 'none');
      handlers.onError(err);
    } finally {
      render();
    }
  }

  const panel: PathsPanel = {
    open() {
      root.hidden = false;
      if (!from && !to) panel.useSelection();
      render();
    },
    close() {
      root.hidden = true;
    },
    toggle() {
      if (root.hidden) panel.open();
      else panel.close();
    },
    isOpen: () => !root.hidden,
    useSelection() {
      const sel = handlers.selection();
      if (sel.length >= 2) {
        [from, to] = [sel[0], sel[1]];
      } else if (sel.length === 1) {
        if (!from || (from && to)) {
          from = sel[0];
          if (to?.id === from.id) to = null;
        } else if (sel[0].id !== from.id) {
          to = sel[0];
        }
      }
      render();
    },
    selectionChanged() {
      if (!root.hidden) render();
    },
    setEndpoint(which, ref) {
      if (which === 'from') {
        from = ref;
        if (to?.id === ref.id) to = null;
      } else {
        to = ref;
        if (from?.id === ref.id) from = null;
      }
      root.hidden = false;
      render();
    },
    find: () => runPaths(),
    findCommon: () => runCommon(),
    reset() {
      from = to = null;
      active = null;
      setMessage('', 'none');
      replaceChildren(list);
      render();
    },
  };

  useSel.addEventListener('click', () => panel.useSelection());
  swap.addEventListener('click', () => {
    [from, to] = [to, from];
    render();
  });
  find.addEventListener('click', () => void runPaths());
  common.addEventListener('click', () => void runCommon());
  clear.addEventListener('click', () => {
    active = null;
    setMessage('', 'none');
    replaceChildren(list);
    handlers.onClear();
  });
  closeBtn.addEventListener('click', () => panel.close());
  links.onChange(render);
  render();
  return panel;
}
