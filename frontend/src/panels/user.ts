// Who is working: a name set once and kept in localStorage, sent with notes and merges (the server records
// it with each annotation). Until sign-in exists this is trust-based, like the server's default "local".
import { h } from '../dom.ts';
import { openFloating } from './floating.ts';

const KEY = 'casegraph.user';
export const DEFAULT_USER = 'local';

/**
 * A name the server accepts (letters, digits, space, `. _ @ -`, at most 120) that can travel in an HTTP
 * header (fetch only sends Latin-1 header values). Returns the problem, or null when fine.
 */
export function userNameProblem(name: string): string | null {
  if (name.length === 0) return 'Type a name.';
  if (name.length > 120) return 'At most 120 characters.';
  if (!/^[\p{L}\p{N} ._@-]+$/u.test(name)) return 'Letters, digits, spaces and . _ @ - only.';
  if ([...name].some((c) => c.codePointAt(0)! > 0xff)) return 'Use Latin letters (accents are fine): the name travels in an HTTP header.';
  return null;
}

export function loadUser(): string {
  try {
    const stored = localStorage.getItem(KEY)?.trim();
    return stored && !userNameProblem(stored) ? stored : DEFAULT_USER;
  } catch {
    return DEFAULT_USER;
  }
}

export interface UserSettings {
  current(): string;
}

/** Wires the top-bar user button: shows the name, opens a small form to change it. */
export function createUserSettings(button: HTMLButtonElement, onChange: (name: string) => void): UserSettings {
  let name = loadUser();
  const label = h('span', { class: 'user-name', 'data-testid': 'user-name' }, name);
  button.append(label);
  button.title = 'Your name, recorded with your notes and merges';

  button.addEventListener('click', () => {
    const input = h('input', { type: 'text', value: name === DEFAULT_USER ? '' : name, placeholder: DEFAULT_USER, maxlength: 120, 'data-testid': 'user-input', 'aria-label': 'Your name', spellcheck: 'false', autocomplete: 'name' });
    const problem = h('p', { class: 'form-error', role: 'alert' });
    const save = h('button', { type: 'submit', class: 'btn small primary', 'data-testid': 'user-save' }, 'Save');
    const form = h(
      'form',
      { class: 'popover user-settings', 'data-testid': 'user-settings' },
      h('label', { class: 'popover-title' }, 'Your name'),
      h('p', { class: 'popover-note' }, 'Recorded with every note and merge you make. Kept in this browser.'),
      input,
      problem,
      h('div', { class: 'popover-actions' }, save),
    );
    const box = button.getBoundingClientRect();
    const floating = openFloating(form, { x: box.right - 280, y: box.bottom + 6 }, { focus: input });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const next = input.value.trim() || DEFAULT_USER;
      const bad = userNameProblem(next);
      if (bad) {
        problem.textContent = bad;
        input.focus();
        return;
      }
      name = next;
      try {
        localStorage.setItem(KEY, name);
      } catch {
        // private mode: the name lasts for this page
      }
      label.textContent = name;
      floating.close();
      onChange(name);
    });
  });
  return { current: () => name };
}
