// The sign-in form: shown instead of the workbench when nobody is signed in, and over it (the view kept
// underneath) when the session ends while working — any API call answering 401 brings it (api.ts calls
// `reauthenticate` through onSessionLost and sends the request again once signed in). A native modal
// <dialog>, so it also covers other open dialogs. Errors are text: a wrong password, too many attempts
// (with the wait the server asks for).
import { h } from '../dom.ts';
import { ApiError, type AuthClient, type Me } from '../api.ts';
import { closeFloating } from './floating.ts';

/** `75` → `1 min 15 s`, `30` → `30 s`, `3600` → `60 min`. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  const rest = s % 60;
  return rest && min < 10 ? `${min} min ${rest} s` : `${Math.ceil(s / 60)} min`;
}

/** The sentence the form shows for a failed sign-in. */
export function signInErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Wrong user name or password.';
    if (err.status === 429) {
      const wait = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      return typeof wait === 'number' && Number.isFinite(wait)
        ? `Too many failed sign-ins: wait ${formatWait(wait)} and try again.`
        : 'Too many failed sign-ins: wait a few minutes and try again.';
    }
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export interface SignIn {
  /** the signed-in user: asks the server, and shows the form (resolving once signed in) while nobody is */
  ensure(): Promise<Me>;
  /**
   * The session ended: the form over the workbench; resolves once signed in again as the same user. When
   * someone else signs in, `onOtherUser` runs instead (the page starts over for them) and this never resolves.
   */
  reauthenticate(): Promise<Me>;
  /** who is signed in (null before the first sign-in) */
  current(): Me | null;
  isOpen(): boolean;
}

export interface SignInOptions {
  onOtherUser(me: Me): void;
}

export function createSignIn(auth: AuthClient, opts: SignInOptions): SignIn {
  let me: Me | null = null;
  let pending: Promise<Me> | null = null;
  let done: ((me: Me) => void) | null = null;
  let busy = false;

  const user = h('input', { type: 'text', name: 'user', autocomplete: 'username', spellcheck: 'false', autocapitalize: 'none', maxlength: 64, required: true, 'data-testid': 'sign-in-user', id: 'sign-in-user' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', maxlength: 1024, required: true, 'data-testid': 'sign-in-password', id: 'sign-in-password' });
  const note = h('p', { class: 'signin-note', 'data-testid': 'sign-in-note' });
  const error = h('p', { class: 'signin-error', role: 'alert', 'data-testid': 'sign-in-error' });
  const submit = h('button', { type: 'submit', class: 'btn primary signin-submit', 'data-testid': 'sign-in-submit' }, 'Sign in');
  const logo = document.querySelector('.brand .logo')?.cloneNode(true) ?? null;
  const form = h(
    'form',
    { class: 'signin-card', 'data-testid': 'sign-in-form', novalidate: true },
    h('div', { class: 'signin-brand' }, logo, h('span', {}, 'Casegraph')),
    h('h1', { id: 'sign-in-title', class: 'signin-title' }, 'Sign in'),
    note,
    h('label', { class: 'signin-field', for: 'sign-in-user' }, 'User name'),
    user,
    h('label', { class: 'signin-field', for: 'sign-in-password' }, 'Password'),
    password,
    error,
    submit,
  );
  const el = h('dialog', { class: 'signin-dialog', 'data-testid': 'sign-in', 'aria-labelledby': 'sign-in-title' }, form);
  document.body.append(el);

  // the form stays until someone signs in: Escape does not close it
  el.addEventListener('cancel', (ev) => ev.preventDefault());
  el.addEventListener('close', () => {
    if (done) el.showModal();
  });
  // keys typed here are the form's, not the explorer's shortcuts
  el.addEventListener('keydown', (ev) => ev.stopPropagation());

  function setWorkbenchInert(inert: boolean): void {
    for (const part of document.querySelectorAll<HTMLElement>('body > header, body > main')) part.inert = inert;
  }

  function show(mode: 'start' | 'expired', message: string): Promise<Me> {
    if (pending) return pending;
    pending = new Promise<Me>((resolve) => {
      done = resolve;
    });
    closeFloating();
    el.dataset.mode = mode;
    document.body.dataset.auth = mode === 'start' ? 'signed-out' : 'expired';
    note.textContent = message;
    error.textContent = '';
    password.value = '';
    if (mode === 'expired' && me) user.value = me.user;
    setWorkbenchInert(true);
    if (!el.open) el.showModal();
    (user.value ? password : user).focus();
    return pending;
  }

  function signedIn(who: Me): void {
    const previous = me;
    me = who;
    document.body.dataset.auth = 'signed-in';
    if (!done) return;
    const resolve = done;
    done = null;
    pending = null;
    el.close();
    setWorkbenchInert(false);
    password.value = '';
    if (previous && previous.user !== who.user) {
      // someone else now: nothing of the previous user's work may stay on screen
      opts.onOtherUser(who);
      return;
    }
    resolve(who);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (busy) return;
    const name = user.value.trim();
    if (!name) return void ((error.textContent = 'Type your user name.'), user.focus());
    if (!password.value) return void ((error.textContent = 'Type your password.'), password.focus());
    busy = true;
    submit.disabled = true;
    error.textContent = '';
    el.dataset.state = 'signing-in';
    auth
      .login(name, password.value)
      .then(signedIn)
      .catch((err: unknown) => {
        error.textContent = signInErrorText(err);
        password.value = '';
        password.focus();
      })
      .finally(() => {
        busy = false;
        submit.disabled = false;
        delete el.dataset.state;
      });
  });

  return {
    async ensure() {
      if (me) return me;
      try {
        const who = await auth.me();
        me = who;
        document.body.dataset.auth = 'signed-in';
        return who;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 401) throw err;
        return show('start', 'Sign in to open your cases.');
      }
    },
    reauthenticate: () => show('expired', 'Your session has ended. Sign in again to go on: your view is kept.'),
    current: () => me,
    isOpen: () => el.open,
  };
}
