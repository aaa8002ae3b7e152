// A checklist of entity or link types with their swatches and "All" / "None": the type filter used before
// expanding and by the Paths panel.
import { h } from '../dom.ts';
import { entitySwatch, linkSwatch } from './swatch.ts';

export interface TypeChecklist {
  el: HTMLElement;
  /** the checked types, in list order */
  checked(): string[];
  /** true when every type is checked (no filter) */
  all(): boolean;
  set(checked: ReadonlySet<string> | 'all'): void;
  onChange(fn: () => void): void;
}

export function typeChecklist(kind: 'entity' | 'link', title: string, types: readonly string[], checked: ReadonlySet<string> | 'all', testid: string): TypeChecklist {
  const listeners: (() => void)[] = [];
  const boxes = types.map((type) => {
    const box = h('input', { type: 'checkbox', value: type, 'data-type': type });
    box.checked = checked === 'all' || checked.has(type);
    return box;
  });
  const changed = () => listeners.forEach((fn) => fn());
  const setAll = (on: boolean) => {
    boxes.forEach((b) => (b.checked = on));
    changed();
  };
  const allBtn = h('button', { type: 'button', class: 'link-btn', 'data-action': 'all' }, 'All');
  const noneBtn = h('button', { type: 'button', class: 'link-btn', 'data-action': 'none' }, 'None');
  allBtn.addEventListener('click', () => setAll(true));
  noneBtn.addEventListener('click', () => setAll(false));
  const el = h(
    'fieldset',
    { class: `type-checklist ${kind}`, 'data-testid': testid },
    h('legend', {}, h('span', {}, title), h('span', { class: 'checklist-actions' }, allBtn, ' · ', noneBtn)),
    h(
      'div',
      { class: 'checklist-grid' },
      ...types.map((type, i) =>
        h('label', { class: 'check', title: type }, boxes[i], kind === 'entity' ? entitySwatch(type, 12) : linkSwatch(type), h('span', { class: kind === 'link' ? 'mono' : '' }, type)),
      ),
    ),
  );
  el.addEventListener('change', changed);
  return {
    el,
    checked: () => boxes.filter((b) => b.checked).map((b) => b.value),
    all: () => boxes.every((b) => b.checked),
    set(next) {
      boxes.forEach((b) => (b.checked = next === 'all' || next.has(b.value)));
    },
    onChange: (fn) => void listeners.push(fn),
  };
}
