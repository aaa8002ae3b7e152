// "From text": an investigator pastes report prose (police report, press article, interview notes) or drops
// a .txt/.md/.html/.pdf file; the server proposes candidate entities, each tied to the sentence it came from;
// the investigator accepts, rejects, edits, retypes or merges each one with an entity the store already
// knows, confirms the links proposed from co-occurrence, and applies it all as one atomic write.
// A native modal <dialog> styled like the import dialog; user and document text only ever become text nodes.
import { dropTarget } from './drop-target.ts';
import { entitySwatch, linkSwatch } from './swatch.ts';
import { formatBytes } from './import.ts';
import { h, replaceChildren } from '../dom.ts';
import { plural } from '../format.ts';
import { ApiError, isAbort, type Api, type AppliedText, type ApplyResult, type ApplyText, type Candidate, type CandidateMatch, type Extraction, type ProposedLink } from '../api.ts';
import { ENTITY_TYPES, linkAllowed, type EntityType } from '../../../backend/src/model/ontology.ts';

/** File names the server reads as text documents (it tells them apart by extension and content). */
export const TEXT_FILE = /\.(txt|text|md|markdown|mdown|x?html?|pdf)$/i;
const ACCEPT = '.txt,.text,.md,.markdown,.mdown,.html,.htm,.xhtml,.pdf,text/plain,text/markdown,text/html,application/pdf';
/** The server's bounds (MAX_DOCUMENT_BYTES, MAX_TEXT_CHARS in backend/src/text/document.ts, which the
 *  browser cannot import): checked here too so a too-large document is refused before it is uploaded. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_PASTE_CHARS = 1_000_000;
/** Characters of the sentence shown on each side of a mention (long "sentences" from PDFs get cut). */
export const CONTEXT_CHARS = 200;
/** Proposed links listed for confirmation (each is a checkbox; beyond this the list stops being reviewable). */
export const LINKS_SHOWN = 300;
/** The server's bound on a label (ApplyText). */
const MAX_LABEL = 500;

export type TextPhase = 'input' | 'extracting' | 'review' | 'applying' | 'done';
export type Decision = 'accept' | 'reject' | 'pending';

/** An accepted entity as sent to apply. */
interface AppliedEntity {
  ref: string;
  type: EntityType;
  label: string;
  mergeWith?: string;
}

export interface TextReviewHandlers {
  /** the case the explorer shows (the default target) */
  currentCase(): string | null;
  /** known case names, for suggestions */
  caseNames(): string[];
  /** after an apply that changed the store: show the entities in the graph */
  onApplied(result: AppliedText): Promise<void> | void;
  notify(message: string, kind?: 'info' | 'success' | 'error'): void;
}

export interface TextReview {
  readonly el: HTMLDialogElement;
  open(): void;
  close(): void;
}

type TextApi = Pick<Api, 'extractText' | 'applyText' | 'search'>;

// ---------------------------------------------------------------- pure helpers

/**
 * Whether a candidate starts accepted. Accepted unless it is ambiguous: the store knows an entity with the
 * same name but not the same identifier (a namesake or the same person? only the investigator can say),
 * so it waits for a decision — picking a match or "new entity" accepts it.
 */
export function defaultDecision(c: Candidate): Decision {
  return ambiguous(c) ? 'pending' : 'accept';
}

export function ambiguous(c: Candidate): boolean {
  return c.matches.some((m) => m.by === 'label') && !c.matches.some((m) => m.by === 'id' && m.type === c.type);
}

/** The merge target a candidate starts with: the entity with its very identifier, when the types agree. */
export function defaultMerge(c: Candidate): string | null {
  return c.matches.find((m) => m.by === 'id' && m.type === c.type)?.id ?? null;
}

/** The text around a mention, within its sentence and at most `max` characters each side. */
export function mentionParts(text: string, sentence: { start: number; end: number } | undefined, span: { start: number; end: number }, max = CONTEXT_CHARS): { before: string; mention: string; after: string } {
  const from = Math.min(sentence?.start ?? span.start, span.start);
  const to = Math.max(sentence?.end ?? span.end, span.end);
  let a = Math.max(from, span.start - max);
  let b = Math.min(to, span.end + max);
  // cut at a word boundary rather than mid-word
  if (a > from) {
    const sp = text.indexOf(' ', a);
    if (sp !== -1 && sp < span.start) a = sp + 1;
  }
  if (b < to) {
    const sp = text.lastIndexOf(' ', b);
    if (sp > span.end) b = sp;
  }
  return {
    before: (a > from ? '…' : '') + text.slice(a, span.start).trimStart(),
    mention: text.slice(span.start, span.end),
    after: text.slice(span.end, b).trimEnd() + (b < to ? '…' : ''),
  };
}

/** "lima-raid.report.yaml", "device A and device B", "A, B and 3 more". */
export function sourceNames(m: CandidateMatch): string {
  const names = [...new Set(m.sources.map((s) => s.name))];
  if (names.length === 0) return 'the store';
  if (names.length === 1) return names[0];
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} more`;
}

/** A file name for pasted text: the title when given (made safe), else the day it was pasted. */
export function pastedName(title: string, now = new Date()): string {
  const safe = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  return `${safe || `pasted text ${now.toISOString().slice(0, 10)}`}.txt`;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return String(err);
}

/** The review state of one candidate. */
interface Row {
  c: Candidate;
  decision: Decision;
  type: EntityType;
  label: string;
  mergeWith: string | null;
  el: HTMLElement;
  labelInput: HTMLInputElement;
  acceptBtn: HTMLButtonElement;
  rejectBtn: HTMLButtonElement;
}

interface Review {
  x: Extraction;
  caseName: string;
  title: string;
  rows: Row[];
  /** confirmed proposals by key; kept across decisions so re-accepting an end brings the tick back */
  confirmed: Map<string, boolean>;
}

const linkKey = (l: ProposedLink) => `${l.from}|${l.to}|${l.type}`;

export function createTextReview(api: TextApi, handlers: TextReviewHandlers): TextReview {
  let phase: TextPhase = 'input';
  let file: File | null = null;
  let review: Review | null = null;
  let abort: AbortController | null = null;
  let opener: HTMLElement | null = null;

  // ---------------------------------------------------------------- the input step's controls (kept across opens)

  const textInput = h('textarea', {
    class: 'txt-input',
    'data-testid': 'text-input',
    rows: 12,
    spellcheck: 'false',
    id: 'txt-input',
    'aria-label': 'Report text',
    placeholder: 'Paste a police report, a press article or interview notes…',
  });
  const fileInput = h('input', { type: 'file', accept: ACCEPT, hidden: true, 'data-testid': 'text-file-input', tabindex: -1 });
  const fileChip = h('div', { class: 'txt-file', 'data-testid': 'text-file', hidden: true });
  const titleInput = h('input', { id: 'txt-title', 'data-testid': 'text-title', maxlength: MAX_LABEL, autocomplete: 'off', placeholder: 'e.g. Witness interview, 12 Oct' });
  const caseInput = h('input', { id: 'txt-case', 'data-testid': 'text-case', list: 'txt-case-list', maxlength: 120, autocomplete: 'off', spellcheck: 'false', required: true });
  const caseList = h('datalist', { id: 'txt-case-list' });
  const dateInput = h('input', { id: 'txt-date', type: 'date', 'data-testid': 'text-report-date' });
  const closeBtn = h('button', { type: 'button', class: 'imp-close', 'aria-label': 'Close', title: 'Close (Esc)', 'data-testid': 'text-close' }, '×');
  const sub = h('span', { class: 'imp-head-sub' }, 'police reports, articles, interview notes → entities you review');
  const body = h('div', { class: 'imp-body txt-body' });
  const error = h('p', { class: 'imp-error txt-error', role: 'alert', 'data-testid': 'text-error', hidden: true });
  const actions = h('div', { class: 'imp-actions' });
  const el = h(
    'dialog',
    { class: 'imp-dialog txt-dialog', 'data-testid': 'text-dialog', 'aria-labelledby': 'txt-title-h', 'data-phase': phase },
    h('header', { class: 'imp-head' }, h('h2', { id: 'txt-title-h' }, 'From text'), sub, closeBtn),
    body,
    error,
    actions,
    fileInput,
  );
  document.body.append(el);

  function setPhase(p: TextPhase): void {
    phase = p;
    el.dataset.phase = p;
  }

  function showError(message: string | null): void {
    error.textContent = message ?? '';
    error.hidden = !message;
  }

  function button(label: string, testid: string, onClick: () => void, primary = false): HTMLButtonElement {
    const b = h('button', { type: 'button', class: primary ? 'btn primary' : 'btn', 'data-testid': testid }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  // ---------------------------------------------------------------- input: paste or a file, case, date

  function setFile(f: File | null): void {
    file = f;
    if (!f) {
      fileChip.hidden = true;
      fileChip.replaceChildren();
      textInput.disabled = false;
      textInput.placeholder = 'Paste a police report, a press article or interview notes…';
      return;
    }
    const remove = button('Remove', 'text-file-remove', () => {
      setFile(null);
      textInput.focus();
    });
    replaceChildren(fileChip, h('span', { class: 'imp-file-name' }, f.name), h('span', { class: 'muted' }, ` · ${formatBytes(f.size)}`), remove);
    fileChip.hidden = false;
    // the file is what will be read: the pasted text stays, greyed, for when the file is removed again
    textInput.disabled = true;
    textInput.placeholder = 'The file above is read; remove it to paste text instead.';
  }

  function take(files: File[]): void {
    if (phase !== 'input' || files.length === 0) return;
    const f = files[0];
    if (!TEXT_FILE.test(f.name)) {
      showError(`${f.name} is not a text document: “From text” reads .txt, .md, .html and .pdf files (use Import for device extractions and call records).`);
      return;
    }
    if (f.size > MAX_FILE_BYTES) {
      showError(`${f.name} is ${formatBytes(f.size)}: at most ${formatBytes(MAX_FILE_BYTES)} can be reviewed as text.`);
      return;
    }
    showError(files.length > 1 ? `Only ${f.name} is read: review one document at a time.` : null);
    setFile(f);
  }

  fileInput.addEventListener('change', () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = '';
    take(files);
  });
  dropTarget(el, { busy: () => phase !== 'input', onFiles: take });

  function showInput(): void {
    setPhase('input');
    abort = null;
    sub.textContent = 'police reports, articles, interview notes → entities you review';
    if (!caseInput.value) caseInput.value = handlers.currentCase() ?? '';
    replaceChildren(caseList, ...handlers.caseNames().map((c) => h('option', { value: c })));
    const choose = button('Choose a file…', 'text-choose', () => fileInput.click());
    replaceChildren(
      body,
      h('label', { class: 'txt-label', for: 'txt-input' }, 'Text'),
      textInput,
      h(
        'div',
        { class: 'imp-drop txt-drop', 'data-testid': 'text-dropzone' },
        h('span', {}, 'or drop a document here — .txt, .md, .html, .pdf'),
        choose,
      ),
      fileChip,
      h(
        'div',
        { class: 'txt-fields' },
        h('label', { for: 'txt-title' }, 'Title'),
        titleInput,
        h('span', { class: 'txt-field-hint' }, 'optional: how the source is named'),
        h('label', { for: 'txt-case' }, 'Case'),
        caseInput,
        h('span', { class: 'txt-field-hint' }, 'the case this text belongs to'),
        h('label', { for: 'txt-date' }, 'Report date'),
        dateInput,
        h('span', { class: 'txt-field-hint' }, 'optional: “yesterday”, “last Monday” are counted from it'),
      ),
      caseList,
    );
    replaceChildren(actions, h('span', { class: 'txt-keys muted' }, 'Ctrl+Enter finds entities'), button('Cancel', 'text-cancel', () => close()), button('Find entities', 'text-extract', () => void extract(), true));
  }

  // ---------------------------------------------------------------- extracting

  async function extract(): Promise<void> {
    if (phase !== 'input') return;
    const caseName = caseInput.value.trim();
    const text = textInput.value;
    if (!file && !text.trim()) {
      showError('Paste some text or choose a document first.');
      textInput.focus();
      return;
    }
    if (!file && text.length > MAX_PASTE_CHARS) {
      showError(`The pasted text has ${text.length.toLocaleString('en')} characters: at most ${MAX_PASTE_CHARS.toLocaleString('en')} can be pasted (save it as a file instead).`);
      return;
    }
    if (!caseName) {
      showError('Give the case this text belongs to.');
      caseInput.focus();
      return;
    }
    showError(null);
    const name = file ? file.name : pastedName(titleInput.value);
    const controller = new AbortController();
    abort = controller;
    setPhase('extracting');
    const started = Date.now();
    const progress = h('p', { class: 'txt-progress', 'data-testid': 'text-progress', 'aria-live': 'polite' });
    const tick = () => {
      const s = Math.floor((Date.now() - started) / 1000);
      progress.textContent = `Finding entities in ${name}…${s >= 1 ? ` ${s} s` : ''}`;
    };
    tick();
    const timer = setInterval(tick, 1000);
    replaceChildren(
      body,
      h('div', { class: 'txt-working' }, h('span', { class: 'txt-spinner', 'aria-hidden': 'true' }), progress),
      file?.name.toLowerCase().endsWith('.pdf') ? h('p', { class: 'muted' }, 'PDFs take a few seconds: their text is read page by page.') : null,
    );
    const cancel = button('Cancel', 'text-extract-cancel', () => controller.abort());
    replaceChildren(actions, cancel);
    cancel.focus();
    try {
      const x = await api.extractText(file ?? text, { name, case: caseName, reportDate: dateInput.value || undefined }, controller.signal);
      if (abort !== controller) return;
      showReview(x, caseName, titleInput.value.trim());
    } catch (err) {
      if (abort !== controller) return;
      showInput();
      if (!isAbort(err)) showError(`Cannot read ${name}: ${messageOf(err)}`);
      focusInput();
    } finally {
      clearInterval(timer);
    }
  }

  function focusInput(): void {
    (file ? actions.querySelector<HTMLElement>('[data-testid="text-extract"]') : textInput)?.focus();
  }

  // ---------------------------------------------------------------- review

  let applyBtn: HTMLButtonElement | null = null;
  let linksBox: HTMLElement | null = null;
  let reviewHint: HTMLElement | null = null;

  function showReview(x: Extraction, caseName: string, title: string): void {
    setPhase('review');
    abort = null;
    const sentences = new Map(x.sentences.map((s) => [s.index, s]));
    const rows: Row[] = x.candidates.map((c) => ({
      c,
      decision: defaultDecision(c),
      type: c.type,
      label: c.label,
      mergeWith: defaultMerge(c),
      el: null as unknown as HTMLElement,
      labelInput: null as unknown as HTMLInputElement,
      acceptBtn: null as unknown as HTMLButtonElement,
      rejectBtn: null as unknown as HTMLButtonElement,
    }));
    review = { x, caseName, title, rows, confirmed: new Map() };
    sub.textContent = `${x.document.name} → case ${caseName}`;

    const groups = ENTITY_TYPES.map((t) => ({ type: t, rows: rows.filter((r) => r.c.type === t) })).filter((g) => g.rows.length > 0);
    const facts = [
      x.document.kind,
      plural(x.document.chars, 'character'),
      plural(x.sentences.length, 'sentence'),
      plural(x.candidates.length, 'candidate'),
      x.document.reportDate ? `dates counted from ${x.document.reportDate}` : null,
    ].filter((f): f is string => !!f);

    linksBox = h('section', { class: 'txt-links', 'data-testid': 'text-links', 'aria-label': 'Proposed links' });
    reviewHint = h('p', { class: 'txt-hint muted', 'data-testid': 'text-review-hint' });
    replaceChildren(
      body,
      h('p', { class: 'txt-facts muted', 'data-testid': 'text-facts' }, facts.join(' · ')),
      x.document.alreadyApplied
        ? h('p', { class: 'imp-already', 'data-testid': 'text-already' }, `This text was already applied to case ${x.document.case}: applying it again changes nothing.`)
        : null,
      x.warnings?.length
        ? h('ul', { class: 'txt-warnings', 'data-testid': 'text-warnings' }, ...x.warnings.slice(0, 20).map((w) => h('li', {}, w)), x.warnings.length > 20 ? h('li', { class: 'muted' }, `… and ${x.warnings.length - 20} more`) : null)
        : null,
      x.candidates.length === 0
        ? h('p', { class: 'txt-none', 'data-testid': 'text-no-candidates' }, 'No entities were found in this text. Nothing to apply.')
        : h('div', { class: 'txt-groups' }, ...groups.map((g) => groupSection(g.type, g.rows, x, sentences))),
      linksBox,
    );
    applyBtn = button('Apply', 'text-apply', () => void apply(), true);
    replaceChildren(actions, reviewHint, button('Edit text', 'text-back', () => backToInput()), button('Cancel', 'text-cancel', () => close()), applyBtn);
    refresh();
    // start where a decision is needed; else on Apply
    const first = rows.find((r) => r.decision === 'pending');
    (first?.el.querySelector<HTMLElement>('[data-testid="candidate-merge"]') ?? first?.acceptBtn ?? applyBtn).focus();
  }

  function groupSection(type: EntityType, rows: Row[], x: Extraction, sentences: Map<number, { start: number; end: number }>): HTMLElement {
    return h(
      'section',
      { class: 'txt-group', 'data-testid': 'candidate-group', 'data-type': type },
      h('h3', { class: 'txt-group-head' }, entitySwatch(type, 14), h('span', {}, type), h('span', { class: 'muted' }, String(rows.length))),
      h('ul', { class: 'txt-rows' }, ...rows.map((r) => candidateRow(r, x, sentences))),
    );
  }

  function candidateRow(r: Row, x: Extraction, sentences: Map<number, { start: number; end: number }>): HTMLElement {
    const c = r.c;
    const acceptBtn = h('button', { type: 'button', class: 'txt-decide accept', 'data-testid': 'candidate-accept', title: 'Accept: add it to the case' }, '✓');
    const rejectBtn = h('button', { type: 'button', class: 'txt-decide reject', 'data-testid': 'candidate-reject', title: 'Reject: leave it out' }, '✕');
    acceptBtn.setAttribute('aria-label', `Accept ${c.label}`);
    rejectBtn.setAttribute('aria-label', `Reject ${c.label}`);
    const swatchBox = h('span', { class: 'txt-swatch' }, entitySwatch(r.type, 14));
    const typeSelect = h('select', { class: 'txt-type', 'data-testid': 'candidate-type', 'aria-label': 'Type' }, ...ENTITY_TYPES.map((t) => h('option', { value: t }, t)));
    typeSelect.value = r.type;
    const labelInput = h('input', { class: 'txt-label-input', 'data-testid': 'candidate-label', maxlength: MAX_LABEL, autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Label' });
    labelInput.value = r.label;
    const mergeSelect = h('select', { class: 'txt-merge', 'data-testid': 'candidate-merge', 'aria-label': 'Merge with' });
    const mergeBox = h('label', { class: 'txt-merge-box' }, h('span', { class: 'muted' }, 'Enters the case as'), mergeSelect);

    const mentions = c.spans.map((span, i) => {
      const p = mentionParts(x.text, sentences.get(c.sentences[i] ?? -1), span);
      return h('p', { class: 'txt-context', 'data-testid': i === 0 ? 'candidate-context' : 'candidate-more-context' }, p.before, h('mark', {}, p.mention), p.after);
    });
    const more =
      mentions.length > 1
        ? h('details', { class: 'txt-more' }, h('summary', {}, `${plural(mentions.length - 1, 'more mention')}`), ...mentions.slice(1, 50), mentions.length > 51 ? h('p', { class: 'muted' }, `… and ${mentions.length - 51} more`) : null)
        : null;

    const known = c.matches.map((m) =>
      h(
        'li',
        { class: 'txt-match', 'data-testid': 'candidate-match', 'data-by': m.by, 'data-match-id': m.id },
        'already known: ',
        h('strong', {}, m.label),
        m.type !== c.type ? ` (${m.type})` : '',
        ` from ${sourceNames(m)}`,
        m.by === 'id' ? h('span', { class: 'muted' }, ' · same identifier') : h('span', { class: 'muted' }, ' · same name'),
      ),
    );

    const el = h(
      'li',
      { class: 'txt-row', 'data-testid': 'candidate', 'data-id': c.id, 'data-kind': c.kind, 'data-type': r.type, 'data-proposed-type': c.type },
      h('div', { class: 'txt-decisions', role: 'group', 'aria-label': 'Decision' }, acceptBtn, rejectBtn),
      h(
        'div',
        { class: 'txt-main' },
        h(
          'div',
          { class: 'txt-line' },
          swatchBox,
          typeSelect,
          labelInput,
          c.value && c.value !== labelInput.value ? h('span', { class: 'txt-value mono', 'data-testid': 'candidate-value', title: 'normalised value' }, c.value) : null,
          c.kind !== c.type.toLowerCase() ? h('span', { class: 'txt-kind', title: 'recognised as' }, c.kind) : null,
        ),
        mentions[0],
        more,
        known.length ? h('ul', { class: 'txt-matches' }, ...known) : null,
        mergeBox,
        h('p', { class: 'txt-row-note', 'data-testid': 'candidate-note', hidden: true }),
      ),
    );
    Object.assign(r, { el, labelInput, acceptBtn, rejectBtn });

    /** the matches this candidate may be written onto: only entities of the type it now has */
    const fillMerge = () => {
      const options = c.matches.filter((m) => m.type === r.type);
      if (r.mergeWith && !options.some((m) => m.id === r.mergeWith)) r.mergeWith = null;
      replaceChildren(
        mergeSelect,
        h('option', { value: '' }, 'a new entity'),
        ...options.map((m) => h('option', { value: m.id }, `the known ${m.label}${m.by === 'id' ? ' (same identifier)' : ' (same name)'}`)),
      );
      mergeSelect.value = r.mergeWith ?? '';
      mergeBox.hidden = options.length === 0;
    };
    fillMerge();

    acceptBtn.addEventListener('click', () => decide(r, 'accept'));
    rejectBtn.addEventListener('click', () => decide(r, 'reject'));
    typeSelect.addEventListener('change', () => {
      r.type = typeSelect.value as EntityType;
      el.dataset.type = r.type;
      replaceChildren(swatchBox, entitySwatch(r.type, 14));
      fillMerge();
      refresh();
    });
    labelInput.addEventListener('input', () => {
      r.label = labelInput.value;
      refresh();
    });
    labelInput.addEventListener('keydown', (ev) => {
      // Enter moves on to the next candidate's label, like a spreadsheet; Ctrl+Enter is the dialog's (apply)
      if (ev.key !== 'Enter' || ev.ctrlKey || ev.metaKey) return;
      ev.preventDefault();
      const rows = review?.rows ?? [];
      const next = rows[rows.indexOf(r) + (ev.shiftKey ? -1 : 1)];
      next?.labelInput.focus();
      next?.labelInput.select();
    });
    mergeSelect.addEventListener('change', () => {
      r.mergeWith = mergeSelect.value || null;
      // choosing what it is answers the ambiguity
      if (r.decision === 'pending') r.decision = 'accept';
      refresh();
    });
    return el;
  }

  function decide(r: Row, d: Decision): void {
    r.decision = d;
    refresh();
  }

  const labelOk = (r: Row) => r.label.trim().length > 0 && r.label.trim().length <= MAX_LABEL;

  /** Links offered: both ends accepted, and the ontology allows the link between their (maybe new) types. */
  function offered(rv: Review): { link: ProposedLink; from: Row; to: Row }[] {
    const byId = new Map(rv.rows.map((r) => [r.c.id, r]));
    const out: { link: ProposedLink; from: Row; to: Row }[] = [];
    for (const link of rv.x.links) {
      const from = byId.get(link.from);
      const to = byId.get(link.to);
      if (!from || !to || from.decision !== 'accept' || to.decision !== 'accept') continue;
      if (!linkAllowed(link.type, from.type, to.type)) continue;
      out.push({ link, from, to });
    }
    return out;
  }

  /** Brings rows, links and the Apply button in line with the decisions. */
  function refresh(): void {
    const rv = review;
    if (!rv || !applyBtn || !linksBox || !reviewHint) return;
    for (const r of rv.rows) {
      r.el.dataset.decision = r.decision;
      r.el.dataset.type = r.type;
      r.acceptBtn.setAttribute('aria-pressed', String(r.decision === 'accept'));
      r.rejectBtn.setAttribute('aria-pressed', String(r.decision === 'reject'));
      const bad = r.decision === 'accept' && !labelOk(r);
      r.labelInput.setAttribute('aria-invalid', String(bad));
      r.labelInput.disabled = r.decision === 'reject';
      const note = r.el.querySelector<HTMLElement>('[data-testid="candidate-note"]')!;
      const text =
        r.decision === 'pending'
          ? 'The store knows an entity with this name: say below whether this is the same one, or accept it as new.'
          : r.decision === 'accept' && r.mergeWith
            ? 'Will be added to the known entity.'
            : '';
      note.textContent = text;
      note.hidden = !text;
    }
    const links = offered(rv);
    const waiting = rv.x.links.length - links.length;
    const rowsEl = links.slice(0, LINKS_SHOWN).map(({ link, from, to }) => {
      const key = linkKey(link);
      const box = h('input', { type: 'checkbox', 'data-testid': 'proposed-link', 'data-from': link.from, 'data-to': link.to, 'data-link-type': link.type });
      box.checked = rv.confirmed.get(key) ?? false;
      box.addEventListener('change', () => {
        rv.confirmed.set(key, box.checked);
        refresh();
        linksBox!.querySelector<HTMLInputElement>(`input[data-from="${CSS.escape(link.from)}"][data-to="${CSS.escape(link.to)}"][data-link-type="${link.type}"]`)?.focus();
      });
      const s = rv.x.sentences.find((x) => x.index === link.sentence);
      const sentence = s ? rv.x.text.slice(s.start, Math.min(s.end, s.start + 2 * CONTEXT_CHARS)).trim() + (s.end - s.start > 2 * CONTEXT_CHARS ? '…' : '') : '';
      return h(
        'li',
        { class: 'txt-link' },
        h('label', {}, box, h('span', { class: 'txt-link-ends' }, h('strong', {}, from.label.trim() || '—'), ' ', linkSwatch(link.type), ' ', h('span', { class: 'mono' }, link.type), ' ', h('strong', {}, to.label.trim() || '—'))),
        sentence ? h('p', { class: 'txt-link-sentence muted' }, sentence) : null,
      );
    });
    replaceChildren(
      linksBox,
      h('h3', { class: 'txt-group-head' }, 'Proposed links', h('span', { class: 'muted' }, ` from sentences naming both ends · ${plural(links.length, 'offered', 'offered')}`)),
      rowsEl.length ? h('ul', { class: 'txt-link-list' }, ...rowsEl) : h('p', { class: 'muted' }, rv.x.links.length ? 'Accept both ends of a proposed link to offer it.' : 'No links proposed: no two candidates share a sentence.'),
      links.length > LINKS_SHOWN ? h('p', { class: 'muted' }, `… and ${plural(links.length - LINKS_SHOWN, 'more link')} (only the first ${LINKS_SHOWN.toLocaleString('en')} can be confirmed here)`) : null,
      waiting > 0 && rowsEl.length ? h('p', { class: 'muted', 'data-testid': 'links-waiting' }, `${plural(waiting, 'more link waits', 'more links wait')} for both ends to be accepted.`) : null,
    );
    const accepted = rv.rows.filter((r) => r.decision === 'accept');
    const pending = rv.rows.filter((r) => r.decision === 'pending').length;
    const linkCount = links.filter(({ link }) => rv.confirmed.get(linkKey(link))).length;
    const invalid = accepted.filter((r) => !labelOk(r)).length;
    applyBtn.textContent = `Apply ${plural(accepted.length, 'entity', 'entities')} and ${plural(linkCount, 'link')}`;
    applyBtn.dataset.entities = String(accepted.length);
    applyBtn.dataset.links = String(linkCount);
    applyBtn.disabled = phase !== 'review' || accepted.length === 0 || invalid > 0;
    reviewHint.textContent = invalid
      ? `${plural(invalid, 'accepted entity needs', 'accepted entities need')} a label`
      : pending
        ? `${plural(pending, 'candidate waits', 'candidates wait')} for a decision (left out unless accepted)`
        : 'Ctrl+Enter applies · Esc closes (the review is kept)';
  }

  function backToInput(): void {
    review = null;
    showError(null);
    showInput();
    focusInput();
  }

  // ---------------------------------------------------------------- apply

  async function apply(): Promise<void> {
    const rv = review;
    if (!rv || phase !== 'review' || !applyBtn || applyBtn.disabled) return;
    const accepted = rv.rows.filter((r) => r.decision === 'accept');
    const refs = new Set(accepted.map((r) => r.c.id));
    const applied: AppliedEntity[] = accepted.map((r) => ({ ref: r.c.id, type: r.type, label: r.label.trim(), ...(r.mergeWith ? { mergeWith: r.mergeWith } : {}) }));
    const payload: ApplyText = {
      extractionId: rv.x.extractionId,
      ...(rv.title ? { title: rv.title } : {}),
      entities: accepted.map((r, i) => ({
        ...applied[i],
        // the extractor's props belong to the type it proposed (amount for money, lat/lon for places): a retyped entity starts bare
        props: r.type === r.c.type ? r.c.props : {},
        spans: r.c.spans.slice(0, 1000),
      })),
      links: offered(rv)
        .filter(({ link }) => rv.confirmed.get(linkKey(link)) && refs.has(link.from) && refs.has(link.to))
        .map(({ link }) => ({ from: link.from, to: link.to, type: link.type })),
    };
    setPhase('applying');
    showError(null);
    applyBtn.disabled = true;
    applyBtn.textContent = 'Applying…';
    let result: AppliedText;
    try {
      result = await api.applyText(payload);
    } catch (err) {
      setPhase('review');
      refresh();
      showError(`Nothing was applied: ${messageOf(err)}`);
      applyBtn.focus();
      return;
    }
    if (result.status === 'already_imported') {
      showAlready(result);
      return;
    }
    const summary = `${rv.x.document.name} → ${result.case}: ${plural(result.entities.created, 'entity', 'entities')} created, ${result.entities.merged.toLocaleString('en')} merged; ${plural(result.links.created, 'link')} created, ${result.links.merged.toLocaleString('en')} merged`;
    // a fresh start for the next text; the applied one is in the store
    review = null;
    textInput.value = '';
    titleInput.value = '';
    setFile(null);
    showInput();
    close();
    handlers.notify(summary, 'success');
    try {
      await handlers.onApplied(result);
    } catch (err) {
      handlers.notify(`Applied, but the graph could not be refreshed: ${messageOf(err)}`, 'error');
    }
  }

  function showAlready(result: ApplyResult): void {
    setPhase('done');
    replaceChildren(
      body,
      h('p', { class: 'imp-already', 'data-testid': 'text-result', 'data-status': result.status }, `Already applied: this text is already in case ${result.case}. Nothing changed.`),
    );
    const done = button('Close', 'text-done', () => {
      review = null;
      showInput();
      close();
    }, true);
    replaceChildren(actions, button('Review another text', 'text-again', () => backToInput()), done);
    done.focus();
  }

  // ---------------------------------------------------------------- keys, open and close

  closeBtn.addEventListener('click', () => close());
  el.addEventListener('keydown', (ev) => {
    // keys typed in the dialog are the dialog's: the explorer's shortcuts (/, Escape, Delete) stay out of it
    ev.stopPropagation();
    const t = ev.target as HTMLElement;
    if (ev.key !== 'Enter' || ev.isComposing) return;
    if (ev.ctrlKey || ev.metaKey) {
      ev.preventDefault();
      if (phase === 'input') void extract();
      else if (phase === 'review') void apply();
      return;
    }
    // plain Enter in a one-line field of the first step finds entities (in the textarea it is a new line)
    if (phase === 'input' && t instanceof HTMLInputElement && t.type !== 'file') {
      ev.preventDefault();
      void extract();
    }
  });
  el.addEventListener('cancel', (ev) => {
    // an apply in flight finishes with the dialog open, so its answer is seen
    if (phase === 'applying') ev.preventDefault();
  });
  el.addEventListener('close', () => {
    el.classList.remove('dragging');
    // closing while reading stops reading; a review in progress is kept for the next open
    if (phase === 'extracting') {
      abort?.abort();
      abort = null;
      showInput();
    }
    if (opener?.isConnected) opener.focus();
    opener = null;
  });

  function close(): void {
    if (el.open) el.close();
  }

  return {
    el,
    open() {
      if (el.open) return;
      opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      if (phase === 'done') review = null;
      if (phase === 'input' || phase === 'done') showInput();
      el.showModal();
      if (phase === 'input') focusInput();
      else if (phase === 'review') (actions.querySelector<HTMLElement>('[data-testid="text-apply"]:not(:disabled)') ?? body.querySelector<HTMLElement>('button'))?.focus();
      else actions.querySelector<HTMLElement>('.btn.primary')?.focus();
    },
    close,
  };
}
