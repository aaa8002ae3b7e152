// Right-click (and keyboard) context menu: a list of actions as data, drawn as a menu of buttons with
// their shortcut; ↑/↓/Home/End move, Enter runs, Escape closes. Labels are text nodes only.
import { h } from '../dom.ts';
import { openFloating, type Point } from './floating.ts';

export type MenuItem =
  | { label: string; run: () => void; shortcut?: string; disabled?: boolean; action?: string; hint?: string }
  | { separator: true }
  | { heading: string };

export function openContextMenu(at: Point, items: MenuItem[], title?: string): void {
  const menu = h('div', { class: 'context-menu', role: 'menu', 'data-testid': 'context-menu', tabindex: '-1', 'aria-label': title ?? 'Actions' });
  if (title) menu.append(h('div', { class: 'menu-title', title }, title));
  const buttons: HTMLButtonElement[] = [];
  let floating: { close(): void } | null = null;
  for (const item of items) {
    if ('separator' in item) {
      menu.append(h('div', { class: 'menu-sep', role: 'separator' }));
    } else if ('heading' in item) {
      menu.append(h('div', { class: 'menu-heading', role: 'presentation' }, item.heading));
    } else {
      const btn = h(
        'button',
        { type: 'button', class: 'menu-item', role: 'menuitem', 'data-action': item.action ?? null, disabled: item.disabled ?? false, title: item.hint ?? null },
        h('span', { class: 'menu-label' }, item.label),
        item.shortcut ? h('kbd', { class: 'menu-kbd' }, item.shortcut) : null,
      );
      const run = item.run;
      btn.addEventListener('click', () => {
        floating?.close();
        run();
      });
      buttons.push(btn);
      menu.append(btn);
    }
  }
  const enabled = () => buttons.filter((b) => !b.disabled);
  menu.addEventListener('keydown', (ev) => {
    const list = enabled();
    if (list.length === 0) return;
    const i = list.indexOf(document.activeElement as HTMLButtonElement);
    let next = -1;
    if (ev.key === 'ArrowDown') next = (i + 1) % list.length;
    else if (ev.key === 'ArrowUp') next = (i - 1 + list.length) % list.length;
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = list.length - 1;
    else if (ev.key === 'Tab') {
      ev.preventDefault();
      floating?.close();
      return;
    }
    if (next >= 0) {
      ev.preventDefault();
      list[next].focus();
    }
  });
  menu.addEventListener('contextmenu', (ev) => ev.preventDefault());
  floating = openFloating(menu, at, { focus: enabled()[0] ?? menu });
}
