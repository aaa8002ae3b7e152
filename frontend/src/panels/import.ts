// The import dialog: drop (or pick) a file, see the format the server detects before anything is
// imported, choose the case, map the columns of operator call records (CSV), then upload with progress
// (bytes sent, then records processed by the background job) and read a summary — created and merged
// entities, links and events, warnings, or the plain message of a failure naming file and position.
// A native modal <dialog>: focus stays inside, Escape closes it; an import keeps running when closed.
import { dropTarget, hasFiles } from './drop-target.ts';
import { h, replaceChildren } from '../dom.ts';
import { ApiError, type FormatInfo, type ImportClient, type ImportJob, type ImportOutcome, type JobProgress } from '../api.ts';
import { plural } from '../format.ts';
import { createMappingEditor, type MappingEditor } from './import-mapping.ts';

/** Bytes sent to /api/imports/detect and /api/imports/cdr/infer. */
export const HEAD_BYTES = 64 * 1024;
/** Interval between polls of a running import job. */
export const POLL_MS = 250;
/** Warnings listed in the summary (the rest are counted). */
export const WARNINGS_SHOWN = 20;
const CDR = 'cdr';
/** Android and iOS databases (`sqliteImporter`): files without the handset's IMEI */
const DEVICE_DB = 'device-sqlite';

export type ImportPhase = 'pick' | 'detecting' | 'ready' | 'unsupported' | 'uploading' | 'processing' | 'done' | 'failed';

export interface ImportDialogHandlers {
  /** the case the explorer shows (the default target) */
  currentCase(): string | null;
  /** known case names, for suggestions */
  caseNames(): string[];
  /** after an import that changed the store */
  onImported(outcome: ImportOutcome): Promise<void> | void;
  /** "Show in graph": bring the imported case onto the canvas */
  onShow(outcome: ImportOutcome): Promise<void> | void;
  /** a message outside the dialog (an import that finished while the dialog was closed) */
  notify(message: string, kind?: 'info' | 'success' | 'error'): void;
  /** why the signed-in user may not import (their role), or null when they may: a file dropped on the page then only says so */
  refusal?(): string | null;
}

export interface ImportDialog {
  readonly el: HTMLDialogElement;
  /** opens the dialog; with files, starts on the first of them */
  open(files?: File[]): void;
  close(): void;
}

interface Current {
  file: File;
  head?: Uint8Array;
  format?: FormatInfo;
  editor?: MappingEditor;
  caseName: string;
  /** the seized handset a device database came from, as typed */
  device: { imei: string; number: string };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return String(err);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const looksTabular = (name: string) => /\.(csv|tsv|txt|dat)$/i.test(name);

export function createImportDialog(client: ImportClient, handlers: ImportDialogHandlers): ImportDialog {
  let phase: ImportPhase = 'pick';
  let queue: File[] = [];
  let current: Current | null = null;
  let busy = false;
  let formats: Promise<FormatInfo[]> | null = null;
  /** bumped whenever the dialog starts on another file: late answers for an older one are dropped */
  let token = 0;

  const fileInput = h('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'import-file-input', tabindex: -1 });
  const closeBtn = h('button', { type: 'button', class: 'imp-close', 'aria-label': 'Close', title: 'Close (Esc)', 'data-testid': 'import-close' }, '×');
  const body = h('div', { class: 'imp-body' });
  const actions = h('div', { class: 'imp-actions' });
  const el = h(
    'dialog',
    { class: 'imp-dialog', 'data-testid': 'import-dialog', 'aria-labelledby': 'imp-title', 'data-phase': phase },
    h('header', { class: 'imp-head' }, h('h2', { id: 'imp-title' }, 'Import'), h('span', { class: 'imp-head-sub' }, 'case reports, device extractions, call records'), closeBtn),
    body,
    actions,
    fileInput,
  );
  document.body.append(el);

  function supported(): Promise<FormatInfo[]> {
    formats ??= client.formats().catch((err) => {
      formats = null;
      throw err;
    });
    return formats;
  }

  function setPhase(p: ImportPhase): void {
    phase = p;
    el.dataset.phase = p;
  }

  function button(label: string, testid: string, onClick: () => void, primary = false): HTMLButtonElement {
    const b = h('button', { type: 'button', class: primary ? 'btn primary' : 'btn', 'data-testid': testid }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  function focusFirst(preferred?: HTMLElement | null): void {
    const target = preferred ?? el.querySelector<HTMLElement>('.imp-actions .btn.primary, .imp-body button, .imp-actions button');
    target?.focus({ preventScroll: false });
  }

  function nextButtons(): HTMLButtonElement[] {
    const out: HTMLButtonElement[] = [];
    if (queue.length) {
      out.push(button(`Next: ${queue[0].name}${queue.length > 1 ? ` (+${queue.length - 1})` : ''}`, 'import-next', () => void start(queue.shift()!)));
    }
    return out;
  }

  // ---------------------------------------------------------------- pick

  function showPick(): void {
    ++token;
    current = null;
    setPhase('pick');
    const choose = button('Choose a file…', 'import-choose', () => fileInput.click(), true);
    const formatList = h('p', { class: 'imp-formats muted', 'data-testid': 'import-formats' }, 'Reads: …');
    supported().then(
      (list) => {
        formatList.textContent = `Reads: ${list.map((f) => f.format).join(', ')}. The format is detected from the file’s content before anything is imported.`;
      },
      () => {
        formatList.textContent = '';
      },
    );
    replaceChildren(
      body,
      h(
        'div',
        { class: 'imp-drop', 'data-testid': 'import-dropzone' },
        h('p', { class: 'imp-drop-title' }, 'Drop a file here'),
        h('p', { class: 'muted' }, 'UFDR, XRY, Android / iOS databases, vCard, operator call records (CSV) or a case report'),
        choose,
      ),
      formatList,
    );
    replaceChildren(actions, button('Cancel', 'import-cancel', () => close()));
    focusFirst(choose);
  }

  // ---------------------------------------------------------------- detect

  async function start(file: File): Promise<void> {
    const mine = ++token;
    current = { file, caseName: handlers.currentCase() ?? '', device: { imei: '', number: '' } };
    setPhase('detecting');
    replaceChildren(body, fileLine(file), h('p', { class: 'imp-detect muted', 'data-testid': 'import-detecting' }, 'Detecting the format…'));
    replaceChildren(actions, button('Cancel', 'import-cancel', () => close()));
    const headBlob = file.slice(0, HEAD_BYTES);
    try {
      const [format, head] = await Promise.all([client.detect(file.name, headBlob), headBlob.arrayBuffer()]);
      if (mine !== token) return;
      current.format = format;
      current.head = new Uint8Array(head);
      if (format.format === CDR) await prepareMapping(mine);
      if (mine !== token) return;
      showReady();
    } catch (err) {
      if (mine !== token) return;
      if (err instanceof ApiError && err.code === 'unsupported_format') await showUnsupported(file, mine);
      else showFailure(`Cannot read ${file.name}: ${messageOf(err)}`, false);
    }
  }

  /** Asks the server to propose a CDR mapping and builds the mapping editor. */
  async function prepareMapping(mine: number): Promise<void> {
    const cur = current!;
    cur.head ??= new Uint8Array(await cur.file.slice(0, HEAD_BYTES).arrayBuffer());
    const [inferred, saved] = await Promise.all([
      client.inferCdr(cur.file.name, cur.file.slice(0, HEAD_BYTES)).then(
        (r) => ({ r, problem: undefined as string | undefined }),
        (err: unknown) => {
          if (err instanceof ApiError && (err.code === 'import_failed' || err.code === 'bad_request')) return { r: null, problem: err.message };
          throw err;
        },
      ),
      client.mappings(),
    ]);
    if (mine !== token) return;
    cur.editor = createMappingEditor({ fileName: cur.file.name, head: cur.head, inferred: inferred.r, problem: inferred.problem, saved, client });
  }

  function fileLine(file: File): HTMLElement {
    return h('p', { class: 'imp-file', 'data-testid': 'import-file' }, h('span', { class: 'imp-file-name' }, file.name), h('span', { class: 'muted' }, ` · ${formatBytes(file.size)}`));
  }

  async function showUnsupported(file: File, mine: number): Promise<void> {
    setPhase('unsupported');
    let list: FormatInfo[] = [];
    try {
      list = await supported();
    } catch {
      list = [];
    }
    if (mine !== token) return;
    const asCdr = looksTabular(file.name)
      ? button('Read it as call records (CSV) with a column mapping', 'import-as-cdr', () => {
          const again = ++token;
          current = { file, caseName: handlers.currentCase() ?? '', device: { imei: '', number: '' }, format: { format: CDR, description: 'Operator call records (CDR CSV), read with the mapping below' } };
          prepareMapping(again).then(
            () => {
              if (again === token) showReady();
            },
            (err) => {
              if (again === token) showFailure(`Cannot read ${file.name}: ${messageOf(err)}`, false);
            },
          );
        })
      : null;
    replaceChildren(
      body,
      fileLine(file),
      h('p', { class: 'imp-error', role: 'alert', 'data-testid': 'import-error' }, `${file.name} is not in a format Casegraph can import.`),
      list.length
        ? h(
            'div',
            { class: 'imp-supported', 'data-testid': 'import-supported' },
            h('p', {}, 'Supported formats:'),
            h('ul', {}, ...list.map((f) => h('li', { 'data-format': f.format }, h('strong', {}, f.format), ` — ${f.description}`))),
          )
        : null,
      asCdr,
    );
    replaceChildren(actions, ...nextButtons(), button('Choose another file', 'import-again', () => showPick()), button('Close', 'import-done', () => close()));
    focusFirst(asCdr ?? actions.querySelector<HTMLElement>('button'));
  }

  // ---------------------------------------------------------------- ready: format, case, mapping

  /** Android and iOS databases carry no IMEI: the investigator can say which seized handset this file is from. */
  function deviceFields(cur: Current): HTMLElement {
    const input = (key: 'imei' | 'number', id: string, placeholder: string) => {
      const el = h('input', { id, 'data-testid': `import-device-${key}`, maxlength: 40, autocomplete: 'off', spellcheck: 'false', placeholder });
      el.value = cur.device[key];
      el.addEventListener('input', () => {
        cur.device[key] = el.value;
      });
      return el;
    };
    return h(
      'fieldset',
      { class: 'imp-device', 'data-testid': 'import-device' },
      h('legend', {}, 'Seized handset (optional)'),
      h('label', { for: 'imp-device-imei' }, 'IMEI'),
      input('imei', 'imp-device-imei', 'e.g. 356938035643809'),
      h('label', { for: 'imp-device-number' }, 'Own number'),
      input('number', 'imp-device-number', 'e.g. +60 12-345 6789'),
      h('span', { class: 'map-hint' }, 'this database holds no IMEI: give it so all of this phone’s files land on one device'),
    );
  }

  function showReady(): void {
    const cur = current!;
    setPhase('ready');
    const caseInput = h('input', { id: 'imp-case', 'data-testid': 'import-case', list: 'imp-case-list', value: cur.caseName, maxlength: 120, autocomplete: 'off', spellcheck: 'false', required: true });
    caseInput.value = cur.caseName;
    caseInput.addEventListener('input', () => {
      cur.caseName = caseInput.value;
    });
    const error = h('p', { class: 'imp-error', role: 'alert', 'data-testid': 'import-error', hidden: true });
    const go = button(cur.editor ? cur.editor.importLabel() : 'Import', 'import-start', () => void runImport(cur, error, go), true);
    cur.editor?.onChange(() => {
      go.textContent = cur.editor!.importLabel();
    });
    replaceChildren(
      body,
      fileLine(cur.file),
      h(
        'p',
        { class: 'imp-format', 'data-testid': 'import-format', 'data-format': cur.format!.format },
        'Detected format: ',
        h('strong', {}, cur.format!.format),
        h('span', { class: 'muted' }, ` — ${cur.format!.description}`),
      ),
      h(
        'div',
        { class: 'imp-case' },
        h('label', { for: 'imp-case' }, 'Case'),
        caseInput,
        h('span', { class: 'map-hint' }, 'the case this file belongs to (a new name starts a case)'),
        h('datalist', { id: 'imp-case-list' }, ...handlers.caseNames().map((c) => h('option', { value: c }))),
      ),
      cur.editor ? cur.editor.el : null,
      cur.format!.format === DEVICE_DB ? deviceFields(cur) : null,
      error,
    );
    replaceChildren(actions, button('Choose another file', 'import-again', () => showPick()), go);
    focusFirst(cur.editor ? caseInput : go);
  }

  async function runImport(cur: Current, error: HTMLElement, go: HTMLButtonElement): Promise<void> {
    if (busy) return;
    error.hidden = true;
    const caseName = cur.caseName.trim();
    if (!caseName) {
      error.textContent = 'Give the case this file belongs to.';
      error.hidden = false;
      return;
    }
    let mapping: string | undefined;
    if (cur.editor) {
      go.disabled = true;
      try {
        mapping = await cur.editor.ensureSaved();
      } catch (err) {
        error.textContent = messageOf(err);
        error.hidden = false;
        return;
      } finally {
        go.disabled = false;
      }
    }
    await upload(cur, caseName, mapping);
  }

  // ---------------------------------------------------------------- upload and progress

  async function upload(cur: Current, caseName: string, mapping: string | undefined): Promise<void> {
    busy = true;
    const mine = token;
    const bar = h('progress', { class: 'imp-progress', 'data-testid': 'import-progress', max: 100 });
    const text = h('p', { class: 'imp-progress-text', 'data-testid': 'import-progress-text', 'aria-live': 'polite' });
    const setBar = (pct: number | null) => {
      if (pct === null) bar.removeAttribute('value');
      else bar.value = Math.max(0, Math.min(100, pct));
      bar.dataset.percent = pct === null ? '' : String(Math.round(pct));
    };
    setPhase('uploading');
    replaceChildren(
      body,
      fileLine(cur.file),
      h('p', { class: 'imp-target' }, `${cur.format?.format ?? ''} → case `, h('strong', {}, caseName), mapping ? ` · mapping “${mapping}”` : ''),
      bar,
      text,
    );
    const hide = button('Close — keep importing', 'import-hide', () => close());
    replaceChildren(actions, hide);
    focusFirst(hide);
    text.textContent = 'Uploading…';
    setBar(0);

    let records = 0;
    let pct: number | null = null;
    const showProcessing = (p: JobProgress) => {
      records = Math.max(records, p.records);
      if (p.bytes !== undefined && p.total) pct = Math.max(pct ?? 0, (100 * p.bytes) / p.total);
      setBar(pct);
      text.dataset.records = String(records);
      text.textContent = `Processing… ${plural(records, 'record')}${pct !== null ? ` · ${Math.round(pct)} %` : ''}`;
    };

    let job: ImportJob;
    try {
      const device = cur.format?.format === DEVICE_DB ? { deviceImei: cur.device.imei.trim() || undefined, deviceNumber: cur.device.number.trim() || undefined } : {};
      job = await client.upload(cur.file, { name: cur.file.name, case: caseName, mapping, ...device }, (sent, total) => {
        const p = total > 0 ? (100 * sent) / total : null;
        setBar(p);
        text.textContent = `Uploading… ${p !== null ? `${Math.round(p)} % · ` : ''}${formatBytes(sent)} of ${formatBytes(total)}`;
      });
      setPhase('processing');
      setBar(null);
      showProcessing(job.progress);
      while (job.state === 'running') {
        await sleep(POLL_MS);
        job = await client.job(job.id);
        showProcessing(job.progress);
      }
    } catch (err) {
      busy = false;
      finish(mine, () => showFailure(messageOf(err), true), `${cur.file.name}: import failed — ${messageOf(err)}`, 'error');
      return;
    }
    busy = false;
    if (job.state === 'failed' || !job.result) {
      const msg = job.error?.message ?? 'the import failed';
      finish(mine, () => showFailure(msg, true), `${cur.file.name}: import failed — ${msg}`, 'error');
      return;
    }
    const outcome = job.result;
    if (outcome.status === 'applied') {
      try {
        await handlers.onImported(outcome);
      } catch {
        // refreshing the case list is a courtesy; the summary still stands
      }
    }
    finish(
      mine,
      () => showSummary(outcome, records),
      outcome.status === 'applied'
        ? `${outcome.file} → ${outcome.case}: ${outcome.entities.created} new / ${outcome.entities.merged} merged entities`
        : `${outcome.file}: already imported into ${outcome.case} — nothing changed`,
      outcome.status === 'applied' ? 'success' : 'info',
    );
  }

  /** Shows the end of an import in the dialog, and says it outside too when the dialog was closed meanwhile. */
  function finish(mine: number, show: () => void, message: string, kind: 'info' | 'success' | 'error'): void {
    if (mine !== token) return;
    show();
    if (!el.open) handlers.notify(`${message} (open Import for details)`, kind);
  }

  // ---------------------------------------------------------------- summary and failure

  function showSummary(outcome: ImportOutcome, records: number): void {
    const cur = current;
    setPhase('done');
    const applied = outcome.status === 'applied';
    const row = (label: string, key: 'entities' | 'links' | 'events') =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, label),
        h('td', { 'data-testid': `summary-${key}-created` }, outcome[key].created.toLocaleString('en')),
        h('td', { 'data-testid': `summary-${key}-merged` }, outcome[key].merged.toLocaleString('en')),
      );
    const warnings = outcome.warnings;
    const show = button('Show in graph', 'import-show', () => {
      close();
      void handlers.onShow(outcome);
    }, true);
    replaceChildren(
      body,
      h(
        'section',
        { class: 'imp-summary', 'data-testid': 'import-summary', 'data-status': outcome.status },
        applied
          ? h('p', { class: 'imp-ok' }, 'Imported ', h('strong', {}, outcome.file), ' into ', h('strong', {}, outcome.case), ` (${outcome.format}).`)
          : h('p', { class: 'imp-already', 'data-testid': 'import-already' }, `${outcome.file}: already imported — nothing changed (the same bytes are in case ${outcome.case}).`),
        applied && records > 0 ? h('p', { class: 'muted', 'data-testid': 'import-records' }, `${plural(records, 'record')} processed.`) : null,
        applied
          ? h(
              'table',
              { class: 'imp-counts', 'data-testid': 'import-counts' },
              h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Merged'))),
              h('tbody', {}, row('Entities', 'entities'), row('Links', 'links'), row('Events', 'events')),
            )
          : null,
        warnings.length
          ? h(
              'div',
              { class: 'imp-warnings', 'data-testid': 'import-warnings' },
              h('p', { class: 'imp-warn-title' }, plural(warnings.length, 'warning')),
              h('ul', {}, ...warnings.slice(0, WARNINGS_SHOWN).map((w) => h('li', {}, w))),
              warnings.length > WARNINGS_SHOWN ? h('p', { class: 'muted' }, `… and ${(warnings.length - WARNINGS_SHOWN).toLocaleString('en')} more`) : null,
            )
          : null,
      ),
    );
    replaceChildren(actions, ...nextButtons(), button('Import another file', 'import-again', () => showPick()), button('Close', 'import-done', () => close()), show);
    if (cur) cur.editor = undefined;
    focusFirst(show);
  }

  function showFailure(message: string, canRetry: boolean): void {
    const cur = current;
    setPhase('failed');
    replaceChildren(
      body,
      cur ? fileLine(cur.file) : null,
      h('p', { class: 'imp-error', role: 'alert', 'data-testid': 'import-error' }, message),
      h('p', { class: 'muted' }, 'Nothing was imported; the case is unchanged.'),
    );
    const back = canRetry && cur?.format ? button(cur.editor ? 'Back to the mapping' : 'Try again', 'import-back', () => showReady()) : null;
    replaceChildren(actions, ...nextButtons(), button('Choose another file', 'import-again', () => showPick()), button('Close', 'import-done', () => close()), ...(back ? [back] : []));
    focusFirst(back ?? actions.querySelector<HTMLElement>('button'));
  }

  // ---------------------------------------------------------------- files in: picker and drops

  function take(files: File[]): void {
    if (files.length === 0) return;
    if (busy) {
      queue.push(...files);
      handlers.notify(`${plural(files.length, 'file')} queued: an import is running`);
      return;
    }
    queue = files.slice(1);
    void start(files[0]);
  }

  fileInput.addEventListener('change', () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = '';
    take(files);
  });

  dropTarget(el, { busy: () => busy, onFiles: take });

  // a file dropped anywhere on the explorer opens the dialog with it (instead of the browser opening the file)
  document.addEventListener('dragover', (ev) => {
    if (!ev.defaultPrevented && hasFiles(ev)) ev.preventDefault();
  });
  document.addEventListener('drop', (ev) => {
    if (ev.defaultPrevented || !hasFiles(ev)) return;
    ev.preventDefault();
    const refused = handlers.refusal?.();
    if (refused) return handlers.notify(refused, 'error');
    api.open([...(ev.dataTransfer?.files ?? [])]);
  });

  // ---------------------------------------------------------------- open and close

  closeBtn.addEventListener('click', () => close());
  // keys typed in the dialog are the dialog's: the explorer's shortcuts (/, Escape) stay out of it
  el.addEventListener('keydown', (ev) => ev.stopPropagation());
  el.addEventListener('close', () => el.classList.remove('dragging'));

  function close(): void {
    if (el.open) el.close();
  }

  const api: ImportDialog = {
    el,
    open(files) {
      if (!el.open) el.showModal();
      if (busy) {
        if (files?.length) take(files);
        return;
      }
      if (files?.length) take(files);
      // a mapping in progress is kept when the dialog was closed; anything finished starts over
      else if (phase !== 'ready' && phase !== 'detecting') showPick();
      else focusFirst();
    },
    close,
  };
  return api;
}
