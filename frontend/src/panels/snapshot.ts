// "Open snapshot": pick (or drop onto the dialog) a .casegraph.json snapshot — or a readable Casegraph
// export — and the server imports its facts with their original sources (idempotent) and answers the view
// state it carried; the explorer then puts that view back exactly (entities, positions, camera, filters,
// hidden, pinned, selection) and the dialog says what the store gained ("already in the store" when
// nothing). A native modal <dialog> styled like the import dialog.
import { dropTarget } from './drop-target.ts';
import { h, replaceChildren } from '../dom.ts';
import { ApiError, isAbort, type ExchangeClient, type OpenedSnapshot } from '../api.ts';
import type { ViewState } from '../view/url-state.ts';
import { formatBytes } from './import.ts';
import { plural } from '../format.ts';

/** A saved view as the export sends it: the URL's view state plus the selection. */
export type SnapshotView = ViewState & { selected: string[] };

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const strArray = (x: unknown): string[] | null => (Array.isArray(x) && x.every(isStr) ? x : null);

/** Checks the view state a snapshot carried; null when it is not one the explorer wrote. */
export function snapshotView(raw: unknown): SnapshotView | null {
  if (!raw || typeof raw !== 'object') return null;
  const v = raw as Record<string, unknown>;
  const nodes = strArray(v.nodes);
  const xy = v.xy;
  const pan = v.pan as { x?: unknown; y?: unknown } | undefined;
  if (!isStr(v.case) || !nodes || !Array.isArray(xy) || xy.length !== nodes.length * 2 || !xy.every(isNum)) return null;
  if (!isNum(v.zoom) || v.zoom <= 0 || !pan || typeof pan !== 'object' || !isNum(pan.x) || !isNum(pan.y)) return null;
  return {
    case: v.case,
    nodes,
    xy: xy as number[],
    zoom: v.zoom,
    pan: { x: pan.x, y: pan.y },
    hiddenTypes: strArray(v.hiddenTypes) ?? [],
    hiddenLinkTypes: strArray(v.hiddenLinkTypes) ?? [],
    hidden: strArray(v.hidden) ?? [],
    pinned: strArray(v.pinned) ?? [],
    layout: isStr(v.layout) ? v.layout : undefined,
    selected: strArray(v.selected) ?? [],
  };
}

export interface SnapshotDialogHandlers {
  /** puts the opened file's view on the canvas; answers a line for the summary (or nothing) */
  onOpened(opened: OpenedSnapshot): Promise<string | void>;
}

export interface SnapshotDialog {
  readonly el: HTMLDialogElement;
  open(): void;
  close(): void;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return String(err);
}

/** What the store gained from an opened file, in words. */
export function describeOpened(o: OpenedSnapshot): string {
  const r = o.result;
  const created = r.entities.created + r.links.created + r.events.created;
  if (created === 0 && r.merges === 0) return `Everything in ${o.file} was already in the store: nothing new was imported.`;
  const parts = [
    `${plural(r.entities.created, 'entity', 'entities')} created, ${r.entities.merged.toLocaleString('en')} merged`,
    `${plural(r.links.created, 'link')} created, ${r.links.merged.toLocaleString('en')} merged`,
  ];
  if (r.events.created || r.events.merged) parts.push(`${plural(r.events.created, 'event')} created, ${r.events.merged.toLocaleString('en')} merged`);
  if (r.merges) parts.push(`${plural(r.merges, 'merge')} re-applied`);
  return `Opened ${o.file}: ${parts.join('; ')}.`;
}

export function createSnapshotDialog(client: ExchangeClient, handlers: SnapshotDialogHandlers): SnapshotDialog {
  let busy = false;
  let abort: AbortController | null = null;

  const fileInput = h('input', { type: 'file', accept: '.json,.casegraph.json,.graphml,.cyjs,.jsonl,application/json', hidden: true, 'data-testid': 'snapshot-file-input', tabindex: -1 });
  const closeBtn = h('button', { type: 'button', class: 'imp-close', 'aria-label': 'Close', title: 'Close (Esc)', 'data-testid': 'snapshot-close' }, '×');
  const chooseBtn = h('button', { type: 'button', class: 'btn primary', 'data-testid': 'snapshot-choose' }, 'Choose a file…');
  const status = h('p', { class: 'imp-progress-text', 'data-testid': 'snapshot-status', 'aria-live': 'polite' });
  const bar = h('progress', { class: 'snap-progress', 'data-testid': 'snapshot-progress', hidden: true }) as HTMLProgressElement;
  const error = h('p', { class: 'imp-error', 'data-testid': 'snapshot-error', role: 'alert', hidden: true });
  const summary = h('div', { class: 'exp-result', 'data-testid': 'snapshot-summary', hidden: true });
  const drop = h(
    'div',
    { class: 'imp-drop', 'data-testid': 'snapshot-dropzone' },
    h('p', { class: 'imp-drop-title' }, 'Drop a snapshot here'),
    h('p', { class: 'muted' }, 'A .casegraph.json file (or a Casegraph GraphML, Cytoscape JSON or FtM export). Its facts are imported with their original sources and its view comes back as it was saved.'),
    chooseBtn,
  );
  const el = h(
    'dialog',
    { class: 'imp-dialog snap-dialog', 'data-testid': 'snapshot-dialog', 'aria-labelledby': 'snap-title', 'data-state': 'idle' },
    h('header', { class: 'imp-head' }, h('h2', { id: 'snap-title' }, 'Open snapshot'), h('span', { class: 'imp-head-sub' }, 'a saved view and its facts'), closeBtn),
    h('div', { class: 'imp-body' }, drop, bar, status, error, summary),
    fileInput,
  );
  document.body.append(el);

  function setState(s: 'idle' | 'opening' | 'done' | 'failed'): void {
    el.dataset.state = s;
    chooseBtn.disabled = s === 'opening';
  }

  async function openFile(file: File): Promise<void> {
    if (busy) return;
    busy = true;
    error.hidden = true;
    summary.hidden = true;
    setState('opening');
    status.textContent = `Opening ${file.name} (${formatBytes(file.size)})…`;
    bar.hidden = false;
    bar.removeAttribute('value'); // indeterminate while the file uploads and is checked against its manifest
    abort = new AbortController();
    try {
      const opened = await client.openSnapshot(file, file.name, abort.signal, (p) => {
        if (!p.total) return;
        bar.max = p.total;
        bar.value = p.records;
        status.textContent = `Opening ${file.name}: ${p.records.toLocaleString('en')} of ${p.total.toLocaleString('en')} records written…`;
      });
      status.textContent = `Restoring the view of ${opened.file}…`;
      const extra = await handlers.onOpened(opened);
      replaceChildren(
        summary,
        h('p', { class: 'imp-ok', 'data-testid': 'snapshot-result' }, describeOpened(opened)),
        extra ? h('p', { 'data-testid': 'snapshot-view-note' }, extra) : null,
        opened.result.warnings.length ? h('p', { class: 'muted' }, `${plural(opened.result.warnings.length, 'warning')}: ${opened.result.warnings.slice(0, 5).join(' · ')}`) : null,
      );
      summary.hidden = false;
      status.textContent = '';
      setState('done');
    } catch (err) {
      status.textContent = '';
      bar.hidden = true;
      if (isAbort(err)) {
        setState('idle');
      } else {
        error.textContent = `${file.name}: ${messageOf(err)}`;
        error.hidden = false;
        setState('failed');
      }
    } finally {
      busy = false;
      abort = null;
    }
  }

  chooseBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) void openFile(file);
  });

  // ours, not the import dialog's document-wide drop
  dropTarget(el, {
    busy: () => busy,
    onFiles: (files) => {
      if (files[0]) void openFile(files[0]);
    },
  });

  closeBtn.addEventListener('click', () => close());
  el.addEventListener('keydown', (ev) => ev.stopPropagation());
  el.addEventListener('close', () => el.classList.remove('dragging'));

  function close(): void {
    if (el.open) el.close();
  }

  return {
    el,
    open() {
      if (!el.open) el.showModal();
      if (!busy) {
        error.hidden = true;
        summary.hidden = true;
        status.textContent = '';
        bar.hidden = true;
        setState('idle');
      }
      chooseBtn.focus();
    },
    close,
  };
}
