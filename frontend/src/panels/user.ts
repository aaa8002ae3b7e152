// The signed-in user in the top bar: the button shows name and role and opens a small menu (the cases the
// user may see, change password, sign out, and for admins the audit trail and users). Also what each role
// may do in the explorer (the server enforces it anyway: this only keeps refused actions out of reach).
import { h } from '../dom.ts';
import { ApiError, type AuthClient, type Me, type Role } from '../api.ts';
import { openFloating } from './floating.ts';

/** What the explorer asks a role before offering an action. */
export type Capability = 'write' | 'export' | 'admin';

const GRANTS: Record<Role, readonly Capability[]> = {
  admin: ['write', 'export', 'admin'],
  analyst: ['write', 'export'],
  viewer: [],
};

export function roleCan(role: Role, what: Capability): boolean {
  return GRANTS[role]?.includes(what) ?? false;
}

/** The tooltip of an action the role cannot take: `Your role (viewer) cannot import`. */
export function refusedTitle(role: Role, doing: string): string {
  return `Your role (${role}) cannot ${doing}`;
}

/** Passwords are at least this long (the server's rule). */
export const MIN_PASSWORD = 12;

/** The problem with a password change as typed, or null when it can be sent. */
export function passwordChangeProblem(current: string, next: string, repeat: string): string | null {
  if (!current) return 'Type your current password.';
  if (next.length < MIN_PASSWORD) return `The new password needs at least ${MIN_PASSWORD} characters.`;
  if (next !== repeat) return 'The two new passwords differ.';
  if (next === current) return 'The new password is the same as the current one.';
  return null;
}

/** The cases line of the menu. */
export function describeCases(cases: Me['cases']): string {
  if (cases === 'all') return 'All cases';
  if (cases.length === 0) return 'No case granted yet';
  return `Cases: ${cases.join(', ')}`;
}

export interface UserMenuHandlers {
  onSignOut(): void;
  /** admins only: opens the audit trail and users */
  onAdmin(): void;
  notify(message: string, kind?: 'info' | 'success' | 'error'): void;
}

export interface UserMenu {
  /** shows who is signed in */
  set(me: Me): void;
}

/** Wires the top-bar user button. */
export function createUserMenu(button: HTMLButtonElement, auth: AuthClient, handlers: UserMenuHandlers): UserMenu {
  let me: Me | null = null;
  const name = h('span', { class: 'user-name', 'data-testid': 'user-name' });
  const role = h('span', { class: 'user-role', 'data-testid': 'user-role' });
  button.append(name, role);
  button.setAttribute('aria-haspopup', 'menu');

  function item(label: string, testid: string, run: () => void): HTMLButtonElement {
    const btn = h('button', { type: 'button', class: 'menu-item', role: 'menuitem', 'data-testid': testid }, h('span', { class: 'menu-label' }, label));
    btn.addEventListener('click', run);
    return btn;
  }

  function openMenu(): void {
    if (!me) return;
    const who = me;
    const box = button.getBoundingClientRect();
    const menu = h('div', { class: 'context-menu user-menu', role: 'menu', 'data-testid': 'user-menu', tabindex: '-1', 'aria-label': 'Account' });
    let floating: { close(): void } | null = null;
    const close = () => floating?.close();
    const items = [
      roleCan(who.role, 'admin') ? item('Audit trail & users', 'user-menu-admin', () => (close(), handlers.onAdmin())) : null,
      item('Change password…', 'user-menu-password', () => (close(), openPasswordForm())),
      item('Sign out', 'user-menu-sign-out', () => (close(), handlers.onSignOut())),
    ].filter((x): x is HTMLButtonElement => x !== null);
    menu.append(
      h(
        'div',
        { class: 'user-menu-head' },
        h('div', { class: 'user-menu-name', 'data-testid': 'user-menu-name' }, who.user),
        h('div', { class: 'user-menu-role' }, h('span', { class: `role-badge role-${who.role}`, 'data-testid': 'user-menu-role' }, who.role)),
        h('div', { class: 'user-menu-cases muted', 'data-testid': 'user-menu-cases' }, describeCases(who.cases)),
      ),
      h('div', { class: 'menu-sep', role: 'separator' }),
      ...items,
    );
    menu.addEventListener('keydown', (ev) => {
      const i = items.indexOf(document.activeElement as HTMLButtonElement);
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        items[(i + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
      }
    });
    floating = openFloating(menu, { x: box.right - 240, y: box.bottom + 6 }, { focus: items[0] });
  }

  function openPasswordForm(): void {
    const field = (label: string, testid: string, autocomplete: string) => {
      const input = h('input', { type: 'password', autocomplete, maxlength: 1024, 'data-testid': testid, 'aria-label': label });
      return { input, row: h('label', { class: 'popover-field' }, h('span', {}, label), input) };
    };
    const current = field('Current password', 'password-current', 'current-password');
    const next = field(`New password (at least ${MIN_PASSWORD} characters)`, 'password-new', 'new-password');
    const repeat = field('New password again', 'password-repeat', 'new-password');
    const problem = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'password-error' });
    const save = h('button', { type: 'submit', class: 'btn small primary', 'data-testid': 'password-save' }, 'Change password');
    const form = h(
      'form',
      { class: 'popover password-form', 'data-testid': 'password-form' },
      h('div', { class: 'popover-title' }, 'Change your password'),
      h('p', { class: 'popover-note' }, 'Your other sessions end; this one stays signed in.'),
      current.row,
      next.row,
      repeat.row,
      problem,
      h('div', { class: 'popover-actions' }, save),
    );
    const box = button.getBoundingClientRect();
    const floating = openFloating(form, { x: box.right - 300, y: box.bottom + 6 }, { focus: current.input });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const bad = passwordChangeProblem(current.input.value, next.input.value, repeat.input.value);
      if (bad) {
        problem.textContent = bad;
        return;
      }
      save.disabled = true;
      problem.textContent = '';
      auth
        .changePassword(current.input.value, next.input.value)
        .then(() => {
          floating.close();
          handlers.notify('Password changed', 'success');
        })
        .catch((err: unknown) => {
          problem.textContent = err instanceof ApiError && err.status === 403 ? 'The current password is wrong.' : err instanceof Error ? err.message : String(err);
          save.disabled = false;
        });
    });
  }

  button.addEventListener('click', () => openMenu());

  return {
    set(who) {
      me = who;
      name.textContent = who.user;
      role.textContent = who.role;
      button.dataset.role = who.role;
      button.title = `Signed in as ${who.user} (${who.role}): account menu`;
    },
  };
}
