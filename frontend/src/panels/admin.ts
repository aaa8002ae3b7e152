// "Audit trail & users" (admins only): the audit trail as a table, newest first, with filters (actor,
// action, outcome, case, dates), "Load older" paging by seq, the hash chain verified on demand and a JSON
// lines export of what the filters select; and the users, with add, disable/enable and role/case changes.
// A native modal <dialog> styled like the import dialog. Every name, action and detail is text
// (textContent), never markup.
import { h, replaceChildren } from '../dom.ts';
import { ApiError, type AuditEntry, type AuditFilter, type AuthClient, type Role, type UserView } from '../api.ts';
import { formatTime, plural } from '../format.ts';
import { MIN_PASSWORD } from './user.ts';

/** Entries fetched per page of the audit table. */
export const AUDIT_PAGE = 50;

/** Actions the server records (the action filter also matches a prefix: `auth` finds auth.login and auth.logout). */
export const AUDIT_ACTIONS = [
  'auth', 'auth.login', 'auth.logout', 'user', 'user.create', 'user.update', 'user.disable', 'user.passwd',
  'import', 'text.apply', 'snapshot.open', 'note', 'merge', 'unmerge', 'mapping.save', 'mapping.delete',
  'export', 'audit.export', 'access.denied',
] as const;

const ROLES: readonly Role[] = ['viewer', 'analyst', 'admin'];

/** `2024-05-03` → `2024-05-04`: the server's `to` is exclusive, the form's "to" date is inclusive. */
export function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The filter the form's fields describe: empty fields left out, the "to" day included. */
export function auditFilterFrom(fields: { actor?: string; action?: string; outcome?: string; case?: string; from?: string; to?: string }): AuditFilter {
  const f: AuditFilter = {};
  const t = (v?: string) => v?.trim() || undefined;
  if (t(fields.actor)) f.actor = t(fields.actor);
  if (t(fields.action)) f.action = t(fields.action);
  if (fields.outcome === 'ok' || fields.outcome === 'refused' || fields.outcome === 'failed') f.outcome = fields.outcome;
  if (t(fields.case)) f.case = t(fields.case);
  if (t(fields.from)) f.from = t(fields.from);
  if (t(fields.to)) f.to = dayAfter(t(fields.to)!);
  return f;
}

const shortValue = (v: unknown): string => {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.length ? v.join(', ') : '—';
  return JSON.stringify(v);
};

/** An entry's details on one line (`role: analyst · cases: lima-2023`), cut at `max` characters. */
export function summariseDetails(details: Record<string, unknown> | undefined, max = 140): string {
  if (!details) return '';
  const line = Object.entries(details)
    .map(([k, v]) => `${k}: ${shortValue(v)}`)
    .join(' · ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Case names typed as `a, b` (commas or new lines), without blanks or repeats. */
export function parseCaseList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean))];
}

export interface AdminViewDeps {
  /** the cases the store has (offered when granting cases) */
  caseNames(): string[];
  /** the signed-in admin (who cannot disable themselves here) */
  currentUser(): string | null;
  notify(message: string, kind?: 'info' | 'success' | 'error'): void;
}

export interface AdminView {
  readonly el: HTMLDialogElement;
  open(tab?: 'audit' | 'users'): void;
  close(): void;
}

function messageOf(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

export function createAdminView(auth: AuthClient, deps: AdminViewDeps): AdminView {
  const closeBtn = h('button', { type: 'button', class: 'imp-close', 'aria-label': 'Close', title: 'Close (Esc)', 'data-testid': 'admin-close' }, '×');
  const tabAudit = h('button', { type: 'button', class: 'admin-tab', role: 'tab', id: 'admin-tab-audit', 'aria-controls': 'admin-audit', 'data-testid': 'admin-tab-audit' }, 'Audit trail');
  const tabUsers = h('button', { type: 'button', class: 'admin-tab', role: 'tab', id: 'admin-tab-users', 'aria-controls': 'admin-users', 'data-testid': 'admin-tab-users' }, 'Users');

  // ---------------------------------------------------------------- audit trail

  const caseList = h('datalist', { id: 'admin-case-list' });
  const actionList = h('datalist', { id: 'admin-action-list' }, ...AUDIT_ACTIONS.map((a) => h('option', { value: a })));
  const fActor = h('input', { type: 'text', name: 'actor', maxlength: 64, placeholder: 'any', 'data-testid': 'audit-filter-actor', spellcheck: 'false' });
  const fAction = h('input', { type: 'text', name: 'action', maxlength: 64, placeholder: 'any', list: 'admin-action-list', 'data-testid': 'audit-filter-action', spellcheck: 'false' });
  const fOutcome = h(
    'select',
    { name: 'outcome', 'data-testid': 'audit-filter-outcome' },
    h('option', { value: '' }, 'any'),
    h('option', { value: 'ok' }, 'ok'),
    h('option', { value: 'refused' }, 'refused'),
    h('option', { value: 'failed' }, 'failed'),
  );
  const fCase = h('input', { type: 'text', name: 'case', maxlength: 120, placeholder: 'any', list: 'admin-case-list', 'data-testid': 'audit-filter-case', spellcheck: 'false' });
  const fFrom = h('input', { type: 'date', name: 'from', 'data-testid': 'audit-filter-from' });
  const fTo = h('input', { type: 'date', name: 'to', 'data-testid': 'audit-filter-to' });
  const labelled = (label: string, input: HTMLElement) => h('label', { class: 'admin-filter' }, h('span', {}, label), input);
  const applyBtn = h('button', { type: 'submit', class: 'btn primary small', 'data-testid': 'audit-apply' }, 'Apply');
  const resetBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'audit-reset' }, 'Clear');
  const filters = h(
    'form',
    { class: 'admin-filters', 'data-testid': 'audit-filters' },
    labelled('Actor', fActor),
    labelled('Action', fAction),
    labelled('Outcome', fOutcome),
    labelled('Case', fCase),
    labelled('From (UTC)', fFrom),
    labelled('To (UTC, inclusive)', fTo),
    h('div', { class: 'admin-filter-actions' }, applyBtn, resetBtn),
  );
  const verifyBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'audit-verify', title: 'Recompute the hash chain of the whole trail' }, 'Verify chain');
  const verifyResult = h('span', { class: 'audit-verify-result', 'data-testid': 'audit-verify-result', 'aria-live': 'polite' });
  const exportLink = h('a', { class: 'btn small', 'data-testid': 'audit-export', download: 'casegraph-audit.jsonl', title: 'The entries the filters select, oldest first, one JSON object a line' }, 'Export JSON lines');
  const rows = h('tbody', { 'data-testid': 'audit-rows' });
  const table = h(
    'table',
    { class: 'admin-table audit-table', 'data-testid': 'audit-table' },
    h('thead', {}, h('tr', {}, ...['Time (UTC)', 'Actor', 'Action', 'Outcome', 'Case', 'Target', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
    rows,
  );
  const auditStatus = h('span', { class: 'muted', 'data-testid': 'audit-count' });
  const olderBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'audit-older' }, 'Load older');
  const auditError = h('p', { class: 'imp-error', role: 'alert', 'data-testid': 'audit-error', hidden: true });
  const auditSection = h(
    'section',
    { class: 'admin-section', id: 'admin-audit', role: 'tabpanel', 'aria-labelledby': 'admin-tab-audit', 'data-testid': 'admin-audit' },
    filters,
    h('div', { class: 'admin-toolbar' }, verifyBtn, verifyResult, h('span', { class: 'spacer' }), exportLink),
    auditError,
    h('div', { class: 'admin-table-wrap' }, table),
    h('div', { class: 'admin-foot' }, auditStatus, olderBtn),
    caseList,
    actionList,
  );

  let applied: AuditFilter = {};
  let shown: AuditEntry[] = [];
  let auditToken = 0;

  function auditRow(e: AuditEntry): HTMLTableRowElement {
    const details = summariseDetails(e.details);
    const full = [e.details ? JSON.stringify(e.details, null, 1) : '', e.ip ? `from ${e.ip}` : ''].filter(Boolean).join('\n');
    return h(
      'tr',
      { 'data-testid': 'audit-row', 'data-seq': e.seq, 'data-action': e.action, 'data-outcome': e.outcome, class: `outcome-${e.outcome}` },
      h('td', { class: 'mono audit-time', title: `#${e.seq} · hash ${e.hash}` }, formatTime(e.at)),
      h('td', { class: 'audit-actor', 'data-testid': 'audit-actor' }, e.actor),
      h('td', { class: 'mono audit-action', 'data-testid': 'audit-action' }, e.action),
      h('td', {}, h('span', { class: `outcome-badge outcome-${e.outcome}`, 'data-testid': 'audit-outcome' }, e.outcome)),
      h('td', { class: 'audit-case' }, e.case ?? ''),
      h('td', { class: 'audit-target', 'data-testid': 'audit-target' }, e.target ?? ''),
      h('td', { class: 'audit-details', title: full || null }, details),
    );
  }

  function showCount(more: boolean): void {
    auditStatus.textContent = shown.length === 0 ? 'No entry matches the filters.' : `${plural(shown.length, 'entry', 'entries')} shown, newest first${more ? '' : ' (no older ones)'}`;
    olderBtn.disabled = !more;
    olderBtn.hidden = shown.length === 0;
  }

  async function loadAudit(older: boolean): Promise<void> {
    const token = ++auditToken;
    const before = older ? shown.at(-1)?.seq : undefined;
    olderBtn.disabled = true;
    auditError.hidden = true;
    if (!older) {
      el.dataset.audit = 'loading';
      exportLink.href = auth.auditExportUrl(applied);
    }
    try {
      const page = await auth.audit(applied, { before, limit: AUDIT_PAGE });
      if (token !== auditToken) return;
      if (older) shown = shown.concat(page);
      else {
        shown = page;
        rows.replaceChildren();
      }
      rows.append(...page.map(auditRow));
      showCount(page.length === AUDIT_PAGE);
    } catch (err) {
      if (token !== auditToken) return;
      auditError.textContent = `The audit trail could not be read: ${messageOf(err)}`;
      auditError.hidden = false;
      showCount(false);
    } finally {
      if (token === auditToken) el.dataset.audit = 'ready';
    }
  }

  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    applied = auditFilterFrom({ actor: fActor.value, action: fAction.value, outcome: fOutcome.value, case: fCase.value, from: fFrom.value, to: fTo.value });
    void loadAudit(false);
  });
  resetBtn.addEventListener('click', () => {
    filters.reset();
    applied = {};
    void loadAudit(false);
  });
  olderBtn.addEventListener('click', () => void loadAudit(true));
  verifyBtn.addEventListener('click', () => {
    verifyBtn.disabled = true;
    verifyResult.className = 'audit-verify-result';
    verifyResult.textContent = 'Verifying…';
    delete verifyResult.dataset.ok;
    auth
      .verifyAudit()
      .then((v) => {
        verifyResult.dataset.ok = String(v.ok);
        verifyResult.classList.add(v.ok ? 'ok' : 'broken');
        verifyResult.textContent = v.ok
          ? `Chain intact: ${plural(v.entries, 'entry', 'entries')} verified`
          : `Chain broken at entry #${v.brokenAt ?? '?'} (of ${v.entries.toLocaleString('en')}): entries were changed or removed`;
      })
      .catch((err: unknown) => {
        verifyResult.classList.add('broken');
        verifyResult.textContent = `Could not verify: ${messageOf(err)}`;
      })
      .finally(() => (verifyBtn.disabled = false));
  });

  // ---------------------------------------------------------------- users

  const userRows = h('tbody', { 'data-testid': 'user-rows' });
  const usersTable = h(
    'table',
    { class: 'admin-table users-table', 'data-testid': 'users-table' },
    h('thead', {}, h('tr', {}, ...['Name', 'Role', 'Cases', 'State', 'Changed (UTC)', ''].map((c) => h('th', { scope: 'col' }, c)))),
    userRows,
  );
  const usersError = h('p', { class: 'imp-error', role: 'alert', 'data-testid': 'users-error', hidden: true });
  const nName = h('input', { type: 'text', maxlength: 64, required: true, autocomplete: 'off', spellcheck: 'false', 'data-testid': 'add-user-name' });
  const nRole = h('select', { 'data-testid': 'add-user-role' }, ...ROLES.map((r) => h('option', { value: r, selected: r === 'analyst' }, r)));
  const nPassword = h('input', { type: 'password', maxlength: 1024, autocomplete: 'new-password', required: true, 'data-testid': 'add-user-password' });
  const nCases = h('input', { type: 'text', placeholder: 'case-a, case-b', list: 'admin-case-list', spellcheck: 'false', 'data-testid': 'add-user-cases' });
  const addError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'add-user-error' });
  const addBtn = h('button', { type: 'submit', class: 'btn primary small', 'data-testid': 'add-user-submit' }, 'Add user');
  const addForm = h(
    'form',
    { class: 'admin-add-user', 'data-testid': 'add-user-form', novalidate: true },
    h('h3', {}, 'Add a user'),
    h(
      'div',
      { class: 'admin-filters' },
      labelled('Name', nName),
      labelled('Role', nRole),
      labelled(`Password (≥ ${MIN_PASSWORD} characters)`, nPassword),
      labelled('Cases (comma-separated; admins see all)', nCases),
      h('div', { class: 'admin-filter-actions' }, addBtn),
    ),
    addError,
  );
  const usersSection = h(
    'section',
    { class: 'admin-section', id: 'admin-users', role: 'tabpanel', 'aria-labelledby': 'admin-tab-users', 'data-testid': 'admin-users', hidden: true },
    usersError,
    h('div', { class: 'admin-table-wrap' }, usersTable),
    addForm,
  );

  function userRow(u: UserView): HTMLTableRowElement {
    const me = deps.currentUser();
    const role = h('select', { 'data-testid': 'user-role-select', 'aria-label': `Role of ${u.name}` }, ...ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)));
    const cases = h('input', { type: 'text', value: u.cases.join(', '), list: 'admin-case-list', spellcheck: 'false', 'data-testid': 'user-cases', 'aria-label': `Cases of ${u.name}` });
    const save = h('button', { type: 'button', class: 'btn small primary', 'data-testid': 'user-save', disabled: true }, 'Save');
    const toggle = h('button', { type: 'button', class: 'btn small', 'data-testid': 'user-toggle' }, u.disabled ? 'Enable' : 'Disable');
    const problem = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'user-row-error' });
    if (u.name === me) {
      toggle.disabled = true;
      toggle.title = 'You cannot disable yourself';
    }
    const syncCases = () => {
      cases.disabled = role.value === 'admin';
      cases.title = cases.disabled ? 'Admins see every case' : 'Case names, comma-separated';
      cases.placeholder = cases.disabled ? 'all cases' : 'no case yet';
    };
    syncCases();
    const changed = () => {
      syncCases();
      save.disabled = role.value === u.role && parseCaseList(cases.value).join('\n') === u.cases.join('\n');
    };
    role.addEventListener('change', changed);
    cases.addEventListener('input', changed);
    const run = (change: Parameters<AuthClient['updateUser']>[1], done: string, btn: HTMLButtonElement) => {
      btn.disabled = true;
      problem.textContent = '';
      auth
        .updateUser(u.name, change)
        .then((updated) => {
          deps.notify(done, 'success');
          row.replaceWith(userRow(updated));
        })
        .catch((err: unknown) => {
          problem.textContent = messageOf(err);
          btn.disabled = false;
        });
    };
    save.addEventListener('click', () => {
      const change: { role?: Role; cases?: string[] } = {};
      if (role.value !== u.role) change.role = role.value as Role;
      const list = parseCaseList(cases.value);
      if (role.value !== 'admin' && list.join('\n') !== u.cases.join('\n')) change.cases = list;
      run(change, `Saved ${u.name}`, save);
    });
    toggle.addEventListener('click', () => run({ disabled: !u.disabled }, `${u.disabled ? 'Enabled' : 'Disabled'} ${u.name}`, toggle));
    const row = h(
      'tr',
      { 'data-testid': 'user-row', 'data-name': u.name, 'data-disabled': String(u.disabled), class: u.disabled ? 'user-disabled' : null },
      h('td', { class: 'user-cell-name', 'data-testid': 'user-row-name' }, u.name, u.name === me ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', {}, role),
      h('td', {}, cases),
      h('td', { 'data-testid': 'user-state' }, u.disabled ? 'disabled' : 'active'),
      h('td', { class: 'mono' }, formatTime(u.updatedAt)),
      h('td', { class: 'user-actions' }, save, toggle, problem),
    );
    return row;
  }

  async function loadUsers(): Promise<void> {
    usersError.hidden = true;
    el.dataset.users = 'loading';
    try {
      const users = await auth.users();
      replaceChildren(userRows, ...users.map(userRow));
    } catch (err) {
      usersError.textContent = `The users could not be read: ${messageOf(err)}`;
      usersError.hidden = false;
    } finally {
      el.dataset.users = 'ready';
    }
  }

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = nName.value.trim();
    if (!name) return void ((addError.textContent = 'Type a user name.'), nName.focus());
    if (nPassword.value.length < MIN_PASSWORD) return void ((addError.textContent = `The password needs at least ${MIN_PASSWORD} characters.`), nPassword.focus());
    const role = nRole.value as Role;
    const cases = role === 'admin' ? [] : parseCaseList(nCases.value);
    addBtn.disabled = true;
    addError.textContent = '';
    auth
      .addUser({ name, role, password: nPassword.value, cases })
      .then((u) => {
        deps.notify(`Added ${u.role} ${u.name}`, 'success');
        addForm.reset();
        nRole.value = 'analyst';
        return loadUsers();
      })
      .catch((err: unknown) => {
        addError.textContent = messageOf(err);
      })
      .finally(() => (addBtn.disabled = false));
  });
  nRole.addEventListener('change', () => (nCases.disabled = nRole.value === 'admin'));

  // ---------------------------------------------------------------- dialog

  const el = h(
    'dialog',
    { class: 'imp-dialog admin-dialog', 'data-testid': 'admin-dialog', 'aria-labelledby': 'admin-title' },
    h('header', { class: 'imp-head' }, h('h2', { id: 'admin-title' }, 'Audit trail & users'), h('span', { class: 'imp-head-sub' }, 'who did what, and who may'), closeBtn),
    h('div', { class: 'admin-tabs', role: 'tablist' }, tabAudit, tabUsers),
    h('div', { class: 'imp-body' }, auditSection, usersSection),
  );
  document.body.append(el);

  function selectTab(tab: 'audit' | 'users'): void {
    el.dataset.tab = tab;
    tabAudit.setAttribute('aria-selected', String(tab === 'audit'));
    tabUsers.setAttribute('aria-selected', String(tab === 'users'));
    auditSection.hidden = tab !== 'audit';
    usersSection.hidden = tab !== 'users';
  }
  tabAudit.addEventListener('click', () => selectTab('audit'));
  tabUsers.addEventListener('click', () => selectTab('users'));
  closeBtn.addEventListener('click', () => close());
  // keys typed in the dialog are the dialog's, not the explorer's shortcuts
  el.addEventListener('keydown', (ev) => ev.stopPropagation());

  function close(): void {
    if (el.open) el.close();
  }

  return {
    el,
    open(tab = 'audit') {
      replaceChildren(caseList, ...deps.caseNames().map((c) => h('option', { value: c })));
      selectTab(tab);
      if (!el.open) el.showModal();
      void loadAudit(false);
      void loadUsers();
      (tab === 'audit' ? fActor : nName).focus();
    },
    close,
  };
}
