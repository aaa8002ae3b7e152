// Legend: the entity and link types on the canvas with their swatch and count. Clicking an entity type
// hides or shows its nodes (a filter, not a removal: counts stay those of the loaded graph).
import { h, replaceChildren } from '../dom.ts';
import { ENTITY_SPECS, LINK_SPECS, isEntityType, isLinkType } from '../../../backend/src/model/ontology.ts';
import { entitySwatch, linkSwatch } from './swatch.ts';

export interface LegendCounts {
  entities: Map<string, number>;
  links: Map<string, number>;
}

export interface Legend {
  update(counts: LegendCounts, hidden: ReadonlySet<string>): void;
}

export function createLegend(root: HTMLElement, handlers: { onToggleType(type: string): void }): Legend {
  root.dataset.testid = 'legend';
  const entityList = h('ul', { class: 'legend-list', 'data-testid': 'legend-entities' });
  const linkList = h('ul', { class: 'legend-list links', 'data-testid': 'legend-links' });
  const linkSection = h('details', { class: 'legend-links' }, h('summary', {}, 'Link types'), linkList);
  root.append(h('h2', { class: 'section-title' }, 'Entity types'), entityList, linkSection);

  entityList.addEventListener('click', (ev) => {
    const item = (ev.target as Element).closest<HTMLElement>('[data-type]');
    if (item?.dataset.type) handlers.onToggleType(item.dataset.type);
  });

  return {
    update(counts, hidden) {
      const items = [...counts.entities].map(([type, n]) => {
        const off = hidden.has(type);
        return h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: off ? 'legend-item off' : 'legend-item',
              'data-type': type,
              'aria-pressed': String(!off),
              title: `${isEntityType(type) ? ENTITY_SPECS[type].description : type} — click to ${off ? 'show' : 'hide'}`,
            },
            entitySwatch(type),
            h('span', { class: 'legend-name' }, type),
            h('span', { class: 'legend-count' }, n.toLocaleString('en')),
          ),
        );
      });
      if (items.length === 0) items.push(h('li', { class: 'empty' }, 'Nothing on the canvas yet'));
      replaceChildren(entityList, ...items);

      const links = [...counts.links].map(([type, n]) =>
        h(
          'li',
          { class: 'legend-item static', title: isLinkType(type) ? LINK_SPECS[type].description : type },
          linkSwatch(type),
          h('span', { class: 'legend-name mono' }, type),
          h('span', { class: 'legend-count' }, n.toLocaleString('en')),
        ),
      );
      replaceChildren(linkList, ...links);
    },
  };
}
