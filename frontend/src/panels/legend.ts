// Legend: the entity and link types on the canvas with their swatch and count. Clicking a type hides or
// shows its entities (or links): a filter, not a removal, so counts stay those of the loaded graph. The
// arrow beside a type selects everything of that type.
import { h, replaceChildren, s } from '../dom.ts';
import { ENTITY_SPECS, LINK_SPECS, isEntityType, isLinkType } from '../../../backend/src/model/ontology.ts';
import { entitySwatch, linkSwatch } from './swatch.ts';

export interface LegendCounts {
  entities: Map<string, number>;
  links: Map<string, number>;
}

export interface LegendHandlers {
  onToggleType(type: string): void;
  onToggleLinkType(type: string): void;
  onSelectType(kind: 'entity' | 'link', type: string): void;
}

export interface Legend {
  update(counts: LegendCounts, hidden: ReadonlySet<string>, hiddenLinks?: ReadonlySet<string>): void;
}

function selectButton(kind: 'entity' | 'link', type: string): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: 'legend-select', 'data-select-type': type, 'data-kind': kind, title: `Select every ${kind === 'entity' ? type : `${type} link`} on the canvas`, 'aria-label': `Select all ${type}` },
    // a selection marquee
    s('svg', { viewBox: '0 0 16 16', width: 13, height: 13, 'aria-hidden': 'true' }, s('rect', { x: 2.5, y: 2.5, width: 11, height: 11, rx: 1.5, 'stroke-dasharray': '2.2 2' }), s('circle', { cx: 8, cy: 8, r: 1.6 })),
  );
}

export function createLegend(root: HTMLElement, handlers: LegendHandlers): Legend {
  root.dataset.testid = 'legend';
  const entityList = h('ul', { class: 'legend-list', 'data-testid': 'legend-entities' });
  const linkList = h('ul', { class: 'legend-list links', 'data-testid': 'legend-links' });
  const linkSection = h('details', { class: 'legend-links' }, h('summary', { 'data-testid': 'legend-links-toggle' }, 'Link types'), linkList);
  root.append(h('h2', { class: 'section-title' }, 'Entity types'), entityList, linkSection);

  const onClick = (ev: Event) => {
    const target = ev.target as Element;
    const select = target.closest<HTMLElement>('[data-select-type]');
    if (select?.dataset.selectType) {
      handlers.onSelectType(select.dataset.kind === 'link' ? 'link' : 'entity', select.dataset.selectType);
      return;
    }
    const item = target.closest<HTMLElement>('[data-type], [data-link-type]');
    if (item?.dataset.type) handlers.onToggleType(item.dataset.type);
    else if (item?.dataset.linkType) handlers.onToggleLinkType(item.dataset.linkType);
  };
  entityList.addEventListener('click', onClick);
  linkList.addEventListener('click', onClick);

  return {
    update(counts, hidden, hiddenLinks = new Set()) {
      /** One legend row: a toggle button (swatch, name, count) and its select-by-type button. */
      const row = (kind: 'entity' | 'link', type: string, n: number, off: boolean, description: string, swatch: Node) =>
        h(
          'li',
          { class: 'legend-row' },
          h(
            'button',
            {
              type: 'button',
              class: off ? 'legend-item off' : 'legend-item',
              [kind === 'entity' ? 'data-type' : 'data-link-type']: type,
              'aria-pressed': String(!off),
              title: `${description} — click to ${off ? 'show' : 'hide'}`,
            },
            swatch,
            h('span', { class: kind === 'entity' ? 'legend-name' : 'legend-name mono' }, type),
            h('span', { class: 'legend-count' }, n.toLocaleString('en')),
          ),
          selectButton(kind, type),
        );
      const items = [...counts.entities].map(([type, n]) =>
        row('entity', type, n, hidden.has(type), isEntityType(type) ? ENTITY_SPECS[type].description : type, entitySwatch(type)));
      if (items.length === 0) items.push(h('li', { class: 'empty' }, 'Nothing on the canvas yet'));
      replaceChildren(entityList, ...items);

      const links = [...counts.links].map(([type, n]) =>
        row('link', type, n, hiddenLinks.has(type), isLinkType(type) ? LINK_SPECS[type].description : type, linkSwatch(type)));
      replaceChildren(linkList, ...links);
    },
  };
}
