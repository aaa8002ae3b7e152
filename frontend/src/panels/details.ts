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

      const actions = h(
        'div',
        { class: 'detail-actions' },
        h('button', { type: 'button', class: 'btn small', 'data-action': 'expand', title: 'Add the neighbours of this entity to the canvas' }, 'Expand neighbours'),
        h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'focus', title: 'Centre the canvas on this entity' }, 'Centre'),
      );
      actions.addEventListener('click', (ev) => {
        const action = (ev.target as Element).closest<HTMLElement>('[data-action]')?.dataset.action;
        if (action === 'expand') handlers.onExpand(d.id);
        if (action === 'focus') handlers.onFocusEntity(d.id);
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

      replaceChildren(
        root,
        header(d.type, entitySwatch(d.type, 14), d.label, description, d.id),
        actions,
        section('Summary', summary),
        section(`Properties (${propEntries.length})`, props),
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
