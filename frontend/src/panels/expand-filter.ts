// "Expand with filters…": before fetching a neighbourhood, choose which entity and link types to bring
// in. Only the types the ontology allows next to the entity's type are offered; the page cap is shown so
// a capped result is never a surprise.
import { h } from '../dom.ts';
import { ENTITY_TYPES, LINK_SPECS, LINK_TYPES, type EntityType } from '../../../backend/src/model/ontology.ts';
import { entitySwatch } from './swatch.ts';
import { openFloating, type Point } from './floating.ts';
import { typeChecklist } from './type-checklist.ts';

export interface ExpandFilter {
  /** undefined: every type */
  entityTypes?: string[];
  linkTypes?: string[];
}

/** Link types that may touch an entity of `type`, and the entity types at their other end. */
export function relevantTypes(type: string): { links: string[]; entities: string[] } {
  const links = LINK_TYPES.filter((l) => (LINK_SPECS[l].from as readonly string[]).includes(type) || (LINK_SPECS[l].to as readonly string[]).includes(type));
  const ends = new Set<EntityType>();
  for (const l of links) {
    const spec = LINK_SPECS[l];
    if ((spec.from as readonly string[]).includes(type)) spec.to.forEach((t) => ends.add(t));
    if ((spec.to as readonly string[]).includes(type)) spec.from.forEach((t) => ends.add(t));
  }
  return { links: [...links], entities: ENTITY_TYPES.filter((t) => ends.has(t)) };
}

/** A short description of a filter for notices: "Phone, Person · CALLED". Empty when nothing is filtered. */
export function describeFilter(f: ExpandFilter): string {
  const parts: string[] = [];
  if (f.entityTypes) parts.push(f.entityTypes.join(', '));
  if (f.linkTypes) parts.push(f.linkTypes.join(', '));
  return parts.join(' · ');
}

export interface ExpandTarget {
  id: string;
  label: string;
  type: string;
}

/** The last filter chosen per entity type, offered again next time. */
const remembered = new Map<string, ExpandFilter>();

export function openExpandFilter(at: Point, target: ExpandTarget, cap: number, onExpand: (filter: ExpandFilter) => void): void {
  const { links, entities } = relevantTypes(target.type);
  const last = remembered.get(target.type);
  const ents = typeChecklist('entity', 'Entity types', entities, last?.entityTypes ? new Set(last.entityTypes) : 'all', 'expand-entity-types');
  const lnks = typeChecklist('link', 'Link types', links, last?.linkTypes ? new Set(last.linkTypes) : 'all', 'expand-link-types');
  const go = h('button', { type: 'submit', class: 'btn small primary', 'data-testid': 'expand-go' }, 'Expand');
  const cancel = h('button', { type: 'button', class: 'btn small' }, 'Cancel');
  const capNote = h('p', { class: 'popover-note' }, `Up to ${cap.toLocaleString('en')} neighbours per page; the rest are offered as “N more”.`);
  const form = h(
    'form',
    { class: 'popover expand-filter', 'data-testid': 'expand-filter', role: 'dialog', 'aria-label': `Expand ${target.label}`, tabindex: '-1' },
    h('header', { class: 'popover-head' }, entitySwatch(target.type, 14), h('span', { class: 'popover-title' }, `Expand “${target.label}”`)),
    ents.el,
    lnks.el,
    capNote,
    h('div', { class: 'popover-actions' }, cancel, go),
  );
  const sync = () => {
    go.disabled = ents.checked().length === 0 || lnks.checked().length === 0;
  };
  ents.onChange(sync);
  lnks.onChange(sync);
  sync();
  const floating = openFloating(form, at, { focus: go });
  cancel.addEventListener('click', () => floating.close());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const filter: ExpandFilter = { entityTypes: ents.all() ? undefined : ents.checked(), linkTypes: lnks.all() ? undefined : lnks.checked() };
    remembered.set(target.type, filter);
    floating.close();
    onExpand(filter);
  });
}
