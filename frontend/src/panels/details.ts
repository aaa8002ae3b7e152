// Details panel: everything known about the selected entity (properties, degree, cases, time span and
// every source with its locator) or the selected link. All text goes through textContent.
import { h, replaceChildren } from '../dom.ts';
import type { EntityDetail } from '../api.ts';
import type { EdgeData } from '../graph/elements.ts';
import { ENTITY_SPECS, LINK_SPECS, isEntityType, isLinkType } from '../../../backend/src/model/ontology.ts';
import { formatDuration, formatTime, formatValue, shortHash } from '../format.ts';
import { entitySwatch, linkSwatch } from './swatch.ts';

export interface EndpointRef {
  id: string;
  label: string;
  type: string;
}

export interface DetailsHandlers {
  onExpand(id: string): void;
  onFocusEntity(id: string): void;
  /** records a note; resolves once the panel can show it (the caller re-shows the entity) */
  onAddNote(id: string, text: string): Promise<void>;
  /** merges `merge` into `keep` (the entity shown) */
  onMerge(keep: EndpointRef, merge: EndpointRef, reason: string): Promise<void>;
  onUnmerge(annotationId: string, keepId: string, merged: { id: string; label: string }): Promise<void>;
  /** entities that could be merged into the one shown: selected on the canvas, same type */
  mergeCandidates(id: string, type: string): EndpointRef[];
  /** why the signed-in user may not write notes and merges (their role), or null when they may */
  writeRefusal?(action: string): string | null;
}

export interface Details {
  clear(): void;
  loading(label: string, type: string): void;
  showEntity(detail: EntityDetail): void;
  showLink(link: EdgeData, from: EndpointRef, to: EndpointRef): void;
  showError(message: string): void;
  /** id of the entity or link shown, if any */
  current(): string | null;
}

function kvTable(rows: [string, string | Node][], testid?: string): HTMLTableElement {
  const table = h('table', { class: 'kv', 'data-testid': testid });
  const body = h('tbody');
  for (const [k, v] of rows) {
    body.append(h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)));
  }
  table.append(body);
  return table;
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', {}, title), ...children);
}

function timeCell(iso: string | null | undefined): Node | string {
  if (!iso) return '—';
  return h('time', { datetime: iso, title: iso }, formatTime(iso));
}

export function createDetails(root: HTMLElement, handlers: DetailsHandlers): Details {
  root.dataset.testid = 'details';
  let shown: string | null = null;

  function placeholder(): void {
    shown = null;
    root.dataset.kind = 'none';
    replaceChildren(
      root,
      h(
        'div',
        { class: 'placeholder' },
        h('p', { class: 'placeholder-title' }, 'Nothing selected'),
        h('p', {}, 'Click an entity or link to see its properties and sources. Double-click an entity to expand its neighbours.'),
      ),
    );
  }

  function header(kind: string, swatch: Node, title: string, subtitle: string, id: string): HTMLElement {
    return h(
      'header',
      { class: 'detail-header' },
      h('div', { class: 'detail-kind' }, swatch, h('span', {}, kind)),
      h('h2', { class: 'detail-title', 'data-testid': 'details-title' }, title),
      subtitle ? h('p', { class: 'detail-subtitle' }, subtitle) : null,
      h('p', { class: 'detail-id mono', title: id }, id),
    );
  }

  function meta(by: string, at: string): HTMLElement {
    return h('p', { class: 'note-meta' }, `${by} · `, timeCell(at));
  }

  function notesList(d: EntityDetail): HTMLElement {
    const notes = d.notes ?? [];
    if (notes.length === 0) return h('p', { class: 'muted', 'data-testid': 'notes-empty' }, 'No notes yet.');
    return h(
      'ol',
      { class: 'notes', 'data-testid': 'notes' },
      ...notes.map((n) => h('li', { class: 'note', 'data-testid': 'note', 'data-id': n.id }, h('p', { class: 'note-text' }, n.text ?? ''), meta(n.by, n.at))),
    );
  }

  function noteForm(d: EntityDetail): HTMLElement {
    const text = h('textarea', { rows: 2, placeholder: 'Add a note for the team…', 'aria-label': 'New note', 'data-testid': 'note-input', maxlength: 20000 });
    const add = h('button', { type: 'submit', class: 'btn small', 'data-testid': 'note-add', disabled: true }, 'Add note');
    const problem = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'note-form' }, text, h('div', { class: 'form-row' }, problem, add));
    const refused = handlers.writeRefusal?.('add notes');
    if (refused) {
      text.disabled = true;
      text.placeholder = refused;
      text.title = add.title = refused;
    }
    text.addEventListener('input', () => (add.disabled = text.value.trim().length === 0));
    text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) form.requestSubmit();
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = text.value.trim();
      if (!value) return;
      add.disabled = text.disabled = true;
      problem.textContent = '';
      handlers.onAddNote(d.id, value).catch((err: unknown) => {
        problem.textContent = err instanceof Error ? err.message : String(err);
        add.disabled = text.disabled = false;
      });
    });
    return form;
  }

  function mergedList(d: EntityDetail): HTMLElement {
    return h(
      'ul',
      { class: 'merged', 'data-testid': 'merged' },
      ...(d.merged ?? []).map((m) => {
        const refused = handlers.writeRefusal?.('unmerge');
        const undo = h('button', { type: 'button', class: 'btn small', 'data-testid': 'unmerge', title: refused ?? `Split ${m.label} off again`, disabled: refused !== null && refused !== undefined }, 'Unmerge');
        undo.addEventListener('click', () => {
          undo.disabled = true;
          handlers.onUnmerge(m.annotationId, d.id, { id: m.id, label: m.label }).catch(() => (undo.disabled = false));
        });
        return h(
          'li',
          { class: 'merged-item', 'data-testid': 'merged-item', 'data-id': m.id },
          h('div', { class: 'merged-head' }, entitySwatch(m.type, 12), h('span', { class: 'merged-label', title: m.id }, m.label), undo),
          h('p', { class: 'note-meta' }, `merged by ${m.by} · `, timeCell(m.at)),
        );
      }),
    );
  }

  function mergeForm(d: EntityDetail): HTMLElement {
    const candidates = handlers.mergeCandidates(d.id, d.type);
    if (candidates.length === 0) {
      return h(
        'div',
        { class: 'merge-form', 'data-testid': 'merge-form' },
        h('p', { class: 'muted' }, `To merge a duplicate into “${d.label}”, Shift+click the other ${d.type} on the canvas so both are selected, then choose Merge duplicate again.`),
      );
    }
    const pick = h('select', { 'data-testid': 'merge-candidate', 'aria-label': 'Duplicate to merge' }, ...candidates.map((c) => h('option', { value: c.id }, c.label)));
    const reason = h('input', { type: 'text', placeholder: 'Why they are the same (optional)', 'data-testid': 'merge-reason', maxlength: 2000, 'aria-label': 'Reason' });
    const go = h('button', { type: 'submit', class: 'btn small primary', 'data-testid': 'merge-go' }, 'Merge into this entity');
    const problem = h('p', { class: 'form-error', role: 'alert' });
    const form = h(
      'form',
      { class: 'merge-form', 'data-testid': 'merge-form' },
      h('p', { class: 'merge-explain' }, `The duplicate’s sources, links and notes are shown on “${d.label}”. Nothing is deleted: Unmerge splits them again. Who and when are recorded.`),
      h('label', { class: 'field' }, h('span', {}, 'Duplicate'), pick),
      h('label', { class: 'field' }, h('span', {}, 'Reason'), reason),
      h('div', { class: 'form-row' }, problem, go),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const other = candidates.find((c) => c.id === pick.value);
      if (!other) return;
      go.disabled = true;
      problem.textContent = '';
      handlers.onMerge({ id: d.id, label: d.label, type: d.type }, other, reason.value.trim()).catch((err: unknown) => {
        problem.textContent = err instanceof Error ? err.message : String(err);
        go.disabled = false;
      });
    });
    return form;
  }

  placeholder();

  return {
    clear: placeholder,
    current: () => shown,

    loading(label, type) {
      root.dataset.kind = 'loading';
      replaceChildren(root, header(type, entitySwatch(type, 14), label, 'Loading…', ''));
    },

    showError(message) {
      root.dataset.kind = 'error';
      replaceChildren(root, h('div', { class: 'placeholder error' }, h('p', { class: 'placeholder-title' }, 'Could not load details'), h('p', {}, message)));
    },

    showEntity(d) {
      shown = d.id;
      root.dataset.kind = 'entity';
      root.dataset.id = d.id;
      const description = isEntityType(d.type) ? ENTITY_SPECS[d.type].description : '';

      const mergeSlot = h('div', { class: 'merge-slot' });
      const mergeRefused = handlers.writeRefusal?.('merge entities') ?? null;
      const actions = h(
        'div',
        { class: 'detail-actions' },
        h('button', { type: 'button', class: 'btn small', 'data-action': 'expand', title: 'Add the neighbours of this entity to the canvas' }, 'Expand neighbours'),
        h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'focus', title: 'Centre the canvas on this entity' }, 'Centre'),
        h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'merge', 'data-testid': 'merge-open', 'aria-expanded': 'false', title: mergeRefused ?? 'Merge a duplicate of this entity into it', disabled: !!mergeRefused }, 'Merge duplicate…'),
      );
      actions.addEventListener('click', (ev) => {
        const btn = (ev.target as Element).closest<HTMLElement>('[data-action]');
        const action = btn?.dataset.action;
        if (action === 'expand') handlers.onExpand(d.id);
        if (action === 'focus') handlers.onFocusEntity(d.id);
        if (action === 'merge' && btn) {
          const open = mergeSlot.childElementCount === 0;
          replaceChildren(mergeSlot, open ? mergeForm(d) : null);
          btn.setAttribute('aria-expanded', String(open));
          if (open) mergeSlot.querySelector<HTMLElement>('select, button')?.focus();
        }
      });

      const summary = kvTable(
        [
          ['Degree', String(d.degree)],
          ['Cases', d.cases.length ? d.cases.join(', ') : '—'],
          ['First seen', timeCell(d.firstSeen)],
          ['Last seen', timeCell(d.lastSeen)],
        ],
        'details-summary',
      );

      const propEntries = Object.entries(d.props ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const props = propEntries.length
        ? kvTable(propEntries.map(([k, v]) => [k, formatValue(v)]), 'details-props')
        : h('p', { class: 'muted' }, 'No properties');

      const sources = h('ol', { class: 'sources', 'data-testid': 'details-sources' });
      for (const src of d.sources) {
        sources.append(
          h(
            'li',
            { class: 'source', 'data-testid': 'source' },
            h(
              'div',
              { class: 'source-head' },
              h('span', { class: 'source-name', 'data-testid': 'source-name', title: src.sourceName }, src.sourceName),
              h('span', { class: 'badge' }, src.sourceKind),
            ),
            src.title ? h('div', { class: 'source-title' }, src.title) : null,
            kvTable([
              ['Locator', h('span', { class: 'mono', 'data-testid': 'source-locator' }, src.locator || '—')],
              ['SHA-256', h('span', { class: 'mono', title: src.sha256, 'data-testid': 'source-sha' }, shortHash(src.sha256))],
              ['Case', src.case],
              ['Imported', timeCell(src.importedAt)],
            ]),
          ),
        );
      }
      if (d.sources.length === 0) sources.append(h('li', { class: 'muted' }, 'No sources recorded'));

      const merged = d.merged ?? [];
      replaceChildren(
        root,
        header(d.type, entitySwatch(d.type, 14), d.label, description, d.id),
        actions,
        mergeSlot,
        section('Summary', summary),
        section(`Properties (${propEntries.length})`, props),
        section(`Notes (${d.notes?.length ?? 0})`, notesList(d), noteForm(d)),
        merged.length ? section(`Merged into this (${merged.length})`, mergedList(d)) : null,
        section(`Sources (${d.sources.length})`, sources),
      );
    },

    showLink(link, from, to) {
      shown = link.id;
      root.dataset.kind = 'link';
      root.dataset.id = link.id;
      const description = isLinkType(link.type) ? LINK_SPECS[link.type].description : '';

      const endpoint = (ref: EndpointRef) => {
        const btn = h('button', { type: 'button', class: 'endpoint', title: `${ref.type}: ${ref.label}` }, entitySwatch(ref.type, 12), h('span', {}, ref.label));
        btn.addEventListener('click', () => handlers.onFocusEntity(ref.id));
        return btn;
      };

      const rows: [string, string | Node][] = [
        ['From', endpoint(from)],
        ['To', endpoint(to)],
      ];
      if (link.count !== null) rows.push(['Count', link.count.toLocaleString('en')]);
      if (link.durationS !== null) rows.push(['Duration', formatDuration(link.durationS)]);
      if (link.firstAt) rows.push(['First', timeCell(link.firstAt)]);
      if (link.lastAt) rows.push(['Last', timeCell(link.lastAt)]);

      const propEntries = Object.entries(link.props ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const props = propEntries.length
        ? kvTable(propEntries.map(([k, v]) => [k, formatValue(v)]), 'details-props')
        : h('p', { class: 'muted' }, 'No properties');

      replaceChildren(
        root,
        header('Link', linkSwatch(link.type), link.type, description, link.id),
        section('Endpoints', kvTable(rows, 'details-summary')),
        section(`Properties (${propEntries.length})`, props),
      );
    },
  };
}
