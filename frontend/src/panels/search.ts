// Search box with typeahead: debounced queries to /api/search, results grouped by entity type, keyboard
// navigation (↑/↓, Enter, Escape). A newer keystroke aborts the request of an older one.
import { h, replaceChildren } from '../dom.ts';
import { isAbort, type Api, type SearchHit } from '../api.ts';
import { ENTITY_TYPES } from '../../../backend/src/model/ontology.ts';
import { entitySwatch } from './swatch.ts';

export const SEARCH_DEBOUNCE_MS = 150;

export interface SearchHandlers {
  onChoose(hit: SearchHit): void;
  onError(message: string): void;
}

/** Groups hits by type, types in ontology order, hits in score order within a type. */
export function groupHits(hits: SearchHit[]): [string, SearchHit[]][] {
  const groups = new Map<string, SearchHit[]>();
  for (const hit of hits) {
    const g = groups.get(hit.type);
    if (g) g.push(hit);
    else groups.set(hit.type, [hit]);
  }
  const order = (t: string) => {
    const i = (ENTITY_TYPES as readonly string[]).indexOf(t);
    return i < 0 ? ENTITY_TYPES.length : i;
  };
  return [...groups].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
}

export function createSearch(input: HTMLInputElement, list: HTMLElement, api: Api, handlers: SearchHandlers): { clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;
  let hits: SearchHit[] = []; // in display order
  let active = -1;
  let lastQuery = '';

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  list.setAttribute('role', 'listbox');

  function close(): void {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  }

  function open(): void {
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function highlight(i: number): void {
    active = i;
    list.querySelectorAll<HTMLElement>('[data-index]').forEach((el) => {
      const on = Number(el.dataset.index) === i;
      el.classList.toggle('active', on);
      el.setAttribute('aria-selected', String(on));
      if (on) el.scrollIntoView({ block: 'nearest' });
    });
  }

  function render(query: string, results: SearchHit[]): void {
    const groups = groupHits(results);
    hits = groups.flatMap(([, g]) => g);
    const nodes: Node[] = [];
    let i = 0;
    for (const [type, group] of groups) {
      nodes.push(h('li', { class: 'hit-group', role: 'presentation' }, entitySwatch(type, 12), h('span', {}, type), h('span', { class: 'hit-count' }, group.length)));
      for (const hit of group) {
        nodes.push(
          h(
            'li',
            { class: 'hit', role: 'option', id: `hit-${i}`, 'data-index': i, 'data-id': hit.id, 'data-testid': 'search-hit', 'aria-selected': 'false', title: hit.label },
            h('span', { class: 'hit-label' }, hit.label),
            hit.snippet && hit.snippet !== hit.label ? h('span', { class: 'hit-snippet' }, hit.snippet) : null,
          ),
        );
        i++;
      }
    }
    if (results.length === 0) nodes.push(h('li', { class: 'hit-empty' }, `No match for “${query}”`));
    replaceChildren(list, ...nodes);
    list.classList.remove('stale');
    open();
    highlight(hits.length ? 0 : -1);
  }

  async function run(query: string): Promise<void> {
    controller?.abort();
    if (query.length === 0) {
      close();
      return;
    }
    const ctrl = new AbortController();
    controller = ctrl;
    list.dataset.loading = 'true';
    try {
      const results = await api.search(query, { limit: 20, signal: ctrl.signal });
      if (ctrl.signal.aborted || input.value.trim() !== query) return;
      lastQuery = query;
      render(query, results);
    } catch (err) {
      if (isAbort(err)) return;
      close();
      handlers.onError((err as Error).message);
    } finally {
      if (controller === ctrl) delete list.dataset.loading;
    }
  }

  function choose(i: number): void {
    const hit = hits[i];
    if (!hit) return;
    close();
    input.blur();
    handlers.onChoose(hit);
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    // results on show belong to an older query until the new ones arrive
    list.classList.toggle('stale', q !== lastQuery);
    timer = setTimeout(() => void run(q), SEARCH_DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (list.hidden && hits.length) open();
      if (!hits.length) return;
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      highlight((active + step + hits.length) % hits.length);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      const q = input.value.trim();
      if (q && q === lastQuery && hits.length) {
        choose(active >= 0 ? active : 0);
      } else if (q) {
        // Enter before the debounce fired: search now, then take the best hit
        clearTimeout(timer);
        void run(q).then(() => {
          if (input.value.trim() === q && hits.length) choose(0);
        });
      }
    } else if (ev.key === 'Escape') {
      close();
      input.blur();
    }
  });

  input.addEventListener('focus', () => {
    if (hits.length && input.value.trim() === lastQuery && lastQuery) open();
  });
  input.addEventListener('blur', () => setTimeout(close, 120));

  // mousedown (not click) so the choice lands before the input's blur closes the list
  list.addEventListener('mousedown', (ev) => {
    const item = (ev.target as Element).closest<HTMLElement>('[data-index]');
    if (!item) return;
    ev.preventDefault();
    choose(Number(item.dataset.index));
  });
  list.addEventListener('mousemove', (ev) => {
    const item = (ev.target as Element).closest<HTMLElement>('[data-index]');
    if (item && Number(item.dataset.index) !== active) highlight(Number(item.dataset.index));
  });

  close();
  return {
    clear() {
      clearTimeout(timer);
      controller?.abort();
      input.value = '';
      hits = [];
      lastQuery = '';
      close();
    },
  };
}
