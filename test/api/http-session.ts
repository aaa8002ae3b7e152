// Signing in to a running server from node (tests and benchmarks that spawn `casegraph serve`).
import { SESSION_COOKIE } from '../../backend/src/api/auth.routes.ts';

/** Signs in and returns the Cookie header value that carries the session. */
export async function signIn(url: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  if (res.status !== 200) throw new Error(`sign-in as ${user} failed: ${res.status} ${await res.text()}`);
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!set) throw new Error('sign-in answered without a session cookie');
  return set.split(';')[0];
}

/** fetch with the session cookie. */
export function withSession(cookie: string): typeof fetch {
  return (input, init = {}) => fetch(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), cookie } });
}
