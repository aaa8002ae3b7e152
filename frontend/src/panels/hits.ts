// Cross-device hits: the numbers and accounts found in the data of two or more seized devices of the
// open case, ranked by how many devices saw them. Each row gives the number and its device count; it
// unfolds to say which devices and how (in the contacts, calls, messages, or the device's own number).
// Clicking a hit opens the graph around it (the explorer adds it and its neighbours and focuses it).
import { h, replaceChildren } from '../dom.ts';
import { isAbort, type CrossDeviceHit, type ImportClient } from '../api.ts';
import { plural } from '../format.ts';
import { entitySwatch } from './swatch.ts';

export const HITS_LIMIT = 100;
export const HITS_MIN_DEVICES = 2;

const HOW: Record<CrossDeviceHit['devices'][number]['as'][number], string> = {
  owner: 'own number',
  contact: 'contact',
  call: 'calls',
  message: 'messages',
};

export interface HitsPanel {
  /** lists the hits of `caseName` (none without a case) */
  load(caseName: string | null): Promise<void>;
  /** lists the hits of the case shown again (after an import) */
  refresh(): Promise<void>;
}

export interface HitsHandlers {
  onOpen(hit: CrossDeviceHit): void;
}

export function createHitsPanel(root: HTMLElement, client: Pick<ImportClient, 'crossDeviceHits'>, handlers: HitsHandlers): HitsPanel {
  let caseName: string | null = null;
  let controller: AbortController | undefined;
  let hits: CrossDeviceHit[] = [];

  root.dataset.testid = 'cross-device-hits';
  const count = h('span', { class: 'cdh-total', 'data-testid': 'cdh-total' });
  const list = h('ol', { class: 'cdh-list', 'data-testid': 'cdh-list', 'aria-label': 'Numbers and accounts seen on several devices' });
  const message = h('p', { class: 'cdh-message muted', 'data-testid': 'cdh-message' });
  const section = h(
    'details',
    { class: 'cdh', open: true },
    h('summary', { class: 'section-title' }, 'Cross-device hits', count),
    h('p', { class: 'cdh-intro muted' }, 'Numbers and accounts in the data of two or more seized devices.'),
    message,
    list,
  );
  root.replaceChildren(section);

  function deviceList(hit: CrossDeviceHit, id: string): HTMLUListElement {
    return h(
      'ul',
      { class: 'cdh-devices', id, hidden: true, 'data-testid': 'cdh-devices' },
      ...hit.devices.map((d) =>
        h(
          'li',
          { 'data-device': d.id },
          h('span', { class: 'cdh-device', title: d.label }, d.label),
          h('span', { class: 'cdh-how' }, ...d.as.map((a) => h('span', { class: `cdh-as as-${a}`, 'data-as': a }, HOW[a] ?? a))),
        ),
      ),
    );
  }

  function render(): void {
    list.replaceChildren(
      ...hits.map((hit, i) => {
        const devId = `cdh-dev-${i}`;
        const open = h(
          'button',
          { type: 'button', class: 'cdh-open', 'data-testid': 'cdh-open', title: `Show ${hit.label} and its neighbours in the graph` },
          entitySwatch(hit.type, 12),
          h('span', { class: 'cdh-label' }, hit.label),
          h('span', { class: 'badge cdh-count', 'data-testid': 'cdh-count' }, plural(hit.deviceCount, 'device')),
        );
        const devices = deviceList(hit, devId);
        const toggle = h(
          'button',
          { type: 'button', class: 'cdh-toggle', 'aria-expanded': 'false', 'aria-controls': devId, 'aria-label': `Which devices saw ${hit.label}`, 'data-testid': 'cdh-toggle' },
          '▸',
        );
        toggle.addEventListener('click', () => {
          const expand = devices.hidden;
          devices.hidden = !expand;
          toggle.setAttribute('aria-expanded', String(expand));
          toggle.textContent = expand ? '▾' : '▸';
        });
        open.addEventListener('click', () => handlers.onOpen(hit));
        return h('li', { class: 'cdh-item', 'data-testid': 'cdh-hit', 'data-id': hit.id, 'data-label': hit.label, 'data-devices': hit.deviceCount }, h('div', { class: 'cdh-row' }, open, toggle), devices);
      }),
    );
  }

  async function load(name: string | null): Promise<void> {
    caseName = name;
    controller?.abort();
    hits = [];
    count.textContent = '';
    list.replaceChildren();
    if (!name) {
      message.textContent = 'No case open.';
      return;
    }
    const ctrl = new AbortController();
    controller = ctrl;
    message.textContent = 'Loading…';
    root.dataset.loading = 'true';
    try {
      const result = await client.crossDeviceHits({ case: name, minDevices: HITS_MIN_DEVICES, limit: HITS_LIMIT }, ctrl.signal);
      if (ctrl.signal.aborted) return;
      hits = result;
      count.textContent = result.length ? String(result.length >= HITS_LIMIT ? `${HITS_LIMIT}+` : result.length) : '';
      replaceChildren(message, result.length ? null : 'No number or account appears on two or more devices of this case.');
      render();
    } catch (err) {
      if (isAbort(err)) return;
      message.textContent = `Cross-device hits unavailable: ${(err as Error).message}`;
    } finally {
      if (controller === ctrl) delete root.dataset.loading;
    }
  }

  return {
    load,
    refresh: () => load(caseName),
  };
}
