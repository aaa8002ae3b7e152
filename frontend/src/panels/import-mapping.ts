// The mapping step of the import dialog for operator call records (CDR CSV): which column holds which
// role, how the file is written (delimiter, encoding, header row), how dates, times and durations read,
// the operator's time zone and the region of national-format numbers. Prefilled from the server's
// inference (or a saved mapping that fits the file's columns); the import API takes only the name of a
// saved mapping, so importing saves the form first when it changed.
import { h, replaceChildren } from '../dom.ts';
import { ApiError, type CdrColumns, type CdrMapping, type CdrMappingInput, type ImportClient, type InferredMapping, type SavedMapping } from '../api.ts';

type Role = keyof CdrColumns;
type ColumnRef = string | number;

/** Every role a column can play, in the order the form shows them. */
export const MAPPING_ROLES: readonly { key: Role; label: string; hint: string; required?: boolean }[] = [
  { key: 'aNumber', label: 'A number', hint: 'caller / sender (in every record, MO or MT)', required: true },
  { key: 'bNumber', label: 'B number', hint: 'called party / recipient', required: true },
  { key: 'date', label: 'Date', hint: 'date only, with a separate time column' },
  { key: 'time', label: 'Time', hint: 'time of day, with the date column' },
  { key: 'datetime', label: 'Date and time', hint: 'one column holding both (instead of date + time)' },
  { key: 'duration', label: 'Duration', hint: '' },
  { key: 'callType', label: 'Call type', hint: 'MO / MT / SMS… or operator codes' },
  { key: 'imei', label: 'IMEI', hint: 'of the served subscriber' },
  { key: 'imsi', label: 'IMSI', hint: 'of the served subscriber' },
  { key: 'cellFirst', label: 'First cell', hint: '' },
  { key: 'cellLast', label: 'Last cell', hint: '' },
  { key: 'aName', label: 'A name', hint: 'subscriber name, kept as an alias' },
  { key: 'bName', label: 'B name', hint: 'subscriber name, kept as an alias' },
];

const DELIMITERS: readonly [CdrMapping['delimiter'], string][] = [
  [',', 'comma  ,'],
  [';', 'semicolon  ;'],
  ['\t', 'tab'],
  ['|', 'pipe  |'],
];
const ENCODINGS: readonly CdrMapping['encoding'][] = ['utf-8', 'windows-1252', 'utf-16le', 'latin1'];
const DURATION_FORMATS: readonly [CdrMapping['durationFormat'], string][] = [
  ['seconds', 'seconds (125 or 125,5)'],
  ['mm:ss', 'mm:ss'],
  ['hh:mm:ss', 'hh:mm:ss'],
];
const CDR_SERVICES = ['voice-out', 'voice-in', 'sms-out', 'sms-in', 'data', 'other'] as const;
type CdrService = (typeof CDR_SERVICES)[number];
const DATE_FORMATS = [
  'DD/MM/YYYY', 'YYYY-MM-DD', 'MM/DD/YYYY', 'DD.MM.YYYY', 'DD-MM-YYYY', 'YYYY/MM/DD', 'YYYYMMDD', 'ISO',
  'YYYY-MM-DD HH:mm:ss', 'DD/MM/YYYY HH:mm:ss', 'MM/DD/YYYY HH:mm:ss', 'DD.MM.YYYY HH:mm:ss', 'YYYY-MM-DDTHH:mm:ss', 'YYYYMMDDHHmmss', 'YYYYMMDD HHmmss',
];
const TIME_FORMATS = ['HH:mm:ss', 'HH:mm', 'HHmmss', 'HH.mm.ss'];
/** same rule as the server's MAPPING_NAME_RE */
const NAME_RE = /^(?![. ])[A-Za-z0-9 _.-]{1,64}(?<![. ])$/;
const PREVIEW_ROWS = 5;
const MISSING = 'missing:';

/** The IANA zones this browser knows (for the time zone suggestions), UTC included. */
export function timeZoneNames(): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** Whether `zone` is a time zone this browser can use (the server checks again). */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The first `max` records of CSV text: quotes, doubled quotes and line breaks inside quotes handled. */
export function parseCsvHead(text: string, delimiter: string, max: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(cell);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    cell = '';
  };
  while (i < text.length && rows.length < max) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
    i++;
  }
  if (rows.length < max && (cell !== '' || row.length > 0)) endRow();
  return rows;
}

/** The head of a file as text in one of the mapping's encodings (a BOM is dropped). */
export function decodeHead(head: Uint8Array, encoding: CdrMapping['encoding']): string {
  try {
    return new TextDecoder(encoding === 'latin1' ? 'windows-1252' : encoding).decode(head);
  } catch {
    return new TextDecoder('utf-8').decode(head);
  }
}

const headerKey = (s: string) => s.trim().toLowerCase();

/** Reads "RAW=service; RAW=service" into a call-type map; a message for what does not read. */
export function parseCallTypeMap(text: string): { map?: Record<string, CdrService>; error?: string } {
  const map: Record<string, CdrService> = {};
  for (const part of text.split(/[;\n]/)) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.lastIndexOf('=');
    const raw = eq > 0 ? item.slice(0, eq).trim() : '';
    const service = eq > 0 ? item.slice(eq + 1).trim().toLowerCase() : '';
    if (!raw || !(CDR_SERVICES as readonly string[]).includes(service)) {
      return { error: `call-type codes: “${item}” is not CODE=service (services: ${CDR_SERVICES.join(', ')})` };
    }
    map[raw] = service as CdrService;
  }
  return Object.keys(map).length ? { map } : {};
}

function formatCallTypeMap(map: Record<string, string> | undefined): string {
  return map ? Object.entries(map).map(([k, v]) => `${k}=${v}`).join('; ') : '';
}

export interface MappingEditorOptions {
  fileName: string;
  /** the first bytes of the file (64 KiB at most) */
  head: Uint8Array;
  /** the server's proposal; null when it could not make one (then `problem` says why) */
  inferred: InferredMapping | null;
  problem?: string;
  saved: SavedMapping[];
  client: Pick<ImportClient, 'saveMapping' | 'mappings'>;
}

export interface MappingEditor {
  readonly el: HTMLElement;
  /** the mapping as the form stands (no name) */
  value(): CdrMappingInput;
  /** true when the form differs from every saved mapping it was loaded from or saved as */
  dirty(): boolean;
  /** the saved mapping to import with: saves the form first when it changed; rejects with a plain message */
  ensureSaved(): Promise<string>;
  /** a label for the import button ("Import" or "Save mapping & import") */
  importLabel(): string;
  /** sets the function called whenever the form changes (one at a time: the dialog's current import button) */
  onChange(listener: () => void): void;
}

let editorSeq = 0;

export function createMappingEditor(opts: MappingEditorOptions): MappingEditor {
  const uid = `map${++editorSeq}`;
  let saved = [...opts.saved];
  /** the saved mapping the form currently equals, if any */
  let savedAs: string | null = null;
  let listener: (() => void) | null = null;
  const inferred: CdrMapping = opts.inferred?.mapping ?? {
    delimiter: guessDelimiter(decodeHead(opts.head.subarray(0, 4096), 'utf-8')),
    encoding: 'utf-8', header: true, columns: { aNumber: 0, bNumber: 1 }, dateFormat: 'YYYY-MM-DD', timeFormat: 'HH:mm:ss',
    durationFormat: 'seconds', decimalComma: false, timeZone: 'UTC',
  };
  /** current header names (or "Column n" labels without a header row) and sample rows */
  let columns: string[] = [];
  let samples: string[][] = [];

  // ---------------------------------------------------------------- controls
  const field = (label: string, control: HTMLElement, hint?: string, extra: Record<string, string> = {}) =>
    h('div', { class: 'map-field', ...extra }, h('label', { for: control.id }, label), control, hint ? h('span', { class: 'map-hint' }, hint) : null);
  const select = (id: string, testid: string, options: [string, string][]) => {
    const el = h('select', { id: `${uid}-${id}`, 'data-testid': testid });
    for (const [value, label] of options) el.append(h('option', { value }, label));
    return el;
  };

  const savedSelect = h('select', { id: `${uid}-saved`, 'data-testid': 'mapping-saved' });
  const savedNote = h('p', { class: 'map-note', 'data-testid': 'mapping-saved-note', hidden: true });
  const delimiter = select('delimiter', 'map-delimiter', DELIMITERS.map(([v, l]) => [v, l]));
  const encoding = select('encoding', 'map-encoding', ENCODINGS.map((e) => [e, e]));
  const header = h('input', { type: 'checkbox', id: `${uid}-header`, 'data-testid': 'map-header' });
  const roleSelects = new Map<Role, HTMLSelectElement>();
  for (const role of MAPPING_ROLES) roleSelects.set(role.key, h('select', { id: `${uid}-${role.key}`, 'data-testid': `map-${role.key}`, 'data-role': role.key }));
  const dateFormat = h('input', { id: `${uid}-dateFormat`, 'data-testid': 'map-dateFormat', list: `${uid}-dates`, autocomplete: 'off', spellcheck: 'false' });
  const timeFormat = h('input', { id: `${uid}-timeFormat`, 'data-testid': 'map-timeFormat', list: `${uid}-times`, autocomplete: 'off', spellcheck: 'false' });
  const durationFormat = select('durationFormat', 'map-durationFormat', DURATION_FORMATS.map(([v, l]) => [v, l]));
  const decimalComma = h('input', { type: 'checkbox', id: `${uid}-decimalComma`, 'data-testid': 'map-decimalComma' });
  const timeZone = h('input', { id: `${uid}-timeZone`, 'data-testid': 'map-timeZone', list: `${uid}-zones`, autocomplete: 'off', spellcheck: 'false', required: true });
  const tzNote = h('span', { class: 'map-hint', 'data-testid': 'map-timeZone-note' });
  const region = h('input', { id: `${uid}-region`, 'data-testid': 'map-region', maxlength: 2, size: 3, autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. PE' });
  const callTypes = h('input', { id: `${uid}-callTypeMap`, 'data-testid': 'map-callTypeMap', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 1=voice-out; 2=voice-in' });
  const nameInput = h('input', { id: `${uid}-name`, 'data-testid': 'mapping-name', maxlength: 64, autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. Claro Peru 2023' });
  const saveBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'mapping-save' }, 'Save mapping');
  const status = h('p', { class: 'map-status', 'data-testid': 'mapping-status', role: 'status', 'aria-live': 'polite' });
  const preview = h('div', { class: 'map-preview', 'data-testid': 'mapping-preview' });

  const datalist = (id: string, values: string[]) => h('datalist', { id: `${uid}-${id}` }, ...values.map((v) => h('option', { value: v })));

  const warnings = opts.inferred?.warnings ?? [];
  const el = h(
    'section',
    { class: 'map-editor', 'data-testid': 'mapping-editor', 'aria-labelledby': `${uid}-title` },
    h('h3', { id: `${uid}-title`, class: 'imp-subtitle' }, 'Column mapping'),
    h('p', { class: 'map-intro' }, 'Operator call records have no standard layout: say which column holds what, how times are written and in which time zone.'),
    opts.problem ? h('p', { class: 'map-note warn', 'data-testid': 'mapping-problem' }, `No mapping could be proposed: ${opts.problem}. Map the columns below.`) : null,
    warnings.length ? h('ul', { class: 'map-warnings', 'data-testid': 'mapping-warnings' }, ...warnings.map((w) => h('li', {}, w))) : null,
    h('div', { class: 'map-row' }, field('Saved mapping', savedSelect), savedNote),
    h('fieldset', { class: 'map-group' }, h('legend', {}, 'File'), h('div', { class: 'map-grid' },
      field('Delimiter', delimiter), field('Encoding', encoding),
      h('div', { class: 'map-field check' }, header, h('label', { for: header.id }, 'First row is a header')),
    )),
    preview,
    h('fieldset', { class: 'map-group' }, h('legend', {}, 'Columns'), h('div', { class: 'map-grid roles' },
      ...MAPPING_ROLES.map((r) => field(`${r.label}${r.required ? ' *' : ''}`, roleSelects.get(r.key)!, r.hint || undefined, { 'data-role-field': r.key })),
    )),
    h('fieldset', { class: 'map-group' }, h('legend', {}, 'Values'), h('div', { class: 'map-grid' },
      field('Date format', dateFormat, 'pattern of the date (or date-and-time) column, or ISO'),
      field('Time format', timeFormat, 'pattern of the time column'),
      field('Duration', durationFormat),
      h('div', { class: 'map-field check' }, decimalComma, h('label', { for: decimalComma.id }, 'Decimal comma (12,5)')),
      h('div', { class: 'map-field' }, h('label', { for: timeZone.id }, 'Time zone *'), timeZone, tzNote),
      field('Region', region, 'ISO country of national-format numbers (server default when empty)'),
      field('Call-type codes', callTypes, `CODE=service; … (services: ${CDR_SERVICES.join(', ')})`, { class: 'map-field wide' }),
    )),
    h('div', { class: 'map-save' }, field('Save as', nameInput, 'imports read CSV through a saved mapping'), saveBtn),
    status,
    datalist('dates', DATE_FORMATS),
    datalist('times', TIME_FORMATS),
    datalist('zones', timeZoneNames()),
  );

  // ---------------------------------------------------------------- columns and preview

  function readColumns(): void {
    const text = decodeHead(opts.head, encoding.value as CdrMapping['encoding']);
    const rows = parseCsvHead(text, delimiter.value, PREVIEW_ROWS + 1);
    const width = Math.max(0, ...rows.map((r) => r.length));
    if (header.checked) {
      const sameAsInferred = opts.inferred && delimiter.value === inferred.delimiter && encoding.value === inferred.encoding;
      const names = sameAsInferred ? opts.inferred!.header : (rows[0] ?? []);
      columns = Array.from({ length: Math.max(width, names.length) }, (_, i) => (names[i] ?? '').trim() || `Column ${i + 1}`);
      samples = rows.slice(1);
    } else {
      columns = Array.from({ length: width }, (_, i) => `Column ${i + 1}`);
      samples = rows.slice(0, PREVIEW_ROWS);
    }
  }

  function renderPreview(): void {
    if (columns.length === 0) {
      replaceChildren(preview, h('p', { class: 'map-note warn' }, 'No columns found with this delimiter and encoding.'));
      return;
    }
    const head = h('tr', {}, ...columns.map((c, i) => h('th', { scope: 'col', title: c }, h('span', { class: 'map-colno' }, String(i + 1)), ' ', c)));
    const body = samples.map((r) => h('tr', {}, ...columns.map((_, i) => h('td', { title: r[i] ?? '' }, r[i] ?? ''))));
    replaceChildren(
      preview,
      h('table', { class: 'map-table', 'aria-label': `First rows of ${opts.fileName}` }, h('thead', {}, head), h('tbody', {}, ...body)),
    );
  }

  /** The column a role's select points at, as a mapping reference (header name when unique, else index). */
  function refOf(value: string): ColumnRef | undefined {
    if (value === '') return undefined;
    if (value.startsWith(MISSING)) {
      const raw = value.slice(MISSING.length);
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    }
    const i = Number(value);
    if (!header.checked) return i;
    const name = columns[i];
    const isNamed = name !== undefined && name !== `Column ${i + 1}`;
    const unique = isNamed && columns.filter((c) => headerKey(c) === headerKey(name)).length === 1;
    return unique ? name : i;
  }

  /** Fills a role's options and selects `ref` (kept as "not in this file" when it is absent). */
  function fillRole(role: Role, ref: ColumnRef | undefined): void {
    const sel = roleSelects.get(role)!;
    const first = samples[0] ?? [];
    const options: HTMLOptionElement[] = [h('option', { value: '' }, '— not in this file —')];
    columns.forEach((c, i) => {
      const sample = (first[i] ?? '').trim();
      options.push(h('option', { value: String(i) }, sample ? `${c} (e.g. ${sample.length > 24 ? `${sample.slice(0, 23)}…` : sample})` : c));
    });
    let value = '';
    if (typeof ref === 'number') {
      value = ref < columns.length ? String(ref) : `${MISSING}${ref}`;
    } else if (typeof ref === 'string') {
      const i = header.checked ? columns.findIndex((c) => headerKey(c) === headerKey(ref)) : -1;
      value = i >= 0 ? String(i) : `${MISSING}${ref}`;
    }
    if (value.startsWith(MISSING)) {
      const raw = value.slice(MISSING.length);
      options.push(h('option', { value }, /^\d+$/.test(raw) ? `column ${Number(raw) + 1} (not in this file)` : `${raw} (not in this file)`));
    }
    sel.replaceChildren(...options);
    sel.value = value;
    sel.closest('.map-field')?.classList.toggle('missing', value.startsWith(MISSING));
  }

  function currentRefs(): Partial<Record<Role, ColumnRef>> {
    const refs: Partial<Record<Role, ColumnRef>> = {};
    for (const role of MAPPING_ROLES) {
      const ref = refOf(roleSelects.get(role.key)!.value);
      if (ref !== undefined) refs[role.key] = ref;
    }
    return refs;
  }

  /** Re-reads the columns after a delimiter, encoding or header change, keeping each role's column. */
  function rereadColumns(): void {
    const refs = currentRefs();
    readColumns();
    renderPreview();
    for (const role of MAPPING_ROLES) fillRole(role.key, refs[role.key]);
  }

  // ---------------------------------------------------------------- load, read, save

  function load(m: CdrMapping): void {
    delimiter.value = m.delimiter;
    encoding.value = m.encoding;
    header.checked = m.header;
    readColumns();
    renderPreview();
    for (const role of MAPPING_ROLES) fillRole(role.key, m.columns[role.key]);
    dateFormat.value = m.dateFormat;
    timeFormat.value = m.timeFormat;
    durationFormat.value = m.durationFormat;
    decimalComma.checked = m.decimalComma;
    timeZone.value = m.timeZone;
    region.value = m.region ?? '';
    callTypes.value = formatCallTypeMap(m.callTypeMap);
    checkTimeZone();
  }

  function checkTimeZone(): void {
    const tz = timeZone.value.trim();
    const known = isKnownTimeZone(tz);
    timeZone.setAttribute('aria-invalid', String(!known));
    tzNote.classList.toggle('warn', !known || tz === 'UTC');
    tzNote.textContent = !tz
      ? 'required: the zone the operator wrote local times in (IANA, e.g. America/Lima)'
      : !known
        ? `“${tz}” is not a known IANA time zone (e.g. America/Lima)`
        : tz === 'UTC' || tz === 'Etc/UTC'
          ? 'UTC: check it — operators usually write local time (e.g. America/Lima)'
          : 'IANA zone of the operator’s local times';
  }

  function value(): CdrMappingInput {
    const columnsOut = currentRefs();
    const calls = parseCallTypeMap(callTypes.value);
    const m: CdrMappingInput = {
      delimiter: delimiter.value as CdrMapping['delimiter'],
      encoding: encoding.value as CdrMapping['encoding'],
      header: header.checked,
      columns: columnsOut as CdrColumns,
      dateFormat: dateFormat.value.trim(),
      timeFormat: timeFormat.value.trim(),
      durationFormat: durationFormat.value as CdrMapping['durationFormat'],
      decimalComma: decimalComma.checked,
      timeZone: timeZone.value.trim(),
    };
    const r = region.value.trim();
    if (r) m.region = r.toUpperCase();
    if (calls.map) m.callTypeMap = calls.map;
    return m;
  }

  /** A plain message for what the form lacks before the server would refuse it; null when nothing. */
  function problem(): string | null {
    const refs = currentRefs();
    if (refs.aNumber === undefined || refs.bNumber === undefined) return 'choose the A-number and B-number columns';
    if (refs.datetime === undefined && refs.date === undefined) return 'choose a date column (with a time column) or a date-and-time column';
    const tz = timeZone.value.trim();
    if (!isKnownTimeZone(tz)) return `set the time zone the operator wrote local times in${tz ? ` (“${tz}” is not a known IANA zone)` : ''}`;
    const calls = parseCallTypeMap(callTypes.value);
    if (calls.error) return calls.error;
    return null;
  }

  function setStatus(text: string, kind: 'info' | 'error' | 'success' = 'info'): void {
    status.textContent = text;
    status.dataset.kind = kind;
  }

  function renderSaved(selected: string): void {
    savedSelect.replaceChildren(
      h('option', { value: '' }, opts.inferred ? '— proposed from this file —' : '— new mapping —'),
      ...saved.map((m) => h('option', { value: m.name }, m.name)),
    );
    savedSelect.value = selected;
  }

  async function save(): Promise<string> {
    const name = nameInput.value.trim();
    if (!name) throw new Error('Name this mapping under “Save as”: imports read CSV through a saved mapping');
    if (!NAME_RE.test(name)) throw new Error('A mapping name is 1–64 of A–Z a–z 0–9 space _ . - and does not start or end with a dot or space');
    const missing = problem();
    if (missing) throw new Error(`Mapping incomplete: ${missing}`);
    let stored: SavedMapping;
    try {
      stored = await opts.client.saveMapping(name, value());
    } catch (err) {
      throw new Error(err instanceof ApiError ? `Mapping not saved: ${err.message}` : `Mapping not saved: ${(err as Error).message}`);
    }
    const replaced = saved.some((m) => m.name.toLowerCase() === stored.name.toLowerCase());
    saved = [...saved.filter((m) => m.name.toLowerCase() !== stored.name.toLowerCase()), stored].sort((a, b) => a.name.localeCompare(b.name));
    savedAs = stored.name;
    renderSaved(stored.name);
    setStatus(`Saved as “${stored.name}”${replaced ? ' (replacing the earlier mapping of that name)' : ''}.`, 'success');
    changed(false);
    return stored.name;
  }

  function changed(edited: boolean): void {
    if (edited && savedAs !== null) {
      savedAs = null;
      setStatus('Changed since saved: importing saves it again under the name below.');
    }
    el.dataset.dirty = String(savedAs === null);
    listener?.();
  }

  // ---------------------------------------------------------------- events

  for (const ctl of [delimiter, encoding, header]) {
    ctl.addEventListener('change', () => {
      rereadColumns();
      changed(true);
    });
  }
  for (const sel of roleSelects.values()) {
    sel.addEventListener('change', () => {
      sel.closest('.map-field')?.classList.toggle('missing', sel.value.startsWith(MISSING));
      changed(true);
    });
  }
  for (const ctl of [dateFormat, timeFormat, durationFormat, decimalComma, region, callTypes]) {
    ctl.addEventListener('input', () => changed(true));
    ctl.addEventListener('change', () => changed(true));
  }
  timeZone.addEventListener('input', () => {
    checkTimeZone();
    changed(true);
  });
  region.addEventListener('input', () => {
    const up = region.value.toUpperCase();
    if (up !== region.value) region.value = up;
  });
  nameInput.addEventListener('input', () => changed(false));
  savedSelect.addEventListener('change', () => {
    const chosen = saved.find((m) => m.name === savedSelect.value);
    if (chosen) {
      load(chosen);
      nameInput.value = chosen.name;
      savedAs = chosen.name;
      savedNote.hidden = true;
      setStatus(`Using the saved mapping “${chosen.name}”.`);
    } else {
      load(inferred);
      savedAs = null;
      setStatus('');
    }
    changed(false);
  });
  saveBtn.addEventListener('click', () => {
    saveBtn.disabled = true;
    setStatus('Saving…');
    save()
      .catch((err: Error) => setStatus(err.message, 'error'))
      .finally(() => {
        saveBtn.disabled = false;
      });
  });

  // ---------------------------------------------------------------- start: a saved mapping that fits, else the proposal

  const fitting = opts.inferred ? saved.find((m) => fits(m)) : undefined;
  if (fitting) {
    load(fitting);
    nameInput.value = fitting.name;
    savedAs = fitting.name;
    renderSaved(fitting.name);
    savedNote.hidden = false;
    savedNote.textContent = `The saved mapping “${fitting.name}” fits this file’s columns and is selected; choose another or “proposed from this file” to start over.`;
  } else {
    load(inferred);
    renderSaved('');
  }
  el.dataset.dirty = String(savedAs === null);

  /** A saved mapping fits when the file reads the same way and every column it names by header is there. */
  function fits(m: SavedMapping): boolean {
    if (!m.header || m.delimiter !== inferred.delimiter || m.encoding !== inferred.encoding) return false;
    const names = new Set((opts.inferred?.header ?? []).map(headerKey));
    const refs = Object.values(m.columns).filter((v) => v !== undefined);
    return refs.length > 0 && refs.every((v) => (typeof v === 'string' ? names.has(headerKey(v)) : v < names.size));
  }

  return {
    el,
    value,
    dirty: () => savedAs === null,
    importLabel: () => (savedAs === null ? 'Save mapping & import' : 'Import'),
    onChange(fn) {
      listener = fn;
    },
    async ensureSaved() {
      if (savedAs !== null) return savedAs;
      setStatus('Saving…');
      try {
        return await save();
      } catch (err) {
        setStatus((err as Error).message, 'error');
        throw err;
      }
    },
  };
}

/** The delimiter that occurs most in the first line (`;` wins ties), for files the server could not read. */
function guessDelimiter(text: string): CdrMapping['delimiter'] {
  const line = text.split(/\r?\n|\r/, 1)[0] ?? '';
  let best: CdrMapping['delimiter'] = ',';
  let most = 0;
  for (const [d] of [[';'], [','], ['\t'], ['|']] as [CdrMapping['delimiter']][]) {
    const n = line.split(d).length - 1;
    if (n > most) {
      best = d;
      most = n;
    }
  }
  return best;
}
