// Keyboard shortcuts as data, and the overlay (`?`) that lists them.
import { h, replaceChildren } from '../dom.ts';

export interface Shortcut {
  keys: string[];
  does: string;
}

export const SHORTCUTS: { group: string; items: Shortcut[] }[] = [
  {
    group: 'Find and inspect',
    items: [
      { keys: ['/'], does: 'Search entities (Enter adds the first hit)' },
      { keys: ['Click'], does: 'Inspect an entity or link' },
      { keys: ['Shift', 'Click'], does: 'Add to the selection' },
      { keys: ['Shift', 'Drag'], does: 'Select a box of entities' },
      { keys: ['Ctrl', 'A'], does: 'Select everything shown' },
      { keys: ['T'], does: 'Select all entities of the selected types' },
      { keys: ['Esc'], does: 'Clear the selection, close menus' },
    ],
  },
  {
    group: 'Explore',
    items: [
      { keys: ['Double-click'], does: 'Expand an entity’s neighbours' },
      { keys: ['E'], does: 'Expand the selected entities' },
      { keys: ['Shift', 'E'], does: 'Expand with entity and link type filters…' },
      { keys: ['Right-click'], does: 'Actions for an entity, a link or the canvas' },
      { keys: ['Shift', 'F10'], does: 'Actions for the selection (also the Menu key)' },
      { keys: ['A'], does: 'Paths and common neighbours of the selection' },
      { keys: ['M'], does: 'Map of the places and travel routes' },
      { keys: ['K'], does: 'Key players: centrality, communities, bridges' },
      { keys: ['Shift', 'T'], does: 'Timeline: drag on it to show one period’s links' },
    ],
  },
  {
    group: 'Arrange the view',
    items: [
      { keys: ['H'], does: 'Hide the selection' },
      { keys: ['Shift', 'H'], does: 'Show everything hidden one by one' },
      { keys: ['Delete'], does: 'Remove the selection from the canvas' },
      { keys: ['P'], does: 'Pin or unpin the selection (layouts leave pinned entities)' },
      { keys: ['L'], does: 'Lay out again with the chosen layout' },
      { keys: ['F'], does: 'Fit everything in view' },
      { keys: ['Ctrl', 'Z'], does: 'Undo the last view action' },
      { keys: ['Ctrl', 'Shift', 'Z'], does: 'Redo (also Ctrl+Y)' },
      { keys: ['?'], does: 'Show or hide this list' },
    ],
  },
];

export interface Help {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
}

export function createHelp(): Help {
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close', 'data-testid': 'help-close' }, '×');
  const body = h('div', { class: 'help-body' });
  const dialog = h(
    'div',
    { class: 'help-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'help-title', tabindex: '-1' },
    h('header', { class: 'help-head' }, h('h2', { id: 'help-title' }, 'Keyboard shortcuts'), close),
    body,
    h('p', { class: 'help-foot' }, 'The view (entities, positions, filters, pins) is kept in the address bar: reload or share the link to come back to it. Merges are recorded on the server; undo them with Unmerge in the details panel.'),
  );
  const overlay = h('div', { class: 'help-overlay', 'data-testid': 'help', hidden: true }, dialog);
  replaceChildren(
    body,
    ...SHORTCUTS.map((g) =>
      h(
        'section',
        {},
        h('h3', {}, g.group),
        h(
          'table',
          { class: 'shortcuts' },
          h(
            'tbody',
            {},
            ...g.items.map((s) =>
              h('tr', {}, h('td', { class: 'keys' }, ...s.keys.flatMap((k, i) => [i ? h('span', { class: 'plus' }, '+') : null, h('kbd', {}, k)])), h('td', {}, s.does)),
            ),
          ),
        ),
      ),
    ),
  );
  document.body.append(overlay);
  let previous: HTMLElement | null = null;

  const api: Help = {
    open() {
      if (!overlay.hidden) return;
      previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      overlay.hidden = false;
      dialog.focus();
    },
    close() {
      if (overlay.hidden) return;
      overlay.hidden = true;
      previous?.focus();
    },
    toggle() {
      if (overlay.hidden) api.open();
      else api.close();
    },
    isOpen: () => !overlay.hidden,
  };
  close.addEventListener('click', () => api.close());
  overlay.addEventListener('mousedown', (ev) => {
    if (ev.target === overlay) api.close();
  });
  overlay.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' || ev.key === '?') {
      ev.preventDefault();
      ev.stopPropagation();
      api.close();
    }
  });
  return api;
}
