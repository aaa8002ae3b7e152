// Messages to the user: transient toasts (errors from the API, import results) and the persistent notice
// shown when a cap cut a result ("showing N of total", with a button to fetch the next page).
import { h, replaceChildren } from '../dom.ts';

export type ToastKind = 'info' | 'success' | 'error';

export interface Toasts {
  show(message: string, kind?: ToastKind): void;
}

export function createToasts(root: HTMLElement): Toasts {
  root.dataset.testid = 'toast';
  root.setAttribute('role', 'status');
  root.setAttribute('aria-live', 'polite');
  return {
    show(message, kind = 'info') {
      const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
      const el = h('div', { class: `toast ${kind}`, 'data-kind': kind }, h('span', { class: 'toast-text' }, message), close);
      const remove = () => el.remove();
      close.addEventListener('click', remove);
      root.append(el);
      // errors stay until dismissed or replaced by more; others fade out
      if (kind !== 'error') setTimeout(remove, 5000);
      while (root.children.length > 4) root.firstElementChild?.remove();
    },
  };
}

export interface CapNotice {
  key: string;
  text: string;
  /** label of the button that loads more, e.g. "500 more"; none when nothing more can be loaded */
  more?: { label: string; run(): Promise<void> };
}

export interface CapNotices {
  set(notice: CapNotice): void;
  remove(key: string): void;
  clear(): void;
}

export function createCapNotices(root: HTMLElement): CapNotices {
  root.dataset.testid = 'cap-notices';
  const notices = new Map<string, HTMLElement>();

  function build(n: CapNotice): HTMLElement {
    const el = h('div', { class: 'cap-notice', 'data-testid': 'cap-notice', 'data-key': n.key }, h('span', { class: 'cap-icon', 'aria-hidden': 'true' }, '⚠'), h('span', { class: 'cap-text' }, n.text));
    if (n.more) {
      const more = n.more;
      const btn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'cap-more' }, more.label);
      btn.addEventListener('click', () => {
        btn.disabled = true;
        void more.run().finally(() => {
          btn.disabled = false;
        });
      });
      el.append(btn);
    }
    const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
    close.addEventListener('click', () => api.remove(n.key));
    el.append(close);
    return el;
  }

  const api: CapNotices = {
    set(n) {
      const el = build(n);
      const old = notices.get(n.key);
      if (old) old.replaceWith(el);
      else root.append(el);
      notices.set(n.key, el);
    },
    remove(key) {
      notices.get(key)?.remove();
      notices.delete(key);
    },
    clear() {
      notices.clear();
      replaceChildren(root);
    },
  };
  return api;
}
