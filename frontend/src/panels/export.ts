// The export dialog: the current view (the entities on the canvas, where they are) or the whole case, as
// a Casegraph snapshot, GraphML, GEXF, Cytoscape.js JSON, CSV (zip) or FollowTheMoney — written by the
// server, victims redacted unless the analyst unticks it and gives a reason (the server records that) —
// or as a PNG / SVG of the canvas as drawn (never redacted: the analyst has to acknowledge it). Server
// files are read as a stream with a progress bar, then saved through an object URL and <a download>.
// A native modal <dialog> styled like the import dialog.
import cytoscape, { type Core } from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';
import { h } from '../dom.ts';
import { ApiError, isAbort, type DownloadedFile, type ExchangeClient, type ExportRequestBody } from '../api.ts';
import { formatBytes } from './import.ts';
import { plural } from '../format.ts';

declare module 'cytoscape' {
  interface SvgExportOptions {
    /** the whole graph (true) or the viewport (false) */
    full?: boolean;
    scale?: number;
    /** background colour; transparent when unset */
    bg?: string;
  }
  interface Core {
    /** added by cytoscape-svg */
    svg(options?: SvgExportOptions): string;
  }
}

let svgRegistered = false;
function ensureSvg(): void {
  if (svgRegistered) return;
  cytoscape.use(cytoscapeSvg);
  svgRegistered = true;
}

export type ExportFormatId = ExportRequestBody['format'] | 'png' | 'svg';

interface FormatChoice {
  id: ExportFormatId;
  label: string;
  hint: string;
}

export const EXPORT_CHOICES: readonly FormatChoice[] = [
  { id: 'snapshot', label: 'Snapshot (.casegraph.json)', hint: 'Facts, sources and this exact view (positions, zoom, filters), sealed by SHA-256. Open it again with “Open snapshot”.' },
  { id: 'graphml', label: 'GraphML', hint: 'Typed attributes for networkx, Gephi, yEd, Neo4j.' },
  { id: 'gexf', label: 'GEXF 1.3', hint: 'For Gephi: colours by type, positions from the view.' },
  { id: 'cyjs', label: 'Cytoscape.js JSON', hint: '{ elements: { nodes, edges } } with data and positions.' },
  { id: 'csv', label: 'CSV (zip)', hint: 'nodes.csv, edges.csv, events.csv, sources.csv in a zip.' },
  { id: 'ftm', label: 'FollowTheMoney (JSON lines)', hint: 'Entities for Aleph and the ftm tools.' },
  { id: 'png', label: 'PNG image (2×)', hint: 'The canvas as drawn, at twice its resolution.' },
  { id: 'svg', label: 'SVG image', hint: 'The canvas as drawn, as vector graphics.' },
];

const isCanvasFormat = (f: ExportFormatId): f is 'png' | 'svg' => f === 'png' || f === 'svg';

export interface ExportContext {
  cy: Core;
  /** the case on show */
  caseName(): string | null;
  /** the explorer's full view state (what the URL keeps, plus the selection) */
  viewState(): Record<string, unknown> | null;
  notify(message: string, kind?: 'info' | 'success' | 'error'): void;
}

export interface ExportDialog {
  readonly el: HTMLDialogElement;
  open(): void;
  close(): void;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return String(err);
}

/** Saves `blob` as `name` through an object URL and a temporary <a download>. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // the browser has started the download once click() returned; give it time before the URL goes
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function stamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
}

export function createExportDialog(client: ExchangeClient, ctx: ExportContext): ExportDialog {
  let busy = false;
  let abort: AbortController | null = null;

  const closeBtn = h('button', { type: 'button', class: 'imp-close', 'aria-label': 'Close', title: 'Close (Esc)', 'data-testid': 'export-close' }, '×');

  // scope
  const scopeView = h('input', { type: 'radio', name: 'export-scope', value: 'view', checked: true, 'data-testid': 'export-scope-view' });
  const scopeCase = h('input', { type: 'radio', name: 'export-scope', value: 'case', 'data-testid': 'export-scope-case' });
  const scopeViewText = h('span', {}, 'Current view');
  const scopeCaseText = h('span', {}, 'Whole case');

  // format
  const format = h('select', { 'data-testid': 'export-format', id: 'export-format' }, ...EXPORT_CHOICES.map((c) => h('option', { value: c.id }, c.label)));
  const formatHint = h('p', { class: 'muted exp-hint', 'data-testid': 'export-format-hint' });

  // redaction
  const redact = h('input', { type: 'checkbox', checked: true, 'data-testid': 'export-redact', id: 'export-redact' });
  const reason = h('textarea', { rows: 2, maxlength: 2000, 'data-testid': 'export-reason', id: 'export-reason', placeholder: 'Why victims must appear unredacted (required)' });
  const reasonBox = h(
    'div',
    { class: 'exp-reason', 'data-testid': 'export-reason-box', hidden: true },
    h('p', { class: 'exp-warning', 'data-testid': 'export-unredact-warning', role: 'note' }, 'Victims’ names and identifiers will be in the file. This unredaction is recorded in the case log with your name, the time, the scope, the format and your reason.'),
    h('label', { for: 'export-reason' }, 'Reason'),
    reason,
  );

  // canvas images
  const understand = h('input', { type: 'checkbox', 'data-testid': 'export-understand', id: 'export-understand' });
  const understandBox = h('label', { class: 'exp-check', for: 'export-understand' }, understand, ' I understand: the image is not redacted');
  const canvasNote = h(
    'div',
    { class: 'exp-canvas-note', 'data-testid': 'export-canvas-note', hidden: true },
    h('p', {}, 'Images are of the canvas as drawn: they show what is on screen (labels included) and ignore the scope.'),
    h('p', { class: 'exp-warning', 'data-testid': 'export-canvas-warning' }, 'Canvas images are not redacted: victims on the canvas appear in the image.'),
    understandBox,
  );

  const progress = h('progress', { class: 'imp-progress', 'data-testid': 'export-progress', max: 100, hidden: true });
  const progressText = h('p', { class: 'imp-progress-text', 'data-testid': 'export-progress-text', 'aria-live': 'polite' });
  const error = h('p', { class: 'imp-error', 'data-testid': 'export-error', role: 'alert', hidden: true });
  const result = h('p', { class: 'exp-result', 'data-testid': 'export-result', hidden: true });

  const downloadBtn = h('button', { type: 'button', class: 'btn primary', 'data-testid': 'export-download' }, 'Download');
  const cancelBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'export-cancel' }, 'Close');

  const el = h(
    'dialog',
    { class: 'imp-dialog exp-dialog', 'data-testid': 'export-dialog', 'aria-labelledby': 'exp-title', 'data-state': 'idle' },
    h('header', { class: 'imp-head' }, h('h2', { id: 'exp-title' }, 'Export'), h('span', { class: 'imp-head-sub' }, 'the view or the case, as a file'), closeBtn),
    h(
      'div',
      { class: 'imp-body exp-body' },
      h('fieldset', { class: 'exp-field' }, h('legend', {}, 'Scope'), h('label', { class: 'exp-check' }, scopeView, ' ', scopeViewText), h('label', { class: 'exp-check' }, scopeCase, ' ', scopeCaseText)),
      h('div', { class: 'exp-field' }, h('label', { for: 'export-format' }, 'Format'), format, formatHint),
      h('div', { class: 'exp-field', 'data-testid': 'export-redaction' }, h('label', { class: 'exp-check', for: 'export-redact' }, redact, ' Redact victims'), reasonBox),
      canvasNote,
      progress,
      progressText,
      error,
      result,
    ),
    h('div', { class: 'imp-actions' }, cancelBtn, downloadBtn),
  );
  document.body.append(el);

  const chosen = (): ExportFormatId => format.value as ExportFormatId;

  function setState(s: 'idle' | 'downloading' | 'done' | 'failed'): void {
    el.dataset.state = s;
  }

  /** Shows what the chosen format needs and whether Download may go. */
  function refresh(): void {
    const f = chosen();
    const canvas = isCanvasFormat(f);
    formatHint.textContent = EXPORT_CHOICES.find((c) => c.id === f)?.hint ?? '';
    const n = ctx.cy.nodes().length;
    const shown = ctx.cy.nodes(':visible').length;
    scopeViewText.textContent = `Current view (${plural(f === 'snapshot' ? n : shown, 'entity', 'entities')}${f !== 'snapshot' && shown !== n ? ', hidden ones left out' : ''})`;
    scopeCaseText.textContent = `Whole case${ctx.caseName() ? ` “${ctx.caseName()}”` : ''}`;
    scopeView.disabled = busy || canvas;
    scopeCase.disabled = busy || canvas;
    reasonBox.hidden = redact.checked || canvas;
    canvasNote.hidden = !canvas;
    understandBox.hidden = !redact.checked;
    format.disabled = busy;
    cancelBtn.textContent = busy ? 'Cancel' : 'Close';
    redact.disabled = busy;
    reason.disabled = busy;
    let ok = !busy;
    if (canvas) {
      if (redact.checked && !understand.checked) ok = false;
      if (n === 0) ok = false;
    } else {
      if (!redact.checked && reason.value.trim() === '') ok = false;
      if (!ctx.caseName()) ok = false;
    }
    reason.setAttribute('aria-invalid', String(!redact.checked && !canvas && reason.value.trim() === ''));
    downloadBtn.disabled = !ok;
  }

  function showError(message: string): void {
    error.textContent = message;
    error.hidden = false;
    setState('failed');
  }

  function showProgress(received: number, total: number | null): void {
    progress.hidden = false;
    if (total) {
      const pct = Math.min(100, Math.round((received / total) * 100));
      progress.max = 100;
      progress.value = pct;
      progressText.textContent = `${formatBytes(received)} of ${formatBytes(total)} (${pct}%)`;
    } else {
      progress.removeAttribute('value'); // indeterminate
      progressText.textContent = `${formatBytes(received)} received`;
    }
  }

  /** The request for a server-side format, from the canvas and the form. */
  function requestBody(f: ExportRequestBody['format']): { body: ExportRequestBody; snapshot: boolean } {
    const caseName = ctx.caseName() ?? undefined;
    const body: ExportRequestBody = { format: f, case: caseName, redactVictims: redact.checked };
    if (!redact.checked) body.reason = reason.value.trim();
    const view = ctx.viewState() ?? undefined;
    if (f === 'snapshot' && view) body.view = view;
    if (scopeView.checked) {
      // a snapshot keeps everything on the canvas (hidden included) so the view comes back exactly
      const nodes = f === 'snapshot' ? ctx.cy.nodes() : ctx.cy.nodes(':visible');
      if (nodes.empty()) throw new Error('Nothing on the canvas to export: choose “Whole case” or bring entities onto the canvas');
      body.ids = nodes.map((n) => n.id());
      body.positions = Object.fromEntries(nodes.map((n) => [n.id(), { ...n.position() }]));
      return { body, snapshot: f === 'snapshot' };
    }
    if (!caseName) throw new Error('No case is open');
    return { body, snapshot: false };
  }

  function canvasImage(f: 'png' | 'svg'): DownloadedFile {
    const base = `${ctx.caseName() ?? 'casegraph'}-${stamp()}`;
    if (f === 'png') {
      const blob = ctx.cy.png({ scale: 2, full: true, output: 'blob', bg: '#ffffff' });
      return { blob, fileName: `${base}.png`, redacted: 'no', counts: null };
    }
    ensureSvg();
    // cytoscape-svg's canvas2svg logs a harmless console error for every label it outlines (it applies the
    // outline's path to the <text> it just wrote): keep that one message out of the console while it draws
    const original = console.error;
    console.error = (...args: unknown[]) => {
      if (args[0] !== 'Attempted to apply path command to node') original.apply(console, args);
    };
    let text: string;
    try {
      text = ctx.cy.svg({ full: true, bg: '#ffffff' });
    } finally {
      console.error = original;
    }
    return { blob: new Blob([text], { type: 'image/svg+xml' }), fileName: `${base}.svg`, redacted: 'no', counts: null };
  }

  async function run(): Promise<void> {
    if (busy) return;
    const f = chosen();
    error.hidden = true;
    result.hidden = true;
    progressText.textContent = '';
    progress.hidden = true;
    busy = true;
    setState('downloading');
    refresh();
    try {
      let file: DownloadedFile;
      if (isCanvasFormat(f)) {
        file = canvasImage(f);
      } else {
        const { body, snapshot } = requestBody(f);
        abort = new AbortController();
        file = await client.download(body, showProgress, abort.signal, snapshot);
        showProgress(file.blob.size, file.blob.size);
      }
      saveBlob(file.blob, file.fileName);
      const redactedNote = isCanvasFormat(f)
        ? 'canvas image, not redacted'
        : file.redacted && file.redacted !== 'no'
          ? `victims redacted (${file.redacted.replace('victims=', '')})`
          : 'not redacted (recorded)';
      result.textContent = `Saved ${file.fileName} (${formatBytes(file.blob.size)}) · ${redactedNote}${file.counts ? ` · ${file.counts.replace(/=/g, ' ').replace(/;/g, ',')}` : ''}`;
      result.hidden = false;
      setState('done');
    } catch (err) {
      if (isAbort(err)) {
        progressText.textContent = 'Download cancelled';
        setState('idle');
      } else {
        showError(messageOf(err));
      }
    } finally {
      abort = null;
      busy = false;
      refresh();
    }
  }

  format.addEventListener('change', () => {
    understand.checked = false;
    refresh();
  });
  for (const input of [scopeView, scopeCase, redact, understand]) input.addEventListener('change', () => refresh());
  reason.addEventListener('input', () => refresh());
  downloadBtn.addEventListener('click', () => void run());
  cancelBtn.addEventListener('click', () => {
    if (abort) abort.abort();
    else close();
  });
  closeBtn.addEventListener('click', () => close());
  // keys typed in the dialog are the dialog's: the explorer's shortcuts stay out of it
  el.addEventListener('keydown', (ev) => ev.stopPropagation());

  function close(): void {
    abort?.abort();
    if (el.open) el.close();
  }

  return {
    el,
    open() {
      if (!el.open) el.showModal();
      if (!busy) {
        error.hidden = true;
        result.hidden = true;
        progress.hidden = true;
        progressText.textContent = '';
        setState('idle');
      }
      refresh();
      format.focus();
    },
    close,
  };
}
